function __ai-stream_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ai-stream_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __ai-stream_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ai-stream_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __ai-stream_parse_tokens -S
    set -l unparsed_tokens (__ai-stream_tokens -pc)
    switch $unparsed_tokens[1]
    case 'ai-stream'
        __ai-stream_parse_subcommand -r 1 'p/provider=' 'm/model=' 's/system=' 't/temperature=' 'max-tokens=' 'stop=+' 'a/attach=+' 'base-url=' 'no-config' 'input=' 'n/no-stdin' 'r/raw' 'q/quiet' 'retries=' 'connect-timeout=' 'idle-timeout=' 'max-time=' 'schema=' 'schema-format-assert' 'repair=' 'tool=+' 'mcp=+' 'max-steps=' 'approve' 'think=' 'c/conversation' 'passphrase-fd=' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __ai-stream_parse_subcommand -r 1 'version'
        end
    end
end

function __ai-stream_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __ai-stream_parse_subcommand -S -a positional_count
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

function __ai-stream_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __ai-stream_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__ai-stream_tokens -p)
    if test -z "$(__ai-stream_tokens -t)"
        set -l index (count (__ai-stream_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'ai-stream' -f
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" p provider' -l 'provider' -s 'p' -d 'Provider: ollama, openai, anthropic, echo, or one the config file names (default: $AI_PROVIDER, else ollama).' -rfka 'ollama openai anthropic echo'
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" m model' -l 'model' -s 'm' -d 'Model (default: $AI_MODEL, else the provider\'s default).' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" s system' -l 'system' -s 's' -d 'System prompt.' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" t temperature' -s 't' -l 'temperature' -d 'Sampling temperature.' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" max-tokens' -l 'max-tokens' -d 'Cap on generated tokens.' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream"' -l 'stop' -d 'Stop sequence (repeatable).' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream"' -l 'attach' -s 'a' -d 'Attach an image, PDF or text file, an http(s) URL, or \'-\' for stdin, to every request (repeatable).' -rF
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" base-url' -l 'base-url' -d 'Send this run to another server for the chosen provider.' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" no-config' -l 'no-config' -d 'Do not read the config file.'
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" input' -l 'input' -d 'Read stdin as auto, text, json or jsonl.' -rfka 'auto text json jsonl'
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" n no-stdin' -s 'n' -l 'no-stdin' -d 'Never read stdin (for while-read loops).'
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" r raw' -l 'raw' -s 'r' -d 'Print only the text, not JSON lines.'
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" retries' -l 'retries' -d 'Retries after a failed attempt (connection errors, 408, 409, 429, 5xx).' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" connect-timeout' -l 'connect-timeout' -d 'Seconds allowed to connect.' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" idle-timeout' -l 'idle-timeout' -d 'Seconds allowed between two received bytes.' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" max-time' -l 'max-time' -d 'Seconds allowed for the whole request (default: none).' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" schema' -l 'schema' -d 'JSON Schema file the answer must meet, or the schema itself when it starts with \'{\' (adds "data").' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" schema-format-assert' -l 'schema-format-assert' -d 'Check the schema\'s \'format\' keywords, not only note them.'
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" repair' -l 'repair' -d 'Send an answer that fails the schema back to be fixed, up to n times.' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream"' -l 'tool' -d 'Tool definition file: a command the model may call (repeatable; see TOOLS).' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream"' -l 'mcp' -d 'Start an MCP server from this command line (words, no shell) and offer its tools (repeatable).' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" max-steps' -l 'max-steps' -d 'Model calls one request may take while it calls tools (default: 10).' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" approve' -l 'approve' -d 'Ask on the terminal before each tool call; without a terminal, refuse it.'
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" think' -l 'think' -d 'Ask for reasoning: alone, or low, medium, high, a budget in tokens, off (--think=4096).' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" c conversation' -s 'c' -l 'conversation' -d 'Carry the whole conversation in "messages"; continue the conversations read on stdin.'
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" passphrase-fd' -l 'passphrase-fd' -d 'Unlock the key vault with the first line read from this descriptor (3 or more), e.g. 3<file.' -rfka ''
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" version' -l 'version' -d 'Show the version.'
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_positional "ai-stream" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'ai-stream' -n '__ai-stream_should_offer_completions_for_flags_or_options "ai-stream help" version' -l 'version' -d 'Show the version.'
