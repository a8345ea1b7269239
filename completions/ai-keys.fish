function __ai-keys_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ai-keys_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __ai-keys_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __ai-keys_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __ai-keys_parse_tokens -S
    set -l unparsed_tokens (__ai-keys_tokens -pc)
    switch $unparsed_tokens[1]
    case 'ai-keys'
        __ai-keys_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'init'
            __ai-keys_parse_subcommand 0 'vault=' 'passphrase-fd=' 'q/quiet' 'kdf-ops=' 'kdf-mem=' 'version' 'h/help'
        case 'set'
            __ai-keys_parse_subcommand 1 'vault=' 'passphrase-fd=' 'q/quiet' 'version' 'h/help'
        case 'get'
            __ai-keys_parse_subcommand 1 'reveal' 'vault=' 'passphrase-fd=' 'q/quiet' 'version' 'h/help'
        case 'rm'
            __ai-keys_parse_subcommand 1 'vault=' 'passphrase-fd=' 'q/quiet' 'version' 'h/help'
        case 'list'
            __ai-keys_parse_subcommand 0 'vault=' 'passphrase-fd=' 'q/quiet' 'version' 'h/help'
        case 'passwd'
            __ai-keys_parse_subcommand 0 'vault=' 'passphrase-fd=' 'q/quiet' 'new-passphrase-fd=' 'kdf-ops=' 'kdf-mem=' 'version' 'h/help'
        case 'agent'
            __ai-keys_parse_subcommand 0 'D' 'k' 'a/socket=' 'ttl=' 'idle-ttl=' 'vault=' 'q/quiet' 'version' 'h/help'
        case 'unlock'
            __ai-keys_parse_subcommand 0 'vault=' 'passphrase-fd=' 'q/quiet' 'ttl=' 'idle-ttl=' 'version' 'h/help'
        case 'lock'
            __ai-keys_parse_subcommand 0 'q/quiet' 'version' 'h/help'
        case 'status'
            __ai-keys_parse_subcommand 0 'vault=' 'passphrase-fd=' 'q/quiet' 'version' 'h/help'
        case 'audit'
            __ai-keys_parse_subcommand 0 'name=' 'n/last=' 'version' 'h/help'
        case 'exec'
            __ai-keys_parse_subcommand -r 2 'env=' 'vault=' 'passphrase-fd=' 'q/quiet' 'version' 'h/help'
        case 'help'
            __ai-keys_parse_subcommand -r 1 'version'
        end
    end
end

function __ai-keys_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __ai-keys_parse_subcommand -S -a positional_count
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

