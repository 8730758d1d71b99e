/* main.c - `heapev` entry point: git-style subcommand dispatch. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

#ifndef HEAPEV_VERSION
#define HEAPEV_VERSION "unknown"
#endif

static int help_main(int argc, char **argv);

/* The subcommands; each later one is added here (one line each). */
static const cli_command commands[] = {
    {"decode", "decode payload or record files and report findings", cli_decode_main,
     cli_decode_usage},
    {"explain", "annotated hex dump: fields, values, findings at their bytes", cli_explain_main, cli_explain_usage},
    {"findings", "print the findings table", cli_findings_main, cli_findings_usage},
    {"gen", "generate events, well-formed or malformed, with expected findings", cli_gen_main, cli_gen_usage},
    {"stats", "counts, size histogram and HTML report over corpora and files", cli_stats_main, cli_stats_usage},
    {"probe", "run any trace reader on every malformation class: crashed, hung, rejected, misread or ok", cli_probe_main, cli_probe_usage},
    {"help", "show help for a subcommand", help_main, NULL},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void main_usage(FILE *out)
{
    fputs("usage: heapev [--version] [--help] COMMAND [ARGS]\n\n"
          "Decode, generate and fuzz Windows ETW heap Alloc events.\n\ncommands:\n",
          out);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n'heapev help COMMAND' or 'heapev COMMAND --help' shows a command's options.\n", out);
}

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int help_main(int argc, char **argv)
{
    if (argc > 2)
        return cli_error("help", "one COMMAND at a time ('%s' is extra; try 'heapev --help')", argv[2]);
    if (argc < 2) {
        main_usage(stdout);
        return CLI_EXIT_CLEAN;
    }
    const cli_command *cmd = find_command(argv[1]);
    if (cmd == NULL || cmd->usage == NULL)
        return cli_error(argv[1], "no such command (try 'heapev --help')");
    cmd->usage(stdout);
    return CLI_EXIT_CLEAN;
}

/* Every run ends here: standard output must have been written, whatever printed to it. */
static int finish(int rc)
{
    if (rc != CLI_EXIT_USAGE && cli_close_output(stdout, "<stdout>") != 0)
        return CLI_EXIT_USAGE;
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        main_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    int help = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;
    int version = strcmp(argv[1], "--version") == 0;
    if ((help || version) && argc > 2)
        return cli_error(argv[1], "takes no argument ('%s' is extra; try 'heapev --help')", argv[2]);
    if (help) {
        main_usage(stdout);
        return finish(CLI_EXIT_CLEAN);
    }
    if (version) {
        printf("heapev %s\n", HEAPEV_VERSION);
        return finish(CLI_EXIT_CLEAN);
    }
    const cli_command *cmd = find_command(argv[1]);
    if (cmd == NULL)
        return cli_error(argv[1], "no such command (try 'heapev --help')");
    opterr = 0; /* subcommands print their own one-line option errors */
    return finish(cmd->run(argc - 1, argv + 1));
}
