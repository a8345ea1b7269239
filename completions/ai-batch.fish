function __ai-batch_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ai-batch_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __ai-batch_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ai-batch_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __ai-batch_parse_tokens -S
    set -l unparsed_tokens (__ai-batch_tokens -pc)
    switch $unparsed_tokens[1]
    case 'ai-batch'
        __ai-batch_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'submit'
            __ai-batch_parse_subcommand -r 1 'p/provider=' 'm/model=' 's/system=' 't/temperature=' 'max-tokens=' 'stop=+' 'base-url=' 'schema=' 'schema-format-assert' 'input=' 'n/no-stdin' 'no-config' 'q/quiet' 'retries=' 'connect-timeout=' 'idle-timeout=' 'passphrase-fd=' 'version' 'h/help'
        case 'status'
            __ai-batch_parse_subcommand 1 'no-config' 'q/quiet' 'retries=' 'connect-timeout=' 'idle-timeout=' 'passphrase-fd=' 'version' 'h/help'
        case 'wait'
            __ai-batch_parse_subcommand 1 'max-time=' 'no-config' 'q/quiet' 'retries=' 'connect-timeout=' 'idle-timeout=' 'passphrase-fd=' 'version' 'h/help'
        case 'results'
            __ai-batch_parse_subcommand 1 'no-config' 'q/quiet' 'retries=' 'connect-timeout=' 'idle-timeout=' 'passphrase-fd=' 'version' 'h/help'
        case 'cancel'
            __ai-batch_parse_subcommand 1 'no-config' 'q/quiet' 'retries=' 'connect-timeout=' 'idle-timeout=' 'passphrase-fd=' 'version' 'h/help'
        case 'list'
            __ai-batch_parse_subcommand 0 'no-config' 'q/quiet' 'retries=' 'connect-timeout=' 'idle-timeout=' 'passphrase-fd=' 'version' 'h/help'
        case 'help'
            __ai-batch_parse_subcommand -r 1 'version'
        end
    end
end

function __ai-batch_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __ai-batch_parse_subcommand -S -a positional_count
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

function __ai-batch_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __ai-batch_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__ai-batch_tokens -p)
    if test -z "$(__ai-batch_tokens -t)"
        set -l index (count (__ai-batch_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'ai-batch' -f
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch" version' -l 'version' -d 'Show the version.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_positional "ai-batch" -eq 1' -fa 'submit' -d 'Submit the requests on stdin as a batch job.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_positional "ai-batch" -eq 1' -fa 'status' -d 'One line of the job\'s counts and state.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_positional "ai-batch" -eq 1' -fa 'wait' -d 'Wait for the job to end, then print its counts.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_positional "ai-batch" -eq 1' -fa 'results' -d 'Print every result line, in input order.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_positional "ai-batch" -eq 1' -fa 'cancel' -d 'Cancel the job\'s provider jobs.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_positional "ai-batch" -eq 1' -fa 'list' -d 'One line per job kept on this machine.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_positional "ai-batch" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" p provider' -l 'provider' -s 'p' -d 'Provider: openai, anthropic, or a config provider of those kinds (default: $AI_PROVIDER).' -rfka 'openai anthropic'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" m model' -l 'model' -s 'm' -d 'Model (default: $AI_MODEL, else the provider\'s default).' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" s system' -l 'system' -s 's' -d 'System prompt.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" t temperature' -s 't' -l 'temperature' -d 'Sampling temperature.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" max-tokens' -l 'max-tokens' -d 'Cap on generated tokens.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit"' -l 'stop' -d 'Stop sequence (repeatable).' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" base-url' -l 'base-url' -d 'Send the job to another server for the chosen provider.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" schema' -l 'schema' -d 'JSON Schema file the answers must meet, or the schema itself when it starts with \'{\' (adds "data").' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" schema-format-assert' -l 'schema-format-assert' -d 'Check the schema\'s \'format\' keywords, not only note them.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" input' -l 'input' -d 'Read stdin as auto, text, json or jsonl.' -rfka 'auto text json jsonl'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" n no-stdin' -s 'n' -l 'no-stdin' -d 'Never read stdin (for while-read loops).'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" no-config' -l 'no-config' -d 'Do not read the config file.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" retries' -l 'retries' -d 'Retries after a failed call to the provider (connection errors, 429, 5xx).' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" idle-timeout' -l 'idle-timeout' -d 'Seconds allowed between two received bytes.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" passphrase-fd' -l 'passphrase-fd' -d 'Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" version' -l 'version' -d 'Show the version.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch submit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch status" no-config' -l 'no-config' -d 'Do not read the config file.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch status" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch status" retries' -l 'retries' -d 'Retries after a failed call to the provider (connection errors, 429, 5xx).' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch status" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch status" idle-timeout' -l 'idle-timeout' -d 'Seconds allowed between two received bytes.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch status" passphrase-fd' -l 'passphrase-fd' -d 'Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch status" version' -l 'version' -d 'Show the version.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch wait" max-time' -l 'max-time' -d 'Give up after this many seconds (exit 75) if the job is still running.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch wait" no-config' -l 'no-config' -d 'Do not read the config file.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch wait" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch wait" retries' -l 'retries' -d 'Retries after a failed call to the provider (connection errors, 429, 5xx).' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch wait" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch wait" idle-timeout' -l 'idle-timeout' -d 'Seconds allowed between two received bytes.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch wait" passphrase-fd' -l 'passphrase-fd' -d 'Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch wait" version' -l 'version' -d 'Show the version.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch wait" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch results" no-config' -l 'no-config' -d 'Do not read the config file.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch results" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch results" retries' -l 'retries' -d 'Retries after a failed call to the provider (connection errors, 429, 5xx).' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch results" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch results" idle-timeout' -l 'idle-timeout' -d 'Seconds allowed between two received bytes.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch results" passphrase-fd' -l 'passphrase-fd' -d 'Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch results" version' -l 'version' -d 'Show the version.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch results" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch cancel" no-config' -l 'no-config' -d 'Do not read the config file.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch cancel" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch cancel" retries' -l 'retries' -d 'Retries after a failed call to the provider (connection errors, 429, 5xx).' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch cancel" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch cancel" idle-timeout' -l 'idle-timeout' -d 'Seconds allowed between two received bytes.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch cancel" passphrase-fd' -l 'passphrase-fd' -d 'Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch cancel" version' -l 'version' -d 'Show the version.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch cancel" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch list" no-config' -l 'no-config' -d 'Do not read the config file.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch list" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch list" retries' -l 'retries' -d 'Retries after a failed call to the provider (connection errors, 429, 5xx).' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch list" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch list" idle-timeout' -l 'idle-timeout' -d 'Seconds allowed between two received bytes.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch list" passphrase-fd' -l 'passphrase-fd' -d 'Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.' -rfka ''
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch list" version' -l 'version' -d 'Show the version.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-batch' -n '__ai-batch_should_offer_completions_for_flags_or_options "ai-batch help" version' -l 'version' -d 'Show the version.'
