# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tokenctl_global_optspecs
    string join \n server= token= profile= o/output= color= ca-cert= h/help V/version
end

function __fish_tokenctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tokenctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tokenctl_using_subcommand
    set -l cmd (__fish_tokenctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tokenctl -n "__fish_tokenctl_needs_command" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_needs_command" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_needs_command" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_needs_command" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_needs_command" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -s V -l version -d 'Print version'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "server" -d 'Run the control plane: database, admin API, audit log'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "gateway" -d 'Run the self-hosted gateway: verify tokens, inject upstream credentials, proxy'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "dev" -d 'Start a local server and gateway on SQLite, bootstrapped, with a `dev` profile'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "login" -d 'Store an admin credential for a server (OS keyring, or --store file)'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "logout" -d 'Forget the stored credential of a profile'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "status" -d 'Show the server, your identity and where your credential lives'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "whoami" -d 'Show who the credential belongs to and your team roles'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "token" -d 'Issue, list, show, update, rotate and revoke API tokens'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "route" -d 'Routes: path prefixes, their upstreams and upstream auth'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "secret" -d 'Upstream secrets, encrypted at rest and never shown again'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "team" -d 'Teams and their members'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "user" -d 'Users (operators) and invitations'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "credential" -d 'Your admin credentials'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "audit" -d 'The audit log of every change'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "usage" -d 'Usage reports: calls, errors, latency, trends (tables and sparklines)'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "price" -d 'Model prices in USD per million tokens, for the costs in usage reports'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "overview" -d 'The dashboard: counts, tokens per team, tokens expiring soon, recent activity'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "health" -d 'The server\'s (and gateways\') detailed health; exits 1 when degraded'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "search" -d 'Find tokens, routes, teams and users you may see'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "gateway-key" -d 'Credentials for gateways (`tokenctl gateway`, the Cloudflare Worker)'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "sync" -d 'The Cloudflare KV copy the Worker reads: status, push, export'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "webhook" -d 'Signed webhooks: tokens expiring, KV sync failing, roll-ups lagging, route errors'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, powershell)'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "man" -d 'Print manual pages (roff), or write them all into a directory'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "version" -d 'Show the version, git commit and build date (`-o json` for scripts)'
