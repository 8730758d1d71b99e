/*
 * test_gen.c - the generator library: PRNG against an independent reference,
 * the trace model's realism, the catalogue table, and the agreement test:
 * for well over 100,000 generated items of every class, both widths and both
 * formats, the decoder's findings equal the generator's expected findings.
 */
#include "cmocka_all.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <xxhash.h>

#include "heapev/decode.h"
#include "heapev/gen.h"
#include "testlib.h"

/* Digests of test_golden_digest, recorded on x86-64 (see there). */
#define GOLDEN_PAYLOAD 0x0bc983ecaf45862eull
#define GOLDEN_RECORD 0x4301c4a7bd0c7c06ull
#define FMT_NAME(f) ((f) == HEAPEV_GEN_FORMAT_RECORD ? "record" : "payload")

/* ---- PRNG --------------------------------------------------------------------- */

/* xoshiro256** written out again from the reference, to check the library's. */
static uint64_t ref_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t ref_next(uint64_t s[4])
{
    uint64_t result = ref_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t;
    s[3] = ref_rotl(s[3], 45);
    return result;
}

static void test_rng_reference(void **state)
{
    (void)state;
    uint64_t seeds[] = {0, 1, 7, 0xFFFFFFFFFFFFFFFFull};
    for (size_t k = 0; k < 4; k++) {
        uint64_t sm = seeds[k], s[4];
        for (int i = 0; i < 4; i++)
            s[i] = t_rand(&sm); /* testlib's splitmix64 */
        heapev_rng r;
        heapev_rng_seed(&r, seeds[k]);
        for (int i = 0; i < 1000; i++)
            assert_true(heapev_rng_next(&r) == ref_next(s));
    }
    /* splitmix64's published first output for seed 0. */
    heapev_rng r;
    heapev_rng_seed(&r, 0);
    assert_true(r.s[0] == 0xE220A8397B1DCDAFull);
}

static void test_rng_bounded(void **state)
{
    (void)state;
    heapev_rng r;
    heapev_rng_seed(&r, 3);
    assert_true(heapev_rng_bounded(&r, 0) == 0);
    assert_true(heapev_rng_bounded(&r, 1) == 0);
    unsigned seen[7] = {0};
    for (int i = 0; i < 7000; i++) {
        uint64_t v = heapev_rng_bounded(&r, 7);
        assert_true(v < 7);
        seen[v]++;
    }
    for (int i = 0; i < 7; i++)
        assert_true(seen[i] > 800 && seen[i] < 1200);
    for (int i = 0; i < 1000; i++) {
        uint64_t v = heapev_rng_range(&r, 10, 12);
        assert_true(v >= 10 && v <= 12);
    }
    heapev_rng_range(&r, 0, UINT64_MAX); /* full range is allowed */
}

/*
 * heapev_rng_bounded is Lemire's method: the high half of next() * bound,
 * redrawn while the low half is below 2^64 mod bound. Checked against a
 * reference written here with 32-bit arithmetic only, on bounds that make
 * the rejection path common (just above 2^63) and rare (small).
 */
static uint64_t ref_mul_hi(uint64_t a, uint64_t b, uint64_t *lo)
{
    uint64_t hi = 0, acc_lo = 0;
    for (int i = 0; i < 64; i++) /* shift-and-add, slow and obviously right */
        if ((b >> i) & 1) {
            uint64_t add_lo = i ? a << i : a, add_hi = i ? a >> (64 - i) : 0;
            uint64_t sum = acc_lo + add_lo;
            hi += add_hi + (sum < acc_lo);
            acc_lo = sum;
        }
    *lo = acc_lo;
    return hi;
}

