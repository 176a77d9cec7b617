# bash completion for folio. The commands and each command's options are
# read from `folio help` and `folio help CMD`, so that they are always the
# ones of the folio installed; templates from `folio init`'s own list.
_folio()
{
    local cur prev words cword
    _init_completion || return

    if ((cword == 1)); then
        local cmds
        cmds=$("$1" help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
        return
    fi
    local cmd=${words[1]}
    case $prev in
        -o | --output | --cache)
            _filedir -d
            return
            ;;
        --report)
            _filedir json
            return
            ;;
        --profile)
            COMPREPLY=($(compgen -W "print screen archive all" -- "$cur"))
            return
            ;;
        --template)
            local list
            list=$("$1" init --template '' 2>&1 | sed -n 's/.*the templates: //p' | tr -d ',)')
            COMPREPLY=($(compgen -W "$list" -- "$cur"))
            return
            ;;
        --edition | --editions | --dpi | -j | --jobs)
            return
            ;;
    esac
    if [[ $cmd == help ]]; then
        local cmds
        cmds=$("$1" help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
        COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        local opts
        opts=$("$1" help "$cmd" 2>/dev/null | sed -n 's/^  \(-[a-z]\), \(--[a-z-]*\).*/\1 \2/p; s/^      \(--[a-z-]*\).*/\1/p')
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    if [[ $cmd == cache ]]; then
        COMPREPLY=($(compgen -W "clean info" -- "$cur"))
        return
    fi
    # a publication: its folder or its .yaml file; init: a folder
    if [[ $cmd == init ]]; then
        _filedir -d
    else
        _filedir '@(yaml|yml)'
    fi
} &&
    complete -F _folio folio
