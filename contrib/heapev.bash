# bash completion for heapev                                 -*- shell-script -*-
# Installed to share/bash-completion/completions/heapev; or: source contrib/heapev.bash

_heapev()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local commands="decode explain stats gen probe findings help"
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi

    local cmd=${words[1]} opts=""
    case $cmd in
        decode)   opts="--payload --record --etl --summary --threads --bits --json --user-max-32 --user-max-wow64 --help" ;;
        explain)  opts="--payload --record --etl --bits --offset --count --json --no-color --user-max-32 --user-max-wow64 --help" ;;
        stats)    opts="--payload --record --etl --bits --json --html --user-max-32 --user-max-wow64 --help" ;;
        gen)      opts="--seed --count --bits --format --malformed --class --out --force --append --stream --list-classes --json --noise --wow64 --style --compress --buffer-size --manifest --manifest-full --help" ;;
        probe)    opts="--timeout --exec --stdin --format --class --count --seed --jobs --adapter --field --crash-exit --json --html --repro-dir --minimize-time --max-output --max-file-size --max-memory --help" ;;
        findings) opts="--json --markdown --help" ;;
        help)     COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
        *)        return ;;
    esac

    case $prev in
        --bits)
            if [[ $cmd == gen ]]; then
                COMPREPLY=($(compgen -W "32 64 mixed" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "32 64" -- "$cur"))
            fi
            return ;;
        --format) COMPREPLY=($(compgen -W "payload record etl" -- "$cur")); return ;;
        --adapter) COMPREPLY=($(compgen -W "jsonl csv" -- "$cur")); return ;;
        --field) COMPREPLY=($(compgen -W "heap_handle= size= address= source=" -- "$cur")); return ;;
        --repro-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --exec) COMPREPLY=($(compgen -c -- "$cur")); return ;;
        --style) COMPREPLY=($(compgen -W "win10 win7" -- "$cur")); return ;;
        --class)
            # Classes that damage something (findings column not "none"); with
            # --format etl those usable in a trace and the container ones.
            local classes format=()
            [[ " ${words[*]} " == *" etl "* || " ${words[*]} " == *"--format=etl"* ]] && format=(--format etl)
            classes=$(heapev gen --list-classes "${format[@]}" 2>/dev/null |
                awk '/^[^ ]/ && $3 != "none" {print $1}')
            COMPREPLY=($(compgen -W "$classes" -- "$cur"))
            return ;;
        --out)
            if [[ " ${words[*]} " == *" etl "* ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
            else
                COMPREPLY=($(compgen -d -- "$cur"))
            fi
            return ;;
        --manifest) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --html) COMPREPLY=($(compgen -f -X '!*.html' -- "$cur") $(compgen -d -- "$cur")); return ;;
        --seed|--count|--offset|--malformed|--noise|--wow64|--buffer-size|--threads|--user-max-32|--user-max-wow64) return ;;
        --timeout|--jobs|--crash-exit|--minimize-time|--max-output|--max-file-size|--max-memory) return ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
} &&
    complete -o filenames -F _heapev heapev

# ex: filetype=sh