static void test_rng_bounded_reference(void **state)
{
    (void)state;
    static const uint64_t bounds[] = {2, 3, 7, 1000, 0x100000001ull, 0x8000000000000001ull,
                                      0xC000000000000000ull, UINT64_MAX};
    for (size_t k = 0; k < sizeof bounds / sizeof bounds[0]; k++) {
        heapev_rng a, b;
        heapev_rng_seed(&a, 40 + k);
        heapev_rng_seed(&b, 40 + k);
        uint64_t threshold = (0 - bounds[k]) % bounds[k];
        for (int i = 0; i < 2000; i++) {
            uint64_t lo, hi;
            do
                hi = ref_mul_hi(heapev_rng_next(&b), bounds[k], &lo);
            while (lo < threshold);
            assert_true(heapev_rng_bounded(&a, bounds[k]) == hi);
        }
    }
}

/* ---- the model ------------------------------------------------------------------- */

static int blocks_overlap(heapev_gen_block a, heapev_gen_block b)
{
    uint64_t ea = a.address + (a.size ? a.size : 1), eb = b.address + (b.size ? b.size : 1);
    return a.address < eb && b.address < ea;
}

static void check_live_disjoint(const heapev_gen_model *m)
{
    for (unsigned h = 0; h < HEAPEV_GEN_HEAPS; h++) {
        const heapev_gen_heap *hp = &m->heaps[h];
        for (unsigned i = 0; i < hp->n_live; i++)
            for (unsigned j = i + 1; j < hp->n_live; j++)
                assert_false(blocks_overlap(hp->live[i], hp->live[j]));
        /* Blocks of different heaps never meet either: their regions are apart. */
        if (h > 0 && hp->n_live > 0 && m->heaps[h - 1].n_live > 0)
            assert_false(blocks_overlap(hp->live[0], m->heaps[h - 1].live[0]));
    }
}

typedef struct model_stats {
    unsigned long sources[5], zeros, tail;
} model_stats;

static void check_model_event(const heapev_event *e, unsigned w, model_stats *st)
{
    uint64_t user_max = w == 4 ? HEAPEV_USER_MAX_32 : HEAPEV_USER_MAX_64;
    assert_true(e->heap_handle % HEAPEV_HEAP_HANDLE_ALIGN == 0);
    assert_true(e->heap_handle >= HEAPEV_LOWEST_MAPPED && e->heap_handle <= user_max);
    assert_true(e->address % HEAPEV_ADDRESS_ALIGN(w) == 0);
    assert_true(e->address >= HEAPEV_LOWEST_MAPPED && e->address + e->size <= user_max);
    assert_true(e->source >= 1 && e->source <= 4);
    st->sources[e->source]++;
    if (e->source == HEAPEV_SOURCE_LOWFRAG || e->source == HEAPEV_SOURCE_LOOKASIDE)
        assert_true(e->size <= HEAPEV_LFH_MAX_SIZE);
    assert_true((e->source == HEAPEV_SOURCE_SLOWPATH) == (e->size > HEAPEV_VM_THRESHOLD_64));
    st->zeros += e->size == 0;
    st->tail += e->size > HEAPEV_VM_THRESHOLD_64;
}