function __ai-keys_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __ai-keys_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__ai-keys_tokens -p)
    if test -z "$(__ai-keys_tokens -t)"
        set -l index (count (__ai-keys_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'ai-keys' -f
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'init' -d 'Create an empty vault protected by a new passphrase.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'set' -d 'Store a key, read from stdin when piped, else typed without echo.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'get' -d 'Print one key, for scripts (from the agent when unlocked).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'rm' -d 'Remove a key.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'list' -d 'List keys as JSON lines: name, fingerprint, created, updated (never the key).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'passwd' -d 'Change the passphrase (and the data key under it).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'agent' -d 'Start the unlock agent and print its environment (like ssh-agent -s).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'unlock' -d 'Unlock the running agent with the vault\'s passphrase.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'lock' -d 'Make the agent forget its key now.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'status' -d 'Print the agent\'s state as a JSON line; exit 1 when locked.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'audit' -d 'Print the audit log: one JSON line per key access.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'exec' -d 'Run a command with one key in its environment.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_positional "ai-keys" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys init" vault' -l 'vault' -d 'The vault file (default: $AI_VAULT, else $XDG_DATA_HOME/ai/vault).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys init" passphrase-fd' -l 'passphrase-fd' -d 'Read the passphrase\'s first line from this descriptor (3 or more; never stdin), e.g. 3<file.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys init" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys init" kdf-ops' -l 'kdf-ops' -d 'Argon2id passes, 1 to 16.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys init" kdf-mem' -l 'kdf-mem' -d 'Argon2id memory in MiB, 8 to 4096.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys init" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys set" vault' -l 'vault' -d 'The vault file (default: $AI_VAULT, else $XDG_DATA_HOME/ai/vault).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys set" passphrase-fd' -l 'passphrase-fd' -d 'Read the passphrase\'s first line from this descriptor (3 or more; never stdin), e.g. 3<file.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys set" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys set" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys get" reveal' -l 'reveal' -d 'Print the key even when stdout is a terminal.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys get" vault' -l 'vault' -d 'The vault file (default: $AI_VAULT, else $XDG_DATA_HOME/ai/vault).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys get" passphrase-fd' -l 'passphrase-fd' -d 'Read the passphrase\'s first line from this descriptor (3 or more; never stdin), e.g. 3<file.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys get" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys get" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys rm" vault' -l 'vault' -d 'The vault file (default: $AI_VAULT, else $XDG_DATA_HOME/ai/vault).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys rm" passphrase-fd' -l 'passphrase-fd' -d 'Read the passphrase\'s first line from this descriptor (3 or more; never stdin), e.g. 3<file.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys rm" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys rm" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys list" vault' -l 'vault' -d 'The vault file (default: $AI_VAULT, else $XDG_DATA_HOME/ai/vault).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys list" passphrase-fd' -l 'passphrase-fd' -d 'Read the passphrase\'s first line from this descriptor (3 or more; never stdin), e.g. 3<file.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys list" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys list" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys passwd" vault' -l 'vault' -d 'The vault file (default: $AI_VAULT, else $XDG_DATA_HOME/ai/vault).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys passwd" passphrase-fd' -l 'passphrase-fd' -d 'Read the passphrase\'s first line from this descriptor (3 or more; never stdin), e.g. 3<file.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys passwd" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys passwd" new-passphrase-fd' -l 'new-passphrase-fd' -d 'Read the new passphrase\'s first line from this descriptor (3 or more).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys passwd" kdf-ops' -l 'kdf-ops' -d 'Argon2id passes, 1 to 16.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys passwd" kdf-mem' -l 'kdf-mem' -d 'Argon2id memory in MiB, 8 to 4096.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys passwd" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys passwd" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys agent" D' -s 'D' -d 'Stay in the foreground and log to stderr.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys agent" k' -s 'k' -d 'Stop the agent named by AI_KEYS_AGENT_PID.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys agent" a socket' -s 'a' -l 'socket' -d 'The socket (default: $AI_KEYS_SOCK, else $XDG_RUNTIME_DIR/ai-keys/agent.sock).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys agent" ttl' -l 'ttl' -d 'Lock this long after an unlock, e.g. 90m, 8h; 0: never.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys agent" idle-ttl' -l 'idle-ttl' -d 'Lock after this long without a request; 0: never.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys agent" vault' -l 'vault' -d 'The vault (default: $AI_VAULT, else $XDG_DATA_HOME/ai/vault).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys agent" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys agent" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys agent" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys unlock" vault' -l 'vault' -d 'The vault file (default: $AI_VAULT, else $XDG_DATA_HOME/ai/vault).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys unlock" passphrase-fd' -l 'passphrase-fd' -d 'Read the passphrase\'s first line from this descriptor (3 or more; never stdin), e.g. 3<file.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys unlock" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys unlock" ttl' -l 'ttl' -d 'Lock after this long (at most the agent\'s --ttl), e.g. 8h.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys unlock" idle-ttl' -l 'idle-ttl' -d 'Lock after this long unused (at most the agent\'s --idle-ttl).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys unlock" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys unlock" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys lock" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys lock" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys lock" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys status" vault' -l 'vault' -d 'The vault file (default: $AI_VAULT, else $XDG_DATA_HOME/ai/vault).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys status" passphrase-fd' -l 'passphrase-fd' -d 'Read the passphrase\'s first line from this descriptor (3 or more; never stdin), e.g. 3<file.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys status" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys status" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys audit" name' -l 'name' -d 'Only the lines about this key.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys audit" last n' -s 'n' -l 'last' -d 'Only the last N lines.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys audit" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys audit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys exec" env' -l 'env' -d 'The variable to set.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys exec" vault' -l 'vault' -d 'The vault file (default: $AI_VAULT, else $XDG_DATA_HOME/ai/vault).' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys exec" passphrase-fd' -l 'passphrase-fd' -d 'Read the passphrase\'s first line from this descriptor (3 or more; never stdin), e.g. 3<file.' -rfka ''
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys exec" q quiet' -l 'quiet' -s 'q' -d 'Silence warnings (never errors).'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys exec" version' -l 'version' -d 'Show the version.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys exec" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'ai-keys' -n '__ai-keys_should_offer_completions_for_flags_or_options "ai-keys help" version' -l 'version' -d 'Show the version.'