complete -c tokenctl -n "__fish_tokenctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l config -d 'TOML file of settings, keyed by the long flag names (see below); flags and variables beat it' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l database-url -d 'sqlite://PATH (created if missing) or postgres://USER@HOST/DB' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l listen -d 'Address to listen on' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l master-key -d 'Master key encrypting upstream secrets: 64 hex characters (32 bytes), e.g. from `openssl rand -hex 32`. Without one the server cannot store secrets. Prefer --master-key-file' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l master-key-file -d 'File holding the master key (e.g. a systemd credential)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l usage-retention -d 'How long raw usage events are kept (rollups are kept longer: per-minute 7d, per-hour 180d, per-day 2 years)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l header-read-timeout -d 'Longest a client may take to send a request\'s headers, or its first request on a new connection; slower clients are disconnected' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l keep-alive-timeout -d 'A connection with no traffic for this long is closed (a request in flight is finished first)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l max-connections -d 'Most connections open at once; at the limit the connection idle longest without a request in flight is closed to make room [default: derived from the file-descriptor limit]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l trusted-proxy -d 'A reverse proxy in front of the server (TLS terminator, load balancer), as an address or CIDR; repeat for several. Only requests from these peers have their Forwarded / X-Forwarded-For headers believed, for the client address in the audit log. Without it the TCP peer is the client' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l max-credential-ttl -d 'Longest lifetime of any new admin credential (`credential create`, `user create`, enrolment), e.g. 30d. A longer --expires is refused; a credential created without one gets this. Default: no limit' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l bootstrap-ttl -d 'How long the bootstrap credential (the first admin\'s, made on an empty database) lives, or `never` [default: 24h, or --max-credential-ttl if that is shorter]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l data-dir -d 'Where the server writes files of its own: a generated bootstrap credential, when stderr is not a terminal [default: the SQLite database\'s directory; with PostgreSQL, the working directory]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l log-format -d 'Log format' -r -f -a "text\t''
json\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l log-filter -d 'Which log lines to write: a level (`warn`) or a filter such as `info,tokenctl=debug`' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l bootstrap-token -d 'Admin credential (tkc_…, from `tokenctl credential generate`) for the first user on an empty database; ignored once a user exists. Prefer --bootstrap-token-file' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l bootstrap-token-file -d 'File holding the bootstrap credential' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l tls-cert -d 'Serve HTTPS with this PEM certificate chain (leaf first); needs --tls-key. Reloaded on SIGHUP' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l tls-key -d 'The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l metrics-listen -d 'Serve Prometheus metrics at http://ADDR/metrics (plain HTTP, on a listener of its own); see the operator guide for the list. Off unless given' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l cf-account-id -d 'Cloudflare account id. KV sync is on when this, the API token and the namespace id are all given' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l cf-api-token -d 'Cloudflare API token with the Workers KV Storage Write permission. Prefer --cf-api-token-file' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l cf-api-token-file -d 'File holding the Cloudflare API token' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l cf-kv-namespace-id -d 'The KV namespace the Worker reads (dedicated to tokenctl)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l cf-api-base-url -d 'Cloudflare API base URL' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l kv-timeout -d 'Timeout of each request to Cloudflare, 100ms to 5m' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l edge-key -d 'Edge key sealing upstream secrets for the Worker, which holds the same key: 64 hex characters (32 bytes). Without it secrets are not written to KV. Prefer --edge-key-file' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l edge-key-file -d 'File holding the edge key' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l webhook-scan-interval -d 'How often the server looks for webhook events, 1s to 1h' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l webhook-token-expiry-warnings -d '`token.expiring` fires this long before a token expires, once per warning (the nearest warning only, for a token created inside one)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l webhook-kv-failing-after -d '`kvsync.failing` fires once the KV sync has failed for this long, 1s to 7d' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l webhook-rollup-lag-after -d '`usage.rollup_lagging` fires once the oldest usage event waiting for the roll-up is this old, 1s to 7d' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l webhook-error-rate-window -d '`route.error_rate` compares the 5xx share of this last window with each route\'s --alert-error-rate, 1s to 7d' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -l allow-metadata-upstreams -d 'Accept routes whose upstream is a cloud metadata service (169.254.169.254, fd00:ec2::254, …); refused otherwise'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand server" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l config -d 'TOML file of settings, keyed by the long flag names (see below); flags and variables beat it' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l key -d 'Gateway key (tkg_…) from `tokenctl gateway-key create`; this or --key-file is required. Prefer --key-file: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l key-file -d 'File holding the gateway key (e.g. a systemd credential)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l listen -d 'Address to listen on' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l state-dir -d 'Directory for the encrypted config snapshot and the usage spool' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l spool-max -d 'Most disk the usage spool may use (e.g. 512MiB, 2GB). When it is full, events of denied requests are dropped first (they may fill 90%), then events of allowed ones; drops are counted in /_gateway/health' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l max-stale -d 'Once the server has not confirmed the config for this long (it is unreachable), answer 503 config_stale instead of deciding on old data: a token revoked during the outage stops passing at the latest then. `never` keeps serving the last config however old it gets' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l header-read-timeout -d 'Longest a client may take to send a request\'s headers, or its first request on a new connection; slower clients are disconnected' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l keep-alive-timeout -d 'A connection with no traffic for this long is closed (a request in flight is finished first)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l max-connections -d 'Most client connections open at once; at the limit the connection idle longest without a request in flight is closed to make room [default: derived from the file-descriptor limit, two per connection]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l workers -d 'Threads serving clients, 1 to 1024: each runs a runtime of its own and, with more than one, accepts on a socket of its own bound to --listen with SO_REUSEPORT, so a request stays on one thread [default: the number of CPUs the process may run on]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l trusted-proxy -d 'A reverse proxy in front of the gateway (TLS terminator, load balancer), as an address or CIDR; repeat for several. Only requests from these peers have their Forwarded / X-Forwarded-For / X-Forwarded-Proto believed, for IP allow-lists, usage and the headers sent upstream. Without it the TCP peer is the client' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l log-format -d 'Log format' -r -f -a "text\t''
json\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l log-filter -d 'Which log lines to write: a level (`warn`) or a filter such as `info,tokenctl=debug`' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l tls-cert -d 'Serve clients HTTPS with this PEM certificate chain (leaf first); needs --tls-key. Reloaded on SIGHUP' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l tls-key -d 'The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l metrics-listen -d 'Serve Prometheus metrics at http://ADDR/metrics (plain HTTP, on a listener of its own); see docs/gateway.md for the list. Off unless given' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l data-dir -d 'Where the database, master key and credential live' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l listen -d 'Server address' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l gateway-listen -d 'Gateway address' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l cf-account-id -d 'Cloudflare account id. KV sync is on when this, the API token and the namespace id are all given' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l cf-api-token -d 'Cloudflare API token with the Workers KV Storage Write permission. Prefer --cf-api-token-file' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l cf-api-token-file -d 'File holding the Cloudflare API token' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l cf-kv-namespace-id -d 'The KV namespace the Worker reads (dedicated to tokenctl)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l cf-api-base-url -d 'Cloudflare API base URL' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l kv-timeout -d 'Timeout of each request to Cloudflare, 100ms to 5m' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l edge-key -d 'Edge key sealing upstream secrets for the Worker, which holds the same key: 64 hex characters (32 bytes). Without it secrets are not written to KV. Prefer --edge-key-file' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l edge-key-file -d 'File holding the edge key' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -s v -l verbose -d 'Log every request (and other INFO lines) too, not only warnings'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand dev" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand login" -l store -d 'Where to keep the credential' -r -f -a "keyring\t'The OS keyring (macOS Keychain, Windows Credential Manager, Secret Service)'
file\t'A file only you can read (mode 0600)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand login" -l credential-file -d 'File for `--store file` [default: <config dir>/credentials/<profile>]' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand login" -l enrol -d 'Join with a one-time enrolment code from `tokenctl user invite` instead of an existing credential' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand login" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand login" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand login" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand login" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand login" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand login" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand logout" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand logout" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand logout" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand logout" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand logout" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand logout" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand status" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand status" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand status" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand status" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand status" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand whoami" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand whoami" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand whoami" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand whoami" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand whoami" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand whoami" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand whoami" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -f -a "create" -d 'Issue a token; its secret is printed once and never again'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -f -a "list" -d 'List tokens, by name, a page at a time'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -f -a "show" -d 'Show one token: status, masked secret, scopes, last use, rotation grace, quotas with what is used and left this period. Given a token\'s own secret (`ntk_…`), finds the token it belongs to'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -f -a "update" -d 'Change a token\'s name, description, scopes, expiry, IP allow-list, rate limit, quotas or budget'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -f -a "revoke" -d 'Revoke a token (it stays listed with status `revoked`, for audit and usage history)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -f -a "rotate" -d 'Give a token a new secret, keeping its id, scopes and history'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and not __fish_seen_subcommand_from create list show update revoke rotate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l name -d 'Unique within the team: letters, digits, `.`, `_`, `-`' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l scope -d '`*`, a route name or `tag:TAG`; repeat for several' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l team -d 'Team name or id [default: your team, if you belong to exactly one]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l expires -d '30d, 12h, 2027-01-31, an RFC 3339 time, or never' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l description -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l allow-ip -d 'Only accept calls from these addresses or CIDRs; repeat for several' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l rate -d 'Rate limit N/PERIOD, e.g. 100/1m' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l quota -d 'Requests per calendar period (UTC): N/hour, N/day or N/month, e.g. 100/day' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l quota-tokens -d 'LLM tokens (input plus output) per calendar period, e.g. 2000000/month' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l budget -d 'USD the token\'s LLM calls may cost per calendar period, at the model prices in force (`tokenctl price set`), e.g. 25/month or 0.50/day' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -l allow-unknown-scope -d 'Accept scopes that name no existing route or tag'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -l team -d 'Only this team (name or id)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -l status -r -f -a "active\t''
expired\t''
revoked\t''
all\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -l limit -d 'Print at most N rows (fetched a page at a time) [default: 100]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -l page-size -d 'Rows per request to the server (1-1000)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -l cursor -d 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -l all -d 'Print every row, page by page as they arrive'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from show" -l team -d 'Look the name up in this team' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from show" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from show" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from show" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from show" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from show" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l team -d 'Look the name up in this team' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l name -d 'New name' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l description -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l scope -d 'Replace all scopes (repeat for several)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l add-scope -d 'Add a scope (repeatable)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l remove-scope -d 'Remove a scope (repeatable); one the token does not have is refused' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l expires -d 'New expiry: 30d, 2027-01-31, an RFC 3339 time, or never' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l allow-ip -d 'Replace the IP allow-list (repeatable)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l rate -d 'New rate limit N/PERIOD, or `none`' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l quota -d 'Requests per calendar period (UTC), e.g. 100/day, or `none`' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l quota-tokens -d 'LLM tokens per calendar period, e.g. 2000000/month, or `none`' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l budget -d 'USD of LLM calls per calendar period, e.g. 25/month, or `none`' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l allow-any-ip -d 'Remove the IP allow-list'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -l allow-unknown-scope
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l team -d 'Look the name up in this team' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -s y -l yes -d 'Do not ask for confirmation (it is only asked on a terminal)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from rotate" -l team -d 'Look the name up in this team' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from rotate" -l grace -d 'How long the old secret keeps working, e.g. 1h [default: it stops now]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from rotate" -l idempotency-key -d 'A random key (e.g. from uuidgen) that makes retries by this credential, within 24h, return the same new secret instead of minting again' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from rotate" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from rotate" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from rotate" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from rotate" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from rotate" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from rotate" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from rotate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "create" -d 'Issue a token; its secret is printed once and never again'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "list" -d 'List tokens, by name, a page at a time'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one token: status, masked secret, scopes, last use, rotation grace, quotas with what is used and left this period. Given a token\'s own secret (`ntk_…`), finds the token it belongs to'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a token\'s name, description, scopes, expiry, IP allow-list, rate limit, quotas or budget'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke a token (it stays listed with status `revoked`, for audit and usage history)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "rotate" -d 'Give a token a new secret, keeping its id, scopes and history'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand token; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -f -a "add" -d 'Add a route: a path prefix on the gateway forwarded to an upstream'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -f -a "list" -d 'List routes, by name, a page at a time'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -f -a "show" -d 'Show a route by name, id or path, with a sample `curl` call through a gateway'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -f -a "tags" -d 'List the tags in use, with the routes carrying each (for `tag:` scopes)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -f -a "update" -d 'Change a route; renaming it renames it in the scopes of its tokens'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -f -a "remove" -d 'Remove a route (refused while tokens scope it by name, unless --force)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -f -a "grant" -d 'Let teams\' tokens use a route (or every team\'s, with --all-teams)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -f -a "ungrant" -d 'Stop teams\' tokens from using a route; their calls to it get 403 scope_denied'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and not __fish_seen_subcommand_from add list show tags update remove grant ungrant help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l path -d 'Path prefix on the gateway, e.g. /api/openai' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l upstream -d 'Absolute http(s) base URL of the upstream' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l tag -d 'Tag for `tag:TAG` scopes (repeatable)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l auth -d 'none, bearer:SECRET, header:HEADER-NAME:SECRET or basic:USER-SECRET:PASS-SECRET' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l timeout -d 'Upstream timeout' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l description -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l team -d 'A team whose tokens may use the route (repeatable)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l llm -d 'The upstream is an LLM API: record the model and token counts of its calls (openai, anthropic, none)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l all-teams -d 'Let every team\'s tokens use the route'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -l private-upstream -d 'Approve the route for private addresses even where the server cannot resolve its upstream (system admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from list" -l limit -d 'Print at most N rows (fetched a page at a time) [default: 100]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from list" -l page-size -d 'Rows per request to the server (1-1000)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from list" -l cursor -d 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from list" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from list" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from list" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from list" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from list" -l all -d 'Print every row, page by page as they arrive'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from show" -l gateway -d 'Gateway base URL for the sample call' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from show" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from show" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from show" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from show" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from show" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from tags" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from tags" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from tags" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from tags" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from tags" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from tags" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from tags" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l name -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l path -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l upstream -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l tag -d 'Replace all tags (repeatable)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l add-tag -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l remove-tag -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l auth -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l timeout -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l description -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l alert-error-rate -d 'Send the `route.error_rate` webhook event when the share of 5xx answers in a window is above this (0.2 is 20 %); `none` stops it' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l llm -d 'Mark the upstream as an LLM API (openai, anthropic) whose token counts are recorded, or not (none)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -l private-upstream -d 'Approve the route for private addresses even where the server cannot resolve its upstream (system admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from remove" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from remove" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from remove" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from remove" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from remove" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from remove" -l force -d 'Remove even if tokens scope it by name; that scope is dropped from them, and tokens left with no scope are revoked'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (it is only asked on a terminal)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from grant" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from grant" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from grant" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from grant" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from grant" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from grant" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from grant" -l all-teams -d 'Every team'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from grant" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from ungrant" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from ungrant" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from ungrant" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from ungrant" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from ungrant" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from ungrant" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from ungrant" -l all-teams -d 'Every team'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from ungrant" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a route: a path prefix on the gateway forwarded to an upstream'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "list" -d 'List routes, by name, a page at a time'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a route by name, id or path, with a sample `curl` call through a gateway'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "tags" -d 'List the tags in use, with the routes carrying each (for `tag:` scopes)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a route; renaming it renames it in the scopes of its tokens'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a route (refused while tokens scope it by name, unless --force)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "grant" -d 'Let teams\' tokens use a route (or every team\'s, with --all-teams)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "ungrant" -d 'Stop teams\' tokens from using a route; their calls to it get 403 scope_denied'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand route; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and not __fish_seen_subcommand_from set list remove help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and not __fish_seen_subcommand_from set list remove help" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and not __fish_seen_subcommand_from set list remove help" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and not __fish_seen_subcommand_from set list remove help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and not __fish_seen_subcommand_from set list remove help" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and not __fish_seen_subcommand_from set list remove help" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and not __fish_seen_subcommand_from set list remove help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and not __fish_seen_subcommand_from set list remove help" -f -a "set" -d 'Store or replace an upstream secret (encrypted at rest; never shown again) and the hosts it may be sent to'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and not __fish_seen_subcommand_from set list remove help" -f -a "list" -d 'List secrets: names, fingerprints, who set them and when. Never values'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and not __fish_seen_subcommand_from set list remove help" -f -a "remove" -d 'Remove a secret (refused while a route uses it)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and not __fish_seen_subcommand_from set list remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l from-env -d 'Read the value from this environment variable' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l from-file -d 'Read the value from this file (a trailing newline is dropped)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l host -d 'A host the secret may be sent to: api.openai.com or *.example.com (repeatable; replaces the list)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from set" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from set" -l keep-value -d 'Change only the hosts and keep the stored value'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from list" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from list" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from list" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from list" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from remove" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from remove" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from remove" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from remove" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from remove" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (it is only asked on a terminal)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "set" -d 'Store or replace an upstream secret (encrypted at rest; never shown again) and the hosts it may be sent to'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "list" -d 'List secrets: names, fingerprints, who set them and when. Never values'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a secret (refused while a route uses it)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand secret; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -f -a "create" -d 'Create a team (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -f -a "list" -d 'List the teams you can see, with their members and active tokens, by name, a page at a time'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -f -a "show" -d 'Show a team and its members'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -f -a "update" -d 'Rename a team or change its description (team admins), or its quotas and budget (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -f -a "delete" -d 'Delete a team (team admins); refused while it has tokens that are not revoked'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -f -a "member" -d 'Add, change or remove team members'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and not __fish_seen_subcommand_from create list show update delete member help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from create" -l description -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from create" -l admin -d 'A user (name or id) to make the team\'s first admin' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from create" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from create" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from create" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from create" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from create" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from list" -l limit -d 'Print at most N rows (fetched a page at a time) [default: 100]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from list" -l page-size -d 'Rows per request to the server (1-1000)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from list" -l cursor -d 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from list" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from list" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from list" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from list" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from list" -l all -d 'Print every row, page by page as they arrive'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from show" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from show" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from show" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from show" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from show" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from update" -l name -d 'New name' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from update" -l description -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from update" -l quota -d 'Requests of all the team\'s tokens per calendar period (UTC), e.g. 50000/month, or `none`' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from update" -l quota-tokens -d 'LLM tokens of the team per calendar period, e.g. 20000000/month, or `none`' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from update" -l budget -d 'USD the LLM calls of all the team\'s tokens may cost per calendar period, e.g. 500/month, or `none`' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from update" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from update" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from update" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from update" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from update" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from delete" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from delete" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from delete" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from delete" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from delete" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from delete" -l revoke-tokens -d 'Revoke the team\'s tokens with it, in the same transaction'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (it is only asked on a terminal)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from member" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from member" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from member" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from member" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from member" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from member" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from member" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from member" -f -a "add" -d 'Add a user to a team with a role'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from member" -f -a "set-role" -d 'Change a member\'s role'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from member" -f -a "remove" -d 'Remove a member from a team'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from member" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a team (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the teams you can see, with their members and active tokens, by name, a page at a time'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a team and its members'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from help" -f -a "update" -d 'Rename a team or change its description (team admins), or its quotas and budget (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a team (team admins); refused while it has tokens that are not revoked'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from help" -f -a "member" -d 'Add, change or remove team members'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand team; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -f -a "create" -d 'Create a user (global admins); prints their first credential once'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -f -a "list" -d 'List the users you can see, with when they were last active'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -f -a "show" -d 'Show a user and their team roles'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -f -a "update" -d 'Change a user\'s e-mail or global-admin flag (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -f -a "disable" -d 'Disable a user: their credentials stop working at once (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -f -a "enable" -d 'Enable a disabled user again (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -f -a "invite" -d 'Invite someone: prints a one-time code for `tokenctl login --enrol CODE`'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -f -a "invitations" -d 'List invitations (yours; all for global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -f -a "uninvite" -d 'Revoke an unused invitation by id'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and not __fish_seen_subcommand_from create list show update disable enable invite invitations uninvite help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from create" -l email -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from create" -l role -d 'TEAM:ROLE (repeatable), e.g. platform:developer' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from create" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from create" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from create" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from create" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from create" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from create" -l global-admin -d 'Make the user a global admin'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from list" -l limit -d 'Print at most N rows (fetched a page at a time) [default: 100]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from list" -l page-size -d 'Rows per request to the server (1-1000)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from list" -l cursor -d 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from list" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from list" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from list" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from list" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from list" -l all -d 'Print every row, page by page as they arrive'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from show" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from show" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from show" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from show" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from show" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from update" -l email -d 'New e-mail; an empty string clears it' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from update" -l global-admin -r -f -a "true\t''
false\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from update" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from update" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from update" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from update" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from update" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from disable" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from disable" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from disable" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from disable" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from disable" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from disable" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from disable" -s y -l yes -d 'Do not ask for confirmation (it is only asked on a terminal)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from enable" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from enable" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from enable" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from enable" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from enable" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from enable" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invite" -l name -d 'User name for the new user [default: the e-mail\'s local part]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invite" -l role -d 'TEAM:ROLE (repeatable)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invite" -l expires -d 'How long the code works, e.g. 24h or 7d' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invite" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invite" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invite" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invite" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invite" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invite" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invite" -l global-admin
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invite" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invitations" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invitations" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invitations" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invitations" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invitations" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invitations" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from invitations" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from uninvite" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from uninvite" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from uninvite" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from uninvite" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from uninvite" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from uninvite" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from uninvite" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a user (global admins); prints their first credential once'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the users you can see, with when they were last active'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show a user and their team roles'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a user\'s e-mail or global-admin flag (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Disable a user: their credentials stop working at once (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Enable a disabled user again (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "invite" -d 'Invite someone: prints a one-time code for `tokenctl login --enrol CODE`'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "invitations" -d 'List invitations (yours; all for global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "uninvite" -d 'Revoke an unused invitation by id'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and not __fish_seen_subcommand_from generate create list revoke help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and not __fish_seen_subcommand_from generate create list revoke help" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and not __fish_seen_subcommand_from generate create list revoke help" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and not __fish_seen_subcommand_from generate create list revoke help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and not __fish_seen_subcommand_from generate create list revoke help" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and not __fish_seen_subcommand_from generate create list revoke help" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and not __fish_seen_subcommand_from generate create list revoke help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and not __fish_seen_subcommand_from generate create list revoke help" -f -a "generate" -d 'Print a fresh random credential without contacting a server (for TOKENCTL_BOOTSTRAP_TOKEN)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and not __fish_seen_subcommand_from generate create list revoke help" -f -a "create" -d 'Create another credential for yourself, e.g. one that expires for a CI job. It expires no later than the credential you create it with'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and not __fish_seen_subcommand_from generate create list revoke help" -f -a "list" -d 'List your credentials'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and not __fish_seen_subcommand_from generate create list revoke help" -f -a "revoke" -d 'Revoke one of your credentials by name or id'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and not __fish_seen_subcommand_from generate create list revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from generate" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from generate" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from generate" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from generate" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from generate" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from generate" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from create" -l expires -d '30d, 12h, 2027-01-31, an RFC 3339 time, or never; no later than the credential you use [default: the same expiry as the credential you use, capped by the server\'s --max-credential-ttl]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from create" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from create" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from create" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from create" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from create" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from list" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from list" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from list" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from list" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from revoke" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from revoke" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from revoke" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from revoke" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from revoke" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from revoke" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from help" -f -a "generate" -d 'Print a fresh random credential without contacting a server (for TOKENCTL_BOOTSTRAP_TOKEN)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create another credential for yourself, e.g. one that expires for a CI job. It expires no later than the credential you create it with'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from help" -f -a "list" -d 'List your credentials'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke one of your credentials by name or id'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand credential; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and not __fish_seen_subcommand_from list help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'List audit entries, newest first, a page at a time'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l since -d '24h, 7d, a date or an RFC 3339 time' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l until -d 'Same forms as --since' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l actor -d 'User name of the actor' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l action -d 'An action (token.create), or every action of a resource (token.*)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l target-type -d 'token, route, secret, credential, …' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l target -d 'Target id or name' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l team -d 'Team name or id' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l limit -d 'Print at most N rows (fetched a page at a time) [default: 100]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l page-size -d 'Rows per request to the server (1-1000)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l cursor -d 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -l all -d 'Print every row, page by page as they arrive'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "list" -d 'List audit entries, newest first, a page at a time'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -l since -d 'Start: 1h, 24h, 7d, 30d, a date or an RFC 3339 time' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -l until -d 'End: same forms [default: now]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -l team -d 'Only this team' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -l interval -d 'Refresh interval for --watch' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -l watch -d 'Redraw every --interval until Ctrl-C'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -f -a "tokens" -d 'One row per token: calls, errors, success, p95, last used, trend'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -f -a "routes" -d 'One row per route: calls, errors, success, p95, last used, trend'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -f -a "token" -d 'One token: totals, timeline, by route, by status, recent calls'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -f -a "route" -d 'One route: totals, latency trend, top tokens, recent calls'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -f -a "recent" -d 'The most recent calls'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and not __fish_seen_subcommand_from tokens routes token route recent help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l since -d 'Start: 1h, 24h, 7d, 30d, a date or an RFC 3339 time' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l until -d 'End: same forms [default: now]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l team -d 'Only this team' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l sort -d 'calls, errors, p95, name or last_used' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l limit -d 'Print at most N rows (fetched a page at a time) [default: 100]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l page-size -d 'Rows per request to the server (1-1000)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l cursor -d 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l interval -d 'Refresh interval for --watch' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l all -d 'Print every row, page by page as they arrive'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -l watch -d 'Redraw every --interval until Ctrl-C'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from tokens" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l since -d 'Start: 1h, 24h, 7d, 30d, a date or an RFC 3339 time' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l until -d 'End: same forms [default: now]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l team -d 'Only this team' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l sort -d 'calls, errors, p95, name or last_used' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l limit -d 'Print at most N rows (fetched a page at a time) [default: 100]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l page-size -d 'Rows per request to the server (1-1000)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l cursor -d 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l interval -d 'Refresh interval for --watch' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l all -d 'Print every row, page by page as they arrive'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -l watch -d 'Redraw every --interval until Ctrl-C'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from routes" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -l since -d 'Start: 1h, 24h, 7d, 30d, a date or an RFC 3339 time' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -l until -d 'End: same forms [default: now]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -l team -d 'Only this team' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -l recent -d 'Recent calls to show' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -l interval -d 'Refresh interval for --watch' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -l watch -d 'Redraw every --interval until Ctrl-C'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -l since -d 'Start: 1h, 24h, 7d, 30d, a date or an RFC 3339 time' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -l until -d 'End: same forms [default: now]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -l team -d 'Only this team' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -l recent -d 'Recent calls to show' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -l interval -d 'Refresh interval for --watch' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -l watch -d 'Redraw every --interval until Ctrl-C'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from route" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -l limit -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -l api-token -d 'Only the calls of this API token (id or name). Not `--token`: that is the admin credential of every command' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -l route -d 'Route name, id or path' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -l status -d 'Only this HTTP status' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -l team -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -l interval -d 'Refresh interval for --watch' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -l watch -d 'Redraw every --interval until Ctrl-C'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from recent" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "tokens" -d 'One row per token: calls, errors, success, p95, last used, trend'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "routes" -d 'One row per route: calls, errors, success, p95, last used, trend'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "token" -d 'One token: totals, timeline, by route, by status, recent calls'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "route" -d 'One route: totals, latency trend, top tokens, recent calls'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "recent" -d 'The most recent calls'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand usage; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and not __fish_seen_subcommand_from set list history help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and not __fish_seen_subcommand_from set list history help" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and not __fish_seen_subcommand_from set list history help" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and not __fish_seen_subcommand_from set list history help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and not __fish_seen_subcommand_from set list history help" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and not __fish_seen_subcommand_from set list history help" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and not __fish_seen_subcommand_from set list history help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and not __fish_seen_subcommand_from set list history help" -f -a "set" -d 'Set a model\'s price in USD per million input and output tokens'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and not __fish_seen_subcommand_from set list history help" -f -a "list" -d 'List the priced models, each with its price in force now'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and not __fish_seen_subcommand_from set list history help" -f -a "history" -d 'Show a model\'s prices, newest first'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and not __fish_seen_subcommand_from set list history help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from set" -l in -d 'USD per million input tokens, e.g. 2.50' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from set" -l out -d 'USD per million output tokens, e.g. 10' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from set" -l from -d 'From when the price applies: a date or an RFC 3339 time (default: now)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from set" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from set" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from set" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from set" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from set" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from set" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from list" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from list" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from list" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from list" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from history" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from history" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from history" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from history" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from history" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from history" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set a model\'s price in USD per million input and output tokens'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the priced models, each with its price in force now'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from help" -f -a "history" -d 'Show a model\'s prices, newest first'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand price; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand overview" -l interval -d 'Refresh interval for --watch' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand overview" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand overview" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand overview" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand overview" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand overview" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand overview" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand overview" -l watch -d 'Redraw every --interval until Ctrl-C'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand overview" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand health" -l gateway -d 'Also check a gateway at this base URL (repeatable)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand health" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand health" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand health" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand health" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand health" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand health" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand health" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand search" -l limit -d 'At most this many hits per kind, 1-500' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand search" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand search" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand search" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand search" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand search" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand search" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand search" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and not __fish_seen_subcommand_from create list revoke help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and not __fish_seen_subcommand_from create list revoke help" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and not __fish_seen_subcommand_from create list revoke help" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and not __fish_seen_subcommand_from create list revoke help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and not __fish_seen_subcommand_from create list revoke help" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and not __fish_seen_subcommand_from create list revoke help" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and not __fish_seen_subcommand_from create list revoke help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and not __fish_seen_subcommand_from create list revoke help" -f -a "create" -d 'Issue a key for a gateway; it is printed once and never again'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and not __fish_seen_subcommand_from create list revoke help" -f -a "list" -d 'List gateway keys and when each was last used'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and not __fish_seen_subcommand_from create list revoke help" -f -a "revoke" -d 'Revoke a gateway key by name or id; its gateway is cut off at once'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and not __fish_seen_subcommand_from create list revoke help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from create" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from create" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from create" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from create" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from create" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from list" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from list" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from list" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from list" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from revoke" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from revoke" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from revoke" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from revoke" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from revoke" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from revoke" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from help" -f -a "create" -d 'Issue a key for a gateway; it is printed once and never again'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from help" -f -a "list" -d 'List gateway keys and when each was last used'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke a gateway key by name or id; its gateway is cut off at once'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand gateway-key; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and not __fish_seen_subcommand_from status push export help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and not __fish_seen_subcommand_from status push export help" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and not __fish_seen_subcommand_from status push export help" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and not __fish_seen_subcommand_from status push export help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and not __fish_seen_subcommand_from status push export help" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and not __fish_seen_subcommand_from status push export help" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and not __fish_seen_subcommand_from status push export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and not __fish_seen_subcommand_from status push export help" -f -a "status" -d 'Pending changes, the oldest one\'s age, last success and last error'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and not __fish_seen_subcommand_from status push export help" -f -a "push" -d 'Push to KV now and wait; --full reconciles the whole namespace'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and not __fish_seen_subcommand_from status push export help" -f -a "export" -d 'Print what KV should hold, as JSON in wrangler\'s bulk format'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and not __fish_seen_subcommand_from status push export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from status" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from status" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from status" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from status" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from status" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from push" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from push" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from push" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from push" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from push" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from push" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from push" -l full -d 'Reconcile everything instead of pushing pending changes'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from export" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from export" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from export" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from export" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from export" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from export" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "status" -d 'Pending changes, the oldest one\'s age, last success and last error'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "push" -d 'Push to KV now and wait; --full reconciles the whole namespace'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "export" -d 'Print what KV should hold, as JSON in wrangler\'s bulk format'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand sync; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -f -a "add" -d 'Add a webhook; its signing secret is printed once and never again'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -f -a "list" -d 'List webhooks (never their secrets)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -f -a "remove" -d 'Remove a webhook; deliveries not yet made are dropped'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -f -a "test" -d 'Send a `webhook.test` delivery; see how it went with `webhook deliveries`'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -f -a "deliveries" -d 'A webhook\'s deliveries, newest first: status, attempts, last error'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and not __fish_seen_subcommand_from add list remove test deliveries help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from add" -l events -d 'Events to send, comma-separated (see below)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from add" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from add" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from add" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from add" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from add" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from add" -l private-receiver -d 'Allow a receiver at a private, loopback or link-local address (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from list" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from list" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from list" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from list" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from list" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from remove" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (it is only asked on a terminal)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from test" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from test" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from test" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from test" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from test" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from test" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l limit -d 'Print at most N rows (fetched a page at a time) [default: 100]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l page-size -d 'Rows per request to the server (1-1000)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l cursor -d 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -l all -d 'Print every row, page by page as they arrive'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from deliveries" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a webhook; its signing secret is printed once and never again'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "list" -d 'List webhooks (never their secrets)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a webhook; deliveries not yet made are dropped'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "test" -d 'Send a `webhook.test` delivery; see how it went with `webhook deliveries`'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "deliveries" -d 'A webhook\'s deliveries, newest first: status, attempts, last error'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -l write-dir -d 'Write the completion files for every shell into this directory' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -l write-dir -d 'Write the page of every command into this directory instead: tokenctl.1, tokenctl-token.1, tokenctl-token-create.1, …' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand version" -l server -d 'Server URL [default: the profile\'s, else http://127.0.0.1:7700]' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand version" -l token -d 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand version" -l profile -d 'Profile to use (one per server you manage)' -r
complete -c tokenctl -n "__fish_tokenctl_using_subcommand version" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t'JSON for scripts; a list as one array of the rows printed'
jsonl\t'JSON Lines: one row per line as pages arrive; any other answer on one line'
csv\t'Only for reports (`audit list`, `usage …`)'"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand version" -l color -d 'Colours in tables: only on a terminal (auto), always, or never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tokenctl -n "__fish_tokenctl_using_subcommand version" -l ca-cert -d 'PEM file of CA certificates to trust for the server\'s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)' -r -F
complete -c tokenctl -n "__fish_tokenctl_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "server" -d 'Run the control plane: database, admin API, audit log'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "gateway" -d 'Run the self-hosted gateway: verify tokens, inject upstream credentials, proxy'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "dev" -d 'Start a local server and gateway on SQLite, bootstrapped, with a `dev` profile'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "login" -d 'Store an admin credential for a server (OS keyring, or --store file)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "logout" -d 'Forget the stored credential of a profile'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "status" -d 'Show the server, your identity and where your credential lives'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "whoami" -d 'Show who the credential belongs to and your team roles'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "token" -d 'Issue, list, show, update, rotate and revoke API tokens'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "route" -d 'Routes: path prefixes, their upstreams and upstream auth'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "secret" -d 'Upstream secrets, encrypted at rest and never shown again'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "team" -d 'Teams and their members'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "user" -d 'Users (operators) and invitations'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "credential" -d 'Your admin credentials'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "audit" -d 'The audit log of every change'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "usage" -d 'Usage reports: calls, errors, latency, trends (tables and sparklines)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "price" -d 'Model prices in USD per million tokens, for the costs in usage reports'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "overview" -d 'The dashboard: counts, tokens per team, tokens expiring soon, recent activity'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "health" -d 'The server\'s (and gateways\') detailed health; exits 1 when degraded'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "search" -d 'Find tokens, routes, teams and users you may see'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "gateway-key" -d 'Credentials for gateways (`tokenctl gateway`, the Cloudflare Worker)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "sync" -d 'The Cloudflare KV copy the Worker reads: status, push, export'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "webhook" -d 'Signed webhooks: tokens expiring, KV sync failing, roll-ups lagging, route errors'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, powershell)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "man" -d 'Print manual pages (roff), or write them all into a directory'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "version" -d 'Show the version, git commit and build date (`-o json` for scripts)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and not __fish_seen_subcommand_from server gateway dev login logout status whoami token route secret team user credential audit usage price overview health search gateway-key sync webhook completions man version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "create" -d 'Issue a token; its secret is printed once and never again'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "list" -d 'List tokens, by name, a page at a time'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "show" -d 'Show one token: status, masked secret, scopes, last use, rotation grace, quotas with what is used and left this period. Given a token\'s own secret (`ntk_…`), finds the token it belongs to'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "update" -d 'Change a token\'s name, description, scopes, expiry, IP allow-list, rate limit, quotas or budget'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "revoke" -d 'Revoke a token (it stays listed with status `revoked`, for audit and usage history)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from token" -f -a "rotate" -d 'Give a token a new secret, keeping its id, scopes and history'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from route" -f -a "add" -d 'Add a route: a path prefix on the gateway forwarded to an upstream'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from route" -f -a "list" -d 'List routes, by name, a page at a time'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from route" -f -a "show" -d 'Show a route by name, id or path, with a sample `curl` call through a gateway'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from route" -f -a "tags" -d 'List the tags in use, with the routes carrying each (for `tag:` scopes)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from route" -f -a "update" -d 'Change a route; renaming it renames it in the scopes of its tokens'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from route" -f -a "remove" -d 'Remove a route (refused while tokens scope it by name, unless --force)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from route" -f -a "grant" -d 'Let teams\' tokens use a route (or every team\'s, with --all-teams)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from route" -f -a "ungrant" -d 'Stop teams\' tokens from using a route; their calls to it get 403 scope_denied'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from secret" -f -a "set" -d 'Store or replace an upstream secret (encrypted at rest; never shown again) and the hosts it may be sent to'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from secret" -f -a "list" -d 'List secrets: names, fingerprints, who set them and when. Never values'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from secret" -f -a "remove" -d 'Remove a secret (refused while a route uses it)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from team" -f -a "create" -d 'Create a team (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from team" -f -a "list" -d 'List the teams you can see, with their members and active tokens, by name, a page at a time'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from team" -f -a "show" -d 'Show a team and its members'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from team" -f -a "update" -d 'Rename a team or change its description (team admins), or its quotas and budget (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from team" -f -a "delete" -d 'Delete a team (team admins); refused while it has tokens that are not revoked'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from team" -f -a "member" -d 'Add, change or remove team members'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "create" -d 'Create a user (global admins); prints their first credential once'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "list" -d 'List the users you can see, with when they were last active'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "show" -d 'Show a user and their team roles'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "update" -d 'Change a user\'s e-mail or global-admin flag (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "disable" -d 'Disable a user: their credentials stop working at once (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "enable" -d 'Enable a disabled user again (global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "invite" -d 'Invite someone: prints a one-time code for `tokenctl login --enrol CODE`'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "invitations" -d 'List invitations (yours; all for global admins)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "uninvite" -d 'Revoke an unused invitation by id'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from credential" -f -a "generate" -d 'Print a fresh random credential without contacting a server (for TOKENCTL_BOOTSTRAP_TOKEN)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from credential" -f -a "create" -d 'Create another credential for yourself, e.g. one that expires for a CI job. It expires no later than the credential you create it with'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from credential" -f -a "list" -d 'List your credentials'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from credential" -f -a "revoke" -d 'Revoke one of your credentials by name or id'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "list" -d 'List audit entries, newest first, a page at a time'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "tokens" -d 'One row per token: calls, errors, success, p95, last used, trend'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "routes" -d 'One row per route: calls, errors, success, p95, last used, trend'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "token" -d 'One token: totals, timeline, by route, by status, recent calls'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "route" -d 'One route: totals, latency trend, top tokens, recent calls'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from usage" -f -a "recent" -d 'The most recent calls'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from price" -f -a "set" -d 'Set a model\'s price in USD per million input and output tokens'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from price" -f -a "list" -d 'List the priced models, each with its price in force now'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from price" -f -a "history" -d 'Show a model\'s prices, newest first'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from gateway-key" -f -a "create" -d 'Issue a key for a gateway; it is printed once and never again'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from gateway-key" -f -a "list" -d 'List gateway keys and when each was last used'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from gateway-key" -f -a "revoke" -d 'Revoke a gateway key by name or id; its gateway is cut off at once'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "status" -d 'Pending changes, the oldest one\'s age, last success and last error'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "push" -d 'Push to KV now and wait; --full reconciles the whole namespace'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from sync" -f -a "export" -d 'Print what KV should hold, as JSON in wrangler\'s bulk format'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "add" -d 'Add a webhook; its signing secret is printed once and never again'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "list" -d 'List webhooks (never their secrets)'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "remove" -d 'Remove a webhook; deliveries not yet made are dropped'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "test" -d 'Send a `webhook.test` delivery; see how it went with `webhook deliveries`'
complete -c tokenctl -n "__fish_tokenctl_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "deliveries" -d 'A webhook\'s deliveries, newest first: status, attempts, last error'