/* Realistic and well-formed: decodes clean as payload and as record, both widths. */
static void test_model_well_formed(void **state)
{
    (void)state;
    for (unsigned w = 4; w <= 8; w += 4) {
        heapev_gen_model m;
        model_stats st;
        memset(&st, 0, sizeof st);
        heapev_gen_model_init(&m, w, 42 + w);
        int64_t last_time = INT64_MIN;
        for (int i = 0; i < 50000; i++) {
            heapev_event e, d;
            uint8_t buf[64];
            heapev_gen_model_event(&m, &e);
            check_model_event(&e, w, &st);
            check_live_disjoint(&m);
            assert_true(e.header.system_time > last_time);
            last_time = e.header.system_time;
            size_t n = heapev_encode_payload(&e, buf, sizeof buf);
            assert_int_equal(heapev_decode_payload(buf, n, HEAPEV_WIDTH_INFER, NULL, &d), 0);
            assert_true(d.heap_handle == e.heap_handle && d.size == e.size &&
                        d.address == e.address && d.source == e.source);
            n = heapev_encode_record(&e, buf, sizeof buf);
            assert_int_equal(n, e.header.size);
            assert_int_equal(heapev_decode_record(buf, n, NULL, &d, NULL), 0);
            assert_int_equal(d.header.process_id, m.process_id);
        }
        /* SPEC §5: the LFH serves most blocks once a size is in use, look-aside is rare. */
        assert_true(st.sources[HEAPEV_SOURCE_LOWFRAG] > 50000 * 6 / 10);
        assert_true(st.sources[HEAPEV_SOURCE_LOOKASIDE] > 0);
        assert_true(st.sources[HEAPEV_SOURCE_LOOKASIDE] < 50000 / 50);
        assert_true(st.sources[HEAPEV_SOURCE_MAINPATH] > 50000 / 20);
        assert_true(st.sources[HEAPEV_SOURCE_SLOWPATH] > 1000);
        assert_true(st.zeros > 500);
        assert_true(st.tail > 100);
    }
}

/* ---- the catalogue table ----------------------------------------------------------- */

