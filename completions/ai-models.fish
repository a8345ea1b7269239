function __ai-models_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ai-models_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __ai-models_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ai-models_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __ai-models_parse_tokens -S
    set -l unparsed_tokens (__ai-models_tokens -pc)
    switch $unparsed_tokens[1]
    case 'ai-models'
        __ai-models_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'providers'
            __ai-models_parse_subcommand 0 'p/provider=' 'base-url=' 'no-config' 'q/quiet' 'connect-timeout=' 'max-time=' 'passphrase-fd=' 'version' 'h/help'
        case 'list'
            __ai-models_parse_subcommand 0 'p/provider=' 'base-url=' 'no-config' 'q/quiet' 'connect-timeout=' 'max-time=' 'passphrase-fd=' 'all' 'version' 'h/help'
        case 'info'
            __ai-models_parse_subcommand 1 'p/provider=' 'base-url=' 'no-config' 'q/quiet' 'connect-timeout=' 'max-time=' 'passphrase-fd=' 'version' 'h/help'
        case 'pull'
            __ai-models_parse_subcommand 1 'p/provider=' 'base-url=' 'no-config' 'q/quiet' 'connect-timeout=' 'max-time=' 'passphrase-fd=' 'version' 'h/help'
        case 'help'
            __ai-models_parse_subcommand -r 1 'version'
        end
    end
end

function __ai-models_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __ai-models_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __ai-models_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __ai-models_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__ai-models_tokens -p)
    if test -z "$(__ai-models_tokens -t)"
        set -l index (count (__ai-models_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'ai-models' -f
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models" version' -l 'version' -d 'Show the version.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_positional "ai-models" -eq 1' -fa 'providers' -d 'One line per provider, probed at once.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_positional "ai-models" -eq 1' -fa 'list' -d 'One line per model of a provider (or --all).'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_positional "ai-models" -eq 1' -fa 'info' -d 'A model\'s details from its provider.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_positional "ai-models" -eq 1' -fa 'pull' -d 'Pull a model into Ollama, with progress.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_positional "ai-models" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models providers" p provider' -l 'provider' -s 'p' -d 'Provider (default: $AI_PROVIDER, the config\'s default, else ollama).' -rfka 'ollama openai anthropic echo'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models providers" base-url' -l 'base-url' -d 'Send this run to another server for the chosen provider.' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models providers" no-config' -l 'no-config' -d 'Do not read the config file.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models providers" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models providers" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect.' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models providers" max-time' -l 'max-time' -d 'Seconds allowed for each request (default: none).' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models providers" passphrase-fd' -l 'passphrase-fd' -d 'Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models providers" version' -l 'version' -d 'Show the version.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models providers" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models list" p provider' -l 'provider' -s 'p' -d 'Provider (default: $AI_PROVIDER, the config\'s default, else ollama).' -rfka 'ollama openai anthropic echo'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models list" base-url' -l 'base-url' -d 'Send this run to another server for the chosen provider.' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models list" no-config' -l 'no-config' -d 'Do not read the config file.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models list" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models list" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect.' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models list" max-time' -l 'max-time' -d 'Seconds allowed for each request (default: none).' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models list" passphrase-fd' -l 'passphrase-fd' -d 'Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models list" all' -l 'all' -d 'Ask every provider at once.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models list" version' -l 'version' -d 'Show the version.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models info" p provider' -l 'provider' -s 'p' -d 'Provider (default: $AI_PROVIDER, the config\'s default, else ollama).' -rfka 'ollama openai anthropic echo'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models info" base-url' -l 'base-url' -d 'Send this run to another server for the chosen provider.' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models info" no-config' -l 'no-config' -d 'Do not read the config file.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models info" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models info" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect.' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models info" max-time' -l 'max-time' -d 'Seconds allowed for each request (default: none).' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models info" passphrase-fd' -l 'passphrase-fd' -d 'Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models info" version' -l 'version' -d 'Show the version.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models info" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models pull" p provider' -l 'provider' -s 'p' -d 'Provider (default: $AI_PROVIDER, the config\'s default, else ollama).' -rfka 'ollama openai anthropic echo'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models pull" base-url' -l 'base-url' -d 'Send this run to another server for the chosen provider.' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models pull" no-config' -l 'no-config' -d 'Do not read the config file.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models pull" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models pull" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect.' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models pull" max-time' -l 'max-time' -d 'Seconds allowed for each request (default: none).' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models pull" passphrase-fd' -l 'passphrase-fd' -d 'Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.' -rfka ''
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models pull" version' -l 'version' -d 'Show the version.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models pull" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-models' -n '__ai-models_should_offer_completions_for_flags_or_options "ai-models help" version' -l 'version' -d 'Show the version.'