static void test_catalogue_table(void **state)
{
    (void)state;
    size_t n = heapev_gen_class_count(), applied = heapev_gen_well_formed_index();
    assert_true(applied >= 25 && applied < 64); /* a heapev_gen_classes set holds them */
    assert_null(heapev_gen_class_get(n));
    assert_int_equal(heapev_gen_class_find("no_such_class"), -1);
    assert_int_equal(heapev_gen_class_find("well_formed"), (int)applied);
    const heapev_gen_class *wf = heapev_gen_class_get(applied);
    assert_true(wf->stage == HEAPEV_GEN_STAGE_NONE && wf->findings == 0);
    for (size_t i = 0; i < n; i++) {
        const heapev_gen_class *c = heapev_gen_class_get(i);
        assert_int_equal(heapev_gen_class_find(c->name), (int)i);
        for (const char *p = c->name; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
        assert_true(c->description[0] != '\0' && c->how[0] != '\0');
        assert_true(c->formats != 0 && c->widths != 0);
        /* Rows in order: applied classes, well_formed, then the container classes. */
        if (i > applied)
            assert_true(c->stage == HEAPEV_GEN_STAGE_CONTAINER && c->traces != 0 &&
                        c->formats == HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_ETL));
        if (i >= applied)
            continue;
        assert_true(c->stage == HEAPEV_GEN_STAGE_EVENT || c->stage == HEAPEV_GEN_STAGE_BYTES);
        assert_true(c->traces == 0);
        /* Only the compact header is a class without a finding: it is valid. */
        assert_true(c->findings != 0 || strcmp(c->name, "compact_header") == 0);
        assert_true(heapev_gen_classes_findings((heapev_gen_classes)1 << i) == c->findings);
    }
    static const char *const required[] = {
        "source_zero", "source_invalid", "source_segment_heap", "source_seven", "source_int_max",
        "source_uint_max", "source_random_undefined", "heap_handle_null", "address_null",
        "address_misaligned", "address_wraps", "address_kernel_range",
        "heap_handle_kernel_range", "size_implausible", "lowfrag_size_too_large",
        "trailing_bytes", "truncated_payload", "truncated_record_header",
        "truncated_record_payload", "width_64_as_32", "width_32_as_64",
        "header_version_unexpected", "header_type_unknown", "header_flags_invalid",
        "header_size_too_small", "header_size_too_large", "header_size_disagrees",
        "not_heap_alloc_heap_event", "not_heap_alloc_other_group", "compact_header",
        "length_ambiguous"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (heapev_gen_class_find(required[i]) < 0)
            fail_msg("class %s missing", required[i]);
}

static void test_values_tables(void **state)
{
    (void)state;
    for (unsigned k = 0; k < HEAPEV_GEN_VALUES_COUNT; k++) {
        size_t n = 0;
        assert_non_null(heapev_gen_values((heapev_gen_values_kind)k, &n));
        assert_true(n >= 5);
    }
    size_t n = 1;
    assert_null(heapev_gen_values(HEAPEV_GEN_VALUES_COUNT, &n));
    assert_int_equal(n, 0);
}

/* ---- agreement ---------------------------------------------------------------------- */

/* Decode an item as its manifest says and compare with the expected findings. */
static void check_agrees(const heapev_gen_item *it)
{
    heapev_event d;
    size_t used = 0;
    heapev_findings got;
    if (it->format == HEAPEV_GEN_FORMAT_PAYLOAD)
        got = heapev_decode_payload(it->bytes, it->len, it->decode_width, NULL, &d);
    else
        got = heapev_decode_record(it->bytes, it->len, NULL, &d, &used);
    if (got != it->expected) {
        char g[512], e[512], cls[1024] = "";
        heapev_findings_format(got, ",", g, sizeof g);
        heapev_findings_format(it->expected, ",", e, sizeof e);
        for (size_t i = 0; i < heapev_gen_well_formed_index(); i++) /* the applied rows */
            if (it->classes >> i & 1u)
                strcat(strcat(cls, " "), heapev_gen_class_get(i)->name);
        fail_msg("%s %u-bit [%s ]: decoder says {%s}, generator expects {%s}", FMT_NAME(it->format),
                 it->width * 8, cls, g, e);
    }
    /* One item is one record: a loop advancing by `used` sees exactly one event. */
    if (it->format == HEAPEV_GEN_FORMAT_RECORD && it->len > 0)
        assert_int_equal(used, it->len);
    /* Without damage to the bytes, the decoder reads back the generated fields. */
    if (d.payload_decoded && it->classes == 0)
        assert_true(d.heap_handle == it->event.heap_handle && d.size == it->event.size &&
                    d.address == it->event.address && d.source == it->event.source);
}

/* The fields outside heapev_gen_classes_fields() keep the well-formed event's values. */
static void check_fields_kept(const heapev_event *wf, const heapev_gen_item *it)
{
    unsigned keep = ~heapev_gen_classes_fields(it->classes);
    const heapev_event *e = &it->event;
    const heapev_record_header *a = &wf->header, *b = &e->header;
    if (keep & HEAPEV_GEN_FIELD_BITS)
        assert_int_equal(e->pointer_width, wf->pointer_width);
    if (keep & HEAPEV_GEN_FIELD_HEAP_HANDLE)
        assert_true(e->heap_handle == wf->heap_handle);
    if (keep & HEAPEV_GEN_FIELD_SIZE)
        assert_true(e->size == wf->size);
    if (keep & HEAPEV_GEN_FIELD_ADDRESS)
        assert_true(e->address == wf->address);
    if (keep & HEAPEV_GEN_FIELD_SOURCE)
        assert_true(e->source == wf->source);
    if (keep & HEAPEV_GEN_FIELD_TRAILING_BYTES)
        assert_int_equal(e->trailing_bytes, wf->trailing_bytes);
    if (!e->has_header)
        return;
    if (keep & HEAPEV_GEN_FIELD_VERSION)
        assert_int_equal(b->version, a->version);
    if (keep & HEAPEV_GEN_FIELD_HEADER_TYPE)
        assert_int_equal(b->header_type, a->header_type);
    if (keep & HEAPEV_GEN_FIELD_FLAGS)
        assert_int_equal(b->flags, a->flags);
    if (keep & HEAPEV_GEN_FIELD_SIZE_FIELD)
        assert_int_equal(b->size, a->size);
    if (keep & HEAPEV_GEN_FIELD_HOOK_ID)
        assert_int_equal(b->hook_id, a->hook_id);
    /* The other header fields: no field bit names them; the classes of a trace keep them. */
    for (heapev_gen_classes set = it->classes; set != 0; set &= set - 1)
        if (!(heapev_gen_class_get((size_t)__builtin_ctzll(set))->formats &
              HEAPEV_GEN_FORMAT_BIT(HEAPEV_GEN_FORMAT_ETL)))
            return;
    if (keep & HEAPEV_GEN_FIELD_CPU_TIMES)
        assert_true(b->kernel_time == a->kernel_time && b->user_time == a->user_time);
    assert_true(b->thread_id == a->thread_id && b->process_id == a->process_id &&
                b->system_time == a->system_time);
}

/* Each class alone, both formats and widths it applies to: its own findings, exactly. */
static void test_each_class_alone(void **state)
{
    (void)state;
    heapev_rng rng;
    heapev_rng_seed(&rng, 11);
    for (size_t c = 0; c < heapev_gen_class_count(); c++) {
        const heapev_gen_class *cls = heapev_gen_class_get(c);
        for (unsigned f = 0; f < 2; f++)
            for (unsigned w = 4; w <= 8; w += 4) {
                if (!heapev_gen_classes_compatible(0, c, (heapev_gen_format)f, w))
                    continue;
                heapev_gen_model m;
                heapev_gen_model_init(&m, w, c * 4 + f + w);
                uint64_t lengths = 0; /* which truncation lengths were produced */
                for (int i = 0; i < 600; i++) {
                    heapev_event e;
                    heapev_gen_item it;
                    heapev_gen_model_event(&m, &e);
                    heapev_gen_build(&rng, &e, (heapev_gen_format)f, (heapev_gen_classes)1 << c, &it);
                    assert_true(it.expected == cls->findings);
                    check_agrees(&it);
                    check_fields_kept(&e, &it);
                    lengths |= it.len < 64 ? (uint64_t)1 << it.len : 0;
                }
                /* Truncation at every length of the payload / header. */
                if (strcmp(cls->name, "truncated_payload") == 0)
                    assert_true(lengths == ((uint64_t)1 << HEAPEV_PAYLOAD_SIZE(w)) - 1);
                if (strcmp(cls->name, "truncated_record_header") == 0)
                    assert_true(lengths == ((uint64_t)1 << HEAPEV_HEADER_SIZE_SYSTEM) - 1);
            }
    }
}

/* Every pair of classes that combine, both formats and widths. */
static void test_class_pairs(void **state)
{
    (void)state;
    heapev_rng rng;
    heapev_rng_seed(&rng, 12);
    size_t n = heapev_gen_class_count(), pairs = 0;
    for (unsigned f = 0; f < 2; f++)
        for (unsigned w = 4; w <= 8; w += 4) {
            heapev_gen_model m;
            heapev_gen_model_init(&m, w, f * 8 + w);
            for (size_t a = 0; a < n; a++)
                for (size_t b = a + 1; b < n; b++) {
                    /* only applied rows (below 64) are ever compatible: shift after the check */
                    if (!heapev_gen_classes_compatible(0, a, (heapev_gen_format)f, w))
                        continue;
                    heapev_gen_classes set = (heapev_gen_classes)1 << a;
                    if (!heapev_gen_classes_compatible(set, b, (heapev_gen_format)f, w))
                        continue;
                    set |= (heapev_gen_classes)1 << b;
                    pairs++;
                    for (int i = 0; i < 40; i++) {
                        heapev_event e;
                        heapev_gen_item it;
                        heapev_gen_model_event(&m, &e);
                        heapev_gen_build(&rng, &e, (heapev_gen_format)f, set, &it);
                        check_agrees(&it);
                    }
                }
        }
    assert_true(pairs > 300);
}

/* Source + null handle + misaligned address: the brief's example of a combination. */
static void test_triple_combination(void **state)
{
    (void)state;
    heapev_rng rng;
    heapev_rng_seed(&rng, 13);
    heapev_gen_classes set = 0;
    const char *names[] = {"source_segment_heap", "heap_handle_null", "address_misaligned"};
    for (int i = 0; i < 3; i++) {
        int k = heapev_gen_class_find(names[i]);
        assert_true(heapev_gen_classes_compatible(set, (size_t)k, HEAPEV_GEN_FORMAT_RECORD, 8));
        set |= (heapev_gen_classes)1 << k;
    }
    heapev_event e;
    heapev_gen_item it;
    heapev_gen_event(&rng, 8, HEAPEV_GEN_FORMAT_RECORD, &e);
    heapev_gen_build(&rng, &e, HEAPEV_GEN_FORMAT_RECORD, set, &it);
    assert_true(it.expected == (HEAPEV_FINDING(SOURCE_RESERVED) | HEAPEV_FINDING(HEAP_HANDLE_NULL) | HEAPEV_FINDING(ADDRESS_MISALIGNED)));
    check_agrees(&it);
    /* Exclusive ones refuse to join. */
    int t = heapev_gen_class_find("truncated_record_payload");
    assert_false(heapev_gen_classes_compatible(set, (size_t)t, HEAPEV_GEN_FORMAT_RECORD, 8));
    assert_false(heapev_gen_classes_compatible(0, (size_t)heapev_gen_class_find("width_32_as_64"),
                                               HEAPEV_GEN_FORMAT_RECORD, 8));
    assert_false(heapev_gen_classes_compatible(0, (size_t)t, HEAPEV_GEN_FORMAT_PAYLOAD, 8));
}

/*
 * The agreement test: 6 runs (payload, record) x (32, 64, mixed) of 20,000
 * items each, 70 % malformed over all classes: 120,000 items, every one
 * decoded and compared; every class must have appeared in each run it can.
 */
static void test_agreement_bulk(void **state)
{
    (void)state;
    unsigned long total = 0, combined = 0;
    for (unsigned f = 0; f < 2; f++)
        for (unsigned w = 0; w <= 8; w += 4) {
            heapev_gen_options o = {.seed = 1000 + f * 10 + w, .width = w, .format = (heapev_gen_format)f, .malformed = 0.7};
            heapev_gen g;
            assert_int_equal(heapev_gen_init(&g, &o), 0);
            heapev_gen_classes seen = 0, possible = 0;
            for (int i = 0; i < 20000; i++, total++) {
                heapev_gen_item it;
                assert_true(heapev_gen_next(&g, &it) == (uint64_t)i);
                check_agrees(&it);
                seen |= it.classes;
                combined += (it.classes & (it.classes - 1)) != 0;
                assert_true(w == 0 || it.width == w);
            }
            for (size_t c = 0; c < heapev_gen_class_count(); c++)
                for (unsigned pw = 4; pw <= 8; pw += 4)
                    if ((w == 0 || w == pw) &&
                        heapev_gen_classes_compatible(0, c, (heapev_gen_format)f, pw))
                        possible |= (heapev_gen_classes)1 << c;
            assert_true(seen == possible);
        }
    assert_true(total >= 100000);
    assert_true(combined > 10000);
}

/* ---- determinism ---------------------------------------------------------------------- */

static uint64_t run_digest(uint64_t seed, unsigned w, heapev_gen_format f, int n)
{
    heapev_gen_options o = {.seed = seed, .width = w, .format = f, .malformed = 0.5};
    heapev_gen g;
    XXH3_state_t *h = XXH3_createState();
    assert_int_equal(heapev_gen_init(&g, &o), 0);
    XXH3_64bits_reset(h);
    for (int i = 0; i < n; i++) {
        heapev_gen_item it;
        uint8_t meta[16];
        heapev_gen_next(&g, &it);
        t_put(meta, it.expected, 8);
        t_put(meta + 8, it.classes, 8);
        XXH3_64bits_update(h, it.bytes, it.len);
        XXH3_64bits_update(h, meta, sizeof meta);
    }
    uint64_t d = XXH3_64bits_digest(h);
    XXH3_freeState(h);
    return d;
}

static void test_determinism(void **state)
{
    (void)state;
    for (unsigned f = 0; f < 2; f++) {
        uint64_t a = run_digest(5, 0, (heapev_gen_format)f, 5000);
        assert_true(a == run_digest(5, 0, (heapev_gen_format)f, 5000));
        assert_true(a != run_digest(6, 0, (heapev_gen_format)f, 5000));
    }
}

/*
 * The same bytes on every host: digests of fixed runs, recorded once. A
 * change of the model or the catalogue changes them on purpose (update them
 * and regenerate corpus/); a change on one host only is a portability bug.
 */
static void test_golden_digest(void **state)
{
    (void)state;
    uint64_t p = run_digest(1, 0, HEAPEV_GEN_FORMAT_PAYLOAD, 2000);
    uint64_t r = run_digest(1, 0, HEAPEV_GEN_FORMAT_RECORD, 2000);
    print_message("golden: payload 0x%016llx record 0x%016llx\n", (unsigned long long)p,
                  (unsigned long long)r);
    assert_true(p == GOLDEN_PAYLOAD);
    assert_true(r == GOLDEN_RECORD);
}

static void test_init_errors(void **state)
{
    (void)state;
    heapev_gen g;
    heapev_gen_options o = {.seed = 1, .width = 16, .format = HEAPEV_GEN_FORMAT_PAYLOAD, .malformed = 0.5};
    assert_int_equal(heapev_gen_init(&g, &o), -1);
    o.width = 8;
    o.malformed = 1.5;
    assert_int_equal(heapev_gen_init(&g, &o), -1);
    o.malformed = NAN;
    assert_int_equal(heapev_gen_init(&g, &o), -1);
    /* A class that needs a 32-bit producer, with --bits 64. */
    o.malformed = 1.0;
    o.enabled = (heapev_gen_classes)1 << heapev_gen_class_find("width_32_as_64");
    assert_int_equal(heapev_gen_init(&g, &o), -1);
    /* A record-only class for payloads. */
    o.enabled = (heapev_gen_classes)1 << heapev_gen_class_find("compact_header");
    assert_int_equal(heapev_gen_init(&g, &o), -1);
    /* ...is fine when nothing is malformed. */
    o.malformed = 0.0;
    assert_int_equal(heapev_gen_init(&g, &o), 0);
}

/* --class: only the enabled classes appear; a width-fixed class picks the width. */
static void test_enabled_filter(void **state)
{
    (void)state;
    int a = heapev_gen_class_find("width_64_as_32"), b = heapev_gen_class_find("source_zero");
    heapev_gen_classes en = ((heapev_gen_classes)1 << a) | ((heapev_gen_classes)1 << b);
    heapev_gen_options o = {.seed = 9, .format = HEAPEV_GEN_FORMAT_PAYLOAD, .malformed = 1.0, .enabled = en};
    heapev_gen g;
    assert_int_equal(heapev_gen_init(&g, &o), 0);
    for (int i = 0; i < 2000; i++) {
        heapev_gen_item it;
        heapev_gen_next(&g, &it);
        assert_true(it.classes != 0 && (it.classes & ~en) == 0);
        if (it.classes >> a & 1u)
            assert_int_equal(it.width, 8);
        check_agrees(&it);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_reference),     cmocka_unit_test(test_rng_bounded),
        cmocka_unit_test(test_rng_bounded_reference),
        cmocka_unit_test(test_model_well_formed), cmocka_unit_test(test_catalogue_table),
        cmocka_unit_test(test_values_tables),     cmocka_unit_test(test_each_class_alone),
        cmocka_unit_test(test_class_pairs),       cmocka_unit_test(test_triple_combination),
        cmocka_unit_test(test_agreement_bulk),    cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_golden_digest),     cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_enabled_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
