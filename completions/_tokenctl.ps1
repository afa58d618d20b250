
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'tokenctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'tokenctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'tokenctl' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('server', 'server', [CompletionResultType]::ParameterValue, 'Run the control plane: database, admin API, audit log')
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'Run the self-hosted gateway: verify tokens, inject upstream credentials, proxy')
            [CompletionResult]::new('dev', 'dev', [CompletionResultType]::ParameterValue, 'Start a local server and gateway on SQLite, bootstrapped, with a `dev` profile')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Store an admin credential for a server (OS keyring, or --store file)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Forget the stored credential of a profile')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the server, your identity and where your credential lives')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who the credential belongs to and your team roles')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Issue, list, show, update, rotate and revoke API tokens')
            [CompletionResult]::new('route', 'route', [CompletionResultType]::ParameterValue, 'Routes: path prefixes, their upstreams and upstream auth')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'Upstream secrets, encrypted at rest and never shown again')
            [CompletionResult]::new('team', 'team', [CompletionResultType]::ParameterValue, 'Teams and their members')
            [CompletionResult]::new('user', 'user', [CompletionResultType]::ParameterValue, 'Users (operators) and invitations')
            [CompletionResult]::new('credential', 'credential', [CompletionResultType]::ParameterValue, 'Your admin credentials')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'The audit log of every change')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'Usage reports: calls, errors, latency, trends (tables and sparklines)')
            [CompletionResult]::new('price', 'price', [CompletionResultType]::ParameterValue, 'Model prices in USD per million tokens, for the costs in usage reports')
            [CompletionResult]::new('overview', 'overview', [CompletionResultType]::ParameterValue, 'The dashboard: counts, tokens per team, tokens expiring soon, recent activity')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'The server''s (and gateways'') detailed health; exits 1 when degraded')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Find tokens, routes, teams and users you may see')
            [CompletionResult]::new('gateway-key', 'gateway-key', [CompletionResultType]::ParameterValue, 'Credentials for gateways (`tokenctl gateway`, the Cloudflare Worker)')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'The Cloudflare KV copy the Worker reads: status, push, export')
            [CompletionResult]::new('webhook', 'webhook', [CompletionResultType]::ParameterValue, 'Signed webhooks: tokens expiring, KV sync failing, roll-ups lagging, route errors')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (bash, zsh, fish, powershell)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print manual pages (roff), or write them all into a directory')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Show the version, git commit and build date (`-o json` for scripts)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;server' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file of settings, keyed by the long flag names (see below); flags and variables beat it')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'sqlite://PATH (created if missing) or postgres://USER@HOST/DB')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on')
            [CompletionResult]::new('--master-key', '--master-key', [CompletionResultType]::ParameterName, 'Master key encrypting upstream secrets: 64 hex characters (32 bytes), e.g. from `openssl rand -hex 32`. Without one the server cannot store secrets. Prefer --master-key-file')
            [CompletionResult]::new('--master-key-file', '--master-key-file', [CompletionResultType]::ParameterName, 'File holding the master key (e.g. a systemd credential)')
            [CompletionResult]::new('--usage-retention', '--usage-retention', [CompletionResultType]::ParameterName, 'How long raw usage events are kept (rollups are kept longer: per-minute 7d, per-hour 180d, per-day 2 years)')
            [CompletionResult]::new('--header-read-timeout', '--header-read-timeout', [CompletionResultType]::ParameterName, 'Longest a client may take to send a request''s headers, or its first request on a new connection; slower clients are disconnected')
            [CompletionResult]::new('--keep-alive-timeout', '--keep-alive-timeout', [CompletionResultType]::ParameterName, 'A connection with no traffic for this long is closed (a request in flight is finished first)')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most connections open at once; at the limit the connection idle longest without a request in flight is closed to make room [default: derived from the file-descriptor limit]')
            [CompletionResult]::new('--trusted-proxy', '--trusted-proxy', [CompletionResultType]::ParameterName, 'A reverse proxy in front of the server (TLS terminator, load balancer), as an address or CIDR; repeat for several. Only requests from these peers have their Forwarded / X-Forwarded-For headers believed, for the client address in the audit log. Without it the TCP peer is the client')
            [CompletionResult]::new('--max-credential-ttl', '--max-credential-ttl', [CompletionResultType]::ParameterName, 'Longest lifetime of any new admin credential (`credential create`, `user create`, enrolment), e.g. 30d. A longer --expires is refused; a credential created without one gets this. Default: no limit')
            [CompletionResult]::new('--bootstrap-ttl', '--bootstrap-ttl', [CompletionResultType]::ParameterName, 'How long the bootstrap credential (the first admin''s, made on an empty database) lives, or `never` [default: 24h, or --max-credential-ttl if that is shorter]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Where the server writes files of its own: a generated bootstrap credential, when stderr is not a terminal [default: the SQLite database''s directory; with PostgreSQL, the working directory]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format')
            [CompletionResult]::new('--log-filter', '--log-filter', [CompletionResultType]::ParameterName, 'Which log lines to write: a level (`warn`) or a filter such as `info,tokenctl=debug`')
            [CompletionResult]::new('--bootstrap-token', '--bootstrap-token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…, from `tokenctl credential generate`) for the first user on an empty database; ignored once a user exists. Prefer --bootstrap-token-file')
            [CompletionResult]::new('--bootstrap-token-file', '--bootstrap-token-file', [CompletionResultType]::ParameterName, 'File holding the bootstrap credential')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this PEM certificate chain (leaf first); needs --tls-key. Reloaded on SIGHUP')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1)')
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Serve Prometheus metrics at http://ADDR/metrics (plain HTTP, on a listener of its own); see the operator guide for the list. Off unless given')
            [CompletionResult]::new('--cf-account-id', '--cf-account-id', [CompletionResultType]::ParameterName, 'Cloudflare account id. KV sync is on when this, the API token and the namespace id are all given')
            [CompletionResult]::new('--cf-api-token', '--cf-api-token', [CompletionResultType]::ParameterName, 'Cloudflare API token with the Workers KV Storage Write permission. Prefer --cf-api-token-file')
            [CompletionResult]::new('--cf-api-token-file', '--cf-api-token-file', [CompletionResultType]::ParameterName, 'File holding the Cloudflare API token')
            [CompletionResult]::new('--cf-kv-namespace-id', '--cf-kv-namespace-id', [CompletionResultType]::ParameterName, 'The KV namespace the Worker reads (dedicated to tokenctl)')
            [CompletionResult]::new('--cf-api-base-url', '--cf-api-base-url', [CompletionResultType]::ParameterName, 'Cloudflare API base URL')
            [CompletionResult]::new('--kv-timeout', '--kv-timeout', [CompletionResultType]::ParameterName, 'Timeout of each request to Cloudflare, 100ms to 5m')
            [CompletionResult]::new('--edge-key', '--edge-key', [CompletionResultType]::ParameterName, 'Edge key sealing upstream secrets for the Worker, which holds the same key: 64 hex characters (32 bytes). Without it secrets are not written to KV. Prefer --edge-key-file')
            [CompletionResult]::new('--edge-key-file', '--edge-key-file', [CompletionResultType]::ParameterName, 'File holding the edge key')
            [CompletionResult]::new('--webhook-scan-interval', '--webhook-scan-interval', [CompletionResultType]::ParameterName, 'How often the server looks for webhook events, 1s to 1h')
            [CompletionResult]::new('--webhook-token-expiry-warnings', '--webhook-token-expiry-warnings', [CompletionResultType]::ParameterName, '`token.expiring` fires this long before a token expires, once per warning (the nearest warning only, for a token created inside one)')
            [CompletionResult]::new('--webhook-kv-failing-after', '--webhook-kv-failing-after', [CompletionResultType]::ParameterName, '`kvsync.failing` fires once the KV sync has failed for this long, 1s to 7d')
            [CompletionResult]::new('--webhook-rollup-lag-after', '--webhook-rollup-lag-after', [CompletionResultType]::ParameterName, '`usage.rollup_lagging` fires once the oldest usage event waiting for the roll-up is this old, 1s to 7d')
            [CompletionResult]::new('--webhook-error-rate-window', '--webhook-error-rate-window', [CompletionResultType]::ParameterName, '`route.error_rate` compares the 5xx share of this last window with each route''s --alert-error-rate, 1s to 7d')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--allow-metadata-upstreams', '--allow-metadata-upstreams', [CompletionResultType]::ParameterName, 'Accept routes whose upstream is a cloud metadata service (169.254.169.254, fd00:ec2::254, …); refused otherwise')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;gateway' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file of settings, keyed by the long flag names (see below); flags and variables beat it')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Gateway key (tkg_…) from `tokenctl gateway-key create`; this or --key-file is required. Prefer --key-file: command lines are visible to other users')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'File holding the gateway key (e.g. a systemd credential)')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Directory for the encrypted config snapshot and the usage spool')
            [CompletionResult]::new('--spool-max', '--spool-max', [CompletionResultType]::ParameterName, 'Most disk the usage spool may use (e.g. 512MiB, 2GB). When it is full, events of denied requests are dropped first (they may fill 90%), then events of allowed ones; drops are counted in /_gateway/health')
            [CompletionResult]::new('--max-stale', '--max-stale', [CompletionResultType]::ParameterName, 'Once the server has not confirmed the config for this long (it is unreachable), answer 503 config_stale instead of deciding on old data: a token revoked during the outage stops passing at the latest then. `never` keeps serving the last config however old it gets')
            [CompletionResult]::new('--header-read-timeout', '--header-read-timeout', [CompletionResultType]::ParameterName, 'Longest a client may take to send a request''s headers, or its first request on a new connection; slower clients are disconnected')
            [CompletionResult]::new('--keep-alive-timeout', '--keep-alive-timeout', [CompletionResultType]::ParameterName, 'A connection with no traffic for this long is closed (a request in flight is finished first)')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most client connections open at once; at the limit the connection idle longest without a request in flight is closed to make room [default: derived from the file-descriptor limit, two per connection]')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Threads serving clients, 1 to 1024: each runs a runtime of its own and, with more than one, accepts on a socket of its own bound to --listen with SO_REUSEPORT, so a request stays on one thread [default: the number of CPUs the process may run on]')
            [CompletionResult]::new('--trusted-proxy', '--trusted-proxy', [CompletionResultType]::ParameterName, 'A reverse proxy in front of the gateway (TLS terminator, load balancer), as an address or CIDR; repeat for several. Only requests from these peers have their Forwarded / X-Forwarded-For / X-Forwarded-Proto believed, for IP allow-lists, usage and the headers sent upstream. Without it the TCP peer is the client')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format')
            [CompletionResult]::new('--log-filter', '--log-filter', [CompletionResultType]::ParameterName, 'Which log lines to write: a level (`warn`) or a filter such as `info,tokenctl=debug`')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve clients HTTPS with this PEM certificate chain (leaf first); needs --tls-key. Reloaded on SIGHUP')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1)')
            [CompletionResult]::new('--metrics-listen', '--metrics-listen', [CompletionResultType]::ParameterName, 'Serve Prometheus metrics at http://ADDR/metrics (plain HTTP, on a listener of its own); see docs/gateway.md for the list. Off unless given')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;dev' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Where the database, master key and credential live')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Server address')
            [CompletionResult]::new('--gateway-listen', '--gateway-listen', [CompletionResultType]::ParameterName, 'Gateway address')
            [CompletionResult]::new('--cf-account-id', '--cf-account-id', [CompletionResultType]::ParameterName, 'Cloudflare account id. KV sync is on when this, the API token and the namespace id are all given')
            [CompletionResult]::new('--cf-api-token', '--cf-api-token', [CompletionResultType]::ParameterName, 'Cloudflare API token with the Workers KV Storage Write permission. Prefer --cf-api-token-file')
            [CompletionResult]::new('--cf-api-token-file', '--cf-api-token-file', [CompletionResultType]::ParameterName, 'File holding the Cloudflare API token')
            [CompletionResult]::new('--cf-kv-namespace-id', '--cf-kv-namespace-id', [CompletionResultType]::ParameterName, 'The KV namespace the Worker reads (dedicated to tokenctl)')
            [CompletionResult]::new('--cf-api-base-url', '--cf-api-base-url', [CompletionResultType]::ParameterName, 'Cloudflare API base URL')
            [CompletionResult]::new('--kv-timeout', '--kv-timeout', [CompletionResultType]::ParameterName, 'Timeout of each request to Cloudflare, 100ms to 5m')
            [CompletionResult]::new('--edge-key', '--edge-key', [CompletionResultType]::ParameterName, 'Edge key sealing upstream secrets for the Worker, which holds the same key: 64 hex characters (32 bytes). Without it secrets are not written to KV. Prefer --edge-key-file')
            [CompletionResult]::new('--edge-key-file', '--edge-key-file', [CompletionResultType]::ParameterName, 'File holding the edge key')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log every request (and other INFO lines) too, not only warnings')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log every request (and other INFO lines) too, not only warnings')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;login' {
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where to keep the credential')
            [CompletionResult]::new('--credential-file', '--credential-file', [CompletionResultType]::ParameterName, 'File for `--store file` [default: <config dir>/credentials/<profile>]')
            [CompletionResult]::new('--enrol', '--enrol', [CompletionResultType]::ParameterName, 'Join with a one-time enrolment code from `tokenctl user invite` instead of an existing credential')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;logout' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;status' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;whoami' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;token' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Issue a token; its secret is printed once and never again')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List tokens, by name, a page at a time')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one token: status, masked secret, scopes, last use, rotation grace, quotas with what is used and left this period. Given a token''s own secret (`ntk_…`), finds the token it belongs to')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a token''s name, description, scopes, expiry, IP allow-list, rate limit, quotas or budget')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token (it stays listed with status `revoked`, for audit and usage history)')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Give a token a new secret, keeping its id, scopes and history')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;token;create' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Unique within the team: letters, digits, `.`, `_`, `-`')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, '`*`, a route name or `tag:TAG`; repeat for several')
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Team name or id [default: your team, if you belong to exactly one]')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, '30d, 12h, 2027-01-31, an RFC 3339 time, or never')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'description')
            [CompletionResult]::new('--allow-ip', '--allow-ip', [CompletionResultType]::ParameterName, 'Only accept calls from these addresses or CIDRs; repeat for several')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Rate limit N/PERIOD, e.g. 100/1m')
            [CompletionResult]::new('--quota', '--quota', [CompletionResultType]::ParameterName, 'Requests per calendar period (UTC): N/hour, N/day or N/month, e.g. 100/day')
            [CompletionResult]::new('--quota-tokens', '--quota-tokens', [CompletionResultType]::ParameterName, 'LLM tokens (input plus output) per calendar period, e.g. 2000000/month')
            [CompletionResult]::new('--budget', '--budget', [CompletionResultType]::ParameterName, 'USD the token''s LLM calls may cost per calendar period, at the model prices in force (`tokenctl price set`), e.g. 25/month or 0.50/day')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--allow-unknown-scope', '--allow-unknown-scope', [CompletionResultType]::ParameterName, 'Accept scopes that name no existing route or tag')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;token;list' {
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Only this team (name or id)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'status')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Print at most N rows (fetched a page at a time) [default: 100]')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Rows per request to the server (1-1000)')
            [CompletionResult]::new('--cursor', '--cursor', [CompletionResultType]::ParameterName, 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Print every row, page by page as they arrive')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;token;show' {
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Look the name up in this team')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;token;update' {
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Look the name up in this team')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'New name')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'description')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Replace all scopes (repeat for several)')
            [CompletionResult]::new('--add-scope', '--add-scope', [CompletionResultType]::ParameterName, 'Add a scope (repeatable)')
            [CompletionResult]::new('--remove-scope', '--remove-scope', [CompletionResultType]::ParameterName, 'Remove a scope (repeatable); one the token does not have is refused')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'New expiry: 30d, 2027-01-31, an RFC 3339 time, or never')
            [CompletionResult]::new('--allow-ip', '--allow-ip', [CompletionResultType]::ParameterName, 'Replace the IP allow-list (repeatable)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'New rate limit N/PERIOD, or `none`')
            [CompletionResult]::new('--quota', '--quota', [CompletionResultType]::ParameterName, 'Requests per calendar period (UTC), e.g. 100/day, or `none`')
            [CompletionResult]::new('--quota-tokens', '--quota-tokens', [CompletionResultType]::ParameterName, 'LLM tokens per calendar period, e.g. 2000000/month, or `none`')
            [CompletionResult]::new('--budget', '--budget', [CompletionResultType]::ParameterName, 'USD of LLM calls per calendar period, e.g. 25/month, or `none`')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--allow-any-ip', '--allow-any-ip', [CompletionResultType]::ParameterName, 'Remove the IP allow-list')
            [CompletionResult]::new('--allow-unknown-scope', '--allow-unknown-scope', [CompletionResultType]::ParameterName, 'allow-unknown-scope')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;token;revoke' {
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Look the name up in this team')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;token;rotate' {
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Look the name up in this team')
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'How long the old secret keeps working, e.g. 1h [default: it stops now]')
            [CompletionResult]::new('--idempotency-key', '--idempotency-key', [CompletionResultType]::ParameterName, 'A random key (e.g. from uuidgen) that makes retries by this credential, within 24h, return the same new secret instead of minting again')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;token;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Issue a token; its secret is printed once and never again')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List tokens, by name, a page at a time')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one token: status, masked secret, scopes, last use, rotation grace, quotas with what is used and left this period. Given a token''s own secret (`ntk_…`), finds the token it belongs to')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a token''s name, description, scopes, expiry, IP allow-list, rate limit, quotas or budget')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token (it stays listed with status `revoked`, for audit and usage history)')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Give a token a new secret, keeping its id, scopes and history')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;token;help;create' {
            break
        }
        'tokenctl;token;help;list' {
            break
        }
        'tokenctl;token;help;show' {
            break
        }
        'tokenctl;token;help;update' {
            break
        }
        'tokenctl;token;help;revoke' {
            break
        }
        'tokenctl;token;help;rotate' {
            break
        }
        'tokenctl;token;help;help' {
            break
        }
        'tokenctl;route' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a route: a path prefix on the gateway forwarded to an upstream')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List routes, by name, a page at a time')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a route by name, id or path, with a sample `curl` call through a gateway')
            [CompletionResult]::new('tags', 'tags', [CompletionResultType]::ParameterValue, 'List the tags in use, with the routes carrying each (for `tag:` scopes)')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a route; renaming it renames it in the scopes of its tokens')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a route (refused while tokens scope it by name, unless --force)')
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Let teams'' tokens use a route (or every team''s, with --all-teams)')
            [CompletionResult]::new('ungrant', 'ungrant', [CompletionResultType]::ParameterValue, 'Stop teams'' tokens from using a route; their calls to it get 403 scope_denied')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;route;add' {
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Path prefix on the gateway, e.g. /api/openai')
            [CompletionResult]::new('--upstream', '--upstream', [CompletionResultType]::ParameterName, 'Absolute http(s) base URL of the upstream')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Tag for `tag:TAG` scopes (repeatable)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'none, bearer:SECRET, header:HEADER-NAME:SECRET or basic:USER-SECRET:PASS-SECRET')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Upstream timeout')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'description')
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'A team whose tokens may use the route (repeatable)')
            [CompletionResult]::new('--llm', '--llm', [CompletionResultType]::ParameterName, 'The upstream is an LLM API: record the model and token counts of its calls (openai, anthropic, none)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--all-teams', '--all-teams', [CompletionResultType]::ParameterName, 'Let every team''s tokens use the route')
            [CompletionResult]::new('--private-upstream', '--private-upstream', [CompletionResultType]::ParameterName, 'Approve the route for private addresses even where the server cannot resolve its upstream (system admins)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;route;list' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Print at most N rows (fetched a page at a time) [default: 100]')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Rows per request to the server (1-1000)')
            [CompletionResult]::new('--cursor', '--cursor', [CompletionResultType]::ParameterName, 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Print every row, page by page as they arrive')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;route;show' {
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Gateway base URL for the sample call')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;route;tags' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;route;update' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'name')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'path')
            [CompletionResult]::new('--upstream', '--upstream', [CompletionResultType]::ParameterName, 'upstream')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Replace all tags (repeatable)')
            [CompletionResult]::new('--add-tag', '--add-tag', [CompletionResultType]::ParameterName, 'add-tag')
            [CompletionResult]::new('--remove-tag', '--remove-tag', [CompletionResultType]::ParameterName, 'remove-tag')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'auth')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'timeout')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'description')
            [CompletionResult]::new('--alert-error-rate', '--alert-error-rate', [CompletionResultType]::ParameterName, 'Send the `route.error_rate` webhook event when the share of 5xx answers in a window is above this (0.2 is 20 %); `none` stops it')
            [CompletionResult]::new('--llm', '--llm', [CompletionResultType]::ParameterName, 'Mark the upstream as an LLM API (openai, anthropic) whose token counts are recorded, or not (none)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--private-upstream', '--private-upstream', [CompletionResultType]::ParameterName, 'Approve the route for private addresses even where the server cannot resolve its upstream (system admins)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;route;remove' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Remove even if tokens scope it by name; that scope is dropped from them, and tokens left with no scope are revoked')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;route;grant' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--all-teams', '--all-teams', [CompletionResultType]::ParameterName, 'Every team')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;route;ungrant' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--all-teams', '--all-teams', [CompletionResultType]::ParameterName, 'Every team')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;route;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a route: a path prefix on the gateway forwarded to an upstream')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List routes, by name, a page at a time')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a route by name, id or path, with a sample `curl` call through a gateway')
            [CompletionResult]::new('tags', 'tags', [CompletionResultType]::ParameterValue, 'List the tags in use, with the routes carrying each (for `tag:` scopes)')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a route; renaming it renames it in the scopes of its tokens')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a route (refused while tokens scope it by name, unless --force)')
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Let teams'' tokens use a route (or every team''s, with --all-teams)')
            [CompletionResult]::new('ungrant', 'ungrant', [CompletionResultType]::ParameterValue, 'Stop teams'' tokens from using a route; their calls to it get 403 scope_denied')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;route;help;add' {
            break
        }
        'tokenctl;route;help;list' {
            break
        }
        'tokenctl;route;help;show' {
            break
        }
        'tokenctl;route;help;tags' {
            break
        }
        'tokenctl;route;help;update' {
            break
        }
        'tokenctl;route;help;remove' {
            break
        }
        'tokenctl;route;help;grant' {
            break
        }
        'tokenctl;route;help;ungrant' {
            break
        }
        'tokenctl;route;help;help' {
            break
        }
        'tokenctl;secret' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store or replace an upstream secret (encrypted at rest; never shown again) and the hosts it may be sent to')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List secrets: names, fingerprints, who set them and when. Never values')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a secret (refused while a route uses it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;secret;set' {
            [CompletionResult]::new('--from-env', '--from-env', [CompletionResultType]::ParameterName, 'Read the value from this environment variable')
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'Read the value from this file (a trailing newline is dropped)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'A host the secret may be sent to: api.openai.com or *.example.com (repeatable; replaces the list)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--keep-value', '--keep-value', [CompletionResultType]::ParameterName, 'Change only the hosts and keep the stored value')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;secret;list' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;secret;remove' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;secret;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store or replace an upstream secret (encrypted at rest; never shown again) and the hosts it may be sent to')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List secrets: names, fingerprints, who set them and when. Never values')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a secret (refused while a route uses it)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;secret;help;set' {
            break
        }
        'tokenctl;secret;help;list' {
            break
        }
        'tokenctl;secret;help;remove' {
            break
        }
        'tokenctl;secret;help;help' {
            break
        }
        'tokenctl;team' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a team (global admins)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the teams you can see, with their members and active tokens, by name, a page at a time')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a team and its members')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Rename a team or change its description (team admins), or its quotas and budget (global admins)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a team (team admins); refused while it has tokens that are not revoked')
            [CompletionResult]::new('member', 'member', [CompletionResultType]::ParameterValue, 'Add, change or remove team members')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;team;create' {
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'description')
            [CompletionResult]::new('--admin', '--admin', [CompletionResultType]::ParameterName, 'A user (name or id) to make the team''s first admin')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;team;list' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Print at most N rows (fetched a page at a time) [default: 100]')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Rows per request to the server (1-1000)')
            [CompletionResult]::new('--cursor', '--cursor', [CompletionResultType]::ParameterName, 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Print every row, page by page as they arrive')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;team;show' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;team;update' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'New name')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'description')
            [CompletionResult]::new('--quota', '--quota', [CompletionResultType]::ParameterName, 'Requests of all the team''s tokens per calendar period (UTC), e.g. 50000/month, or `none`')
            [CompletionResult]::new('--quota-tokens', '--quota-tokens', [CompletionResultType]::ParameterName, 'LLM tokens of the team per calendar period, e.g. 20000000/month, or `none`')
            [CompletionResult]::new('--budget', '--budget', [CompletionResultType]::ParameterName, 'USD the LLM calls of all the team''s tokens may cost per calendar period, e.g. 500/month, or `none`')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;team;delete' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--revoke-tokens', '--revoke-tokens', [CompletionResultType]::ParameterName, 'Revoke the team''s tokens with it, in the same transaction')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;team;member' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a user to a team with a role')
            [CompletionResult]::new('set-role', 'set-role', [CompletionResultType]::ParameterValue, 'Change a member''s role')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a member from a team')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;team;member;add' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;team;member;set-role' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;team;member;remove' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;team;member;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a user to a team with a role')
            [CompletionResult]::new('set-role', 'set-role', [CompletionResultType]::ParameterValue, 'Change a member''s role')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a member from a team')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;team;member;help;add' {
            break
        }
        'tokenctl;team;member;help;set-role' {
            break
        }
        'tokenctl;team;member;help;remove' {
            break
        }
        'tokenctl;team;member;help;help' {
            break
        }
        'tokenctl;team;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a team (global admins)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the teams you can see, with their members and active tokens, by name, a page at a time')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a team and its members')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Rename a team or change its description (team admins), or its quotas and budget (global admins)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a team (team admins); refused while it has tokens that are not revoked')
            [CompletionResult]::new('member', 'member', [CompletionResultType]::ParameterValue, 'Add, change or remove team members')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;team;help;create' {
            break
        }
        'tokenctl;team;help;list' {
            break
        }
        'tokenctl;team;help;show' {
            break
        }
        'tokenctl;team;help;update' {
            break
        }
        'tokenctl;team;help;delete' {
            break
        }
        'tokenctl;team;help;member' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a user to a team with a role')
            [CompletionResult]::new('set-role', 'set-role', [CompletionResultType]::ParameterValue, 'Change a member''s role')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a member from a team')
            break
        }
        'tokenctl;team;help;member;add' {
            break
        }
        'tokenctl;team;help;member;set-role' {
            break
        }
        'tokenctl;team;help;member;remove' {
            break
        }
        'tokenctl;team;help;help' {
            break
        }
        'tokenctl;user' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a user (global admins); prints their first credential once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the users you can see, with when they were last active')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a user and their team roles')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a user''s e-mail or global-admin flag (global admins)')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable a user: their credentials stop working at once (global admins)')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable a disabled user again (global admins)')
            [CompletionResult]::new('invite', 'invite', [CompletionResultType]::ParameterValue, 'Invite someone: prints a one-time code for `tokenctl login --enrol CODE`')
            [CompletionResult]::new('invitations', 'invitations', [CompletionResultType]::ParameterValue, 'List invitations (yours; all for global admins)')
            [CompletionResult]::new('uninvite', 'uninvite', [CompletionResultType]::ParameterValue, 'Revoke an unused invitation by id')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;user;create' {
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'email')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'TEAM:ROLE (repeatable), e.g. platform:developer')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--global-admin', '--global-admin', [CompletionResultType]::ParameterName, 'Make the user a global admin')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;user;list' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Print at most N rows (fetched a page at a time) [default: 100]')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Rows per request to the server (1-1000)')
            [CompletionResult]::new('--cursor', '--cursor', [CompletionResultType]::ParameterName, 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Print every row, page by page as they arrive')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;user;show' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;user;update' {
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'New e-mail; an empty string clears it')
            [CompletionResult]::new('--global-admin', '--global-admin', [CompletionResultType]::ParameterName, 'global-admin')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;user;disable' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;user;enable' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;user;invite' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'User name for the new user [default: the e-mail''s local part]')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'TEAM:ROLE (repeatable)')
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, 'How long the code works, e.g. 24h or 7d')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--global-admin', '--global-admin', [CompletionResultType]::ParameterName, 'global-admin')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;user;invitations' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;user;uninvite' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;user;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a user (global admins); prints their first credential once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the users you can see, with when they were last active')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a user and their team roles')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a user''s e-mail or global-admin flag (global admins)')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable a user: their credentials stop working at once (global admins)')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable a disabled user again (global admins)')
            [CompletionResult]::new('invite', 'invite', [CompletionResultType]::ParameterValue, 'Invite someone: prints a one-time code for `tokenctl login --enrol CODE`')
            [CompletionResult]::new('invitations', 'invitations', [CompletionResultType]::ParameterValue, 'List invitations (yours; all for global admins)')
            [CompletionResult]::new('uninvite', 'uninvite', [CompletionResultType]::ParameterValue, 'Revoke an unused invitation by id')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;user;help;create' {
            break
        }
        'tokenctl;user;help;list' {
            break
        }
        'tokenctl;user;help;show' {
            break
        }
        'tokenctl;user;help;update' {
            break
        }
        'tokenctl;user;help;disable' {
            break
        }
        'tokenctl;user;help;enable' {
            break
        }
        'tokenctl;user;help;invite' {
            break
        }
        'tokenctl;user;help;invitations' {
            break
        }
        'tokenctl;user;help;uninvite' {
            break
        }
        'tokenctl;user;help;help' {
            break
        }
        'tokenctl;credential' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Print a fresh random credential without contacting a server (for TOKENCTL_BOOTSTRAP_TOKEN)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create another credential for yourself, e.g. one that expires for a CI job. It expires no later than the credential you create it with')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List your credentials')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke one of your credentials by name or id')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;credential;generate' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;credential;create' {
            [CompletionResult]::new('--expires', '--expires', [CompletionResultType]::ParameterName, '30d, 12h, 2027-01-31, an RFC 3339 time, or never; no later than the credential you use [default: the same expiry as the credential you use, capped by the server''s --max-credential-ttl]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;credential;list' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;credential;revoke' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;credential;help' {
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Print a fresh random credential without contacting a server (for TOKENCTL_BOOTSTRAP_TOKEN)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create another credential for yourself, e.g. one that expires for a CI job. It expires no later than the credential you create it with')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List your credentials')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke one of your credentials by name or id')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;credential;help;generate' {
            break
        }
        'tokenctl;credential;help;create' {
            break
        }
        'tokenctl;credential;help;list' {
            break
        }
        'tokenctl;credential;help;revoke' {
            break
        }
        'tokenctl;credential;help;help' {
            break
        }
        'tokenctl;audit' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List audit entries, newest first, a page at a time')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;audit;list' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, '24h, 7d, a date or an RFC 3339 time')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Same forms as --since')
            [CompletionResult]::new('--actor', '--actor', [CompletionResultType]::ParameterName, 'User name of the actor')
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'An action (token.create), or every action of a resource (token.*)')
            [CompletionResult]::new('--target-type', '--target-type', [CompletionResultType]::ParameterName, 'token, route, secret, credential, …')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Target id or name')
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Team name or id')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Print at most N rows (fetched a page at a time) [default: 100]')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Rows per request to the server (1-1000)')
            [CompletionResult]::new('--cursor', '--cursor', [CompletionResultType]::ParameterName, 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Print every row, page by page as they arrive')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;audit;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List audit entries, newest first, a page at a time')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;audit;help;list' {
            break
        }
        'tokenctl;audit;help;help' {
            break
        }
        'tokenctl;usage' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start: 1h, 24h, 7d, 30d, a date or an RFC 3339 time')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End: same forms [default: now]')
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Only this team')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Refresh interval for --watch')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw every --interval until Ctrl-C')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('tokens', 'tokens', [CompletionResultType]::ParameterValue, 'One row per token: calls, errors, success, p95, last used, trend')
            [CompletionResult]::new('routes', 'routes', [CompletionResultType]::ParameterValue, 'One row per route: calls, errors, success, p95, last used, trend')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'One token: totals, timeline, by route, by status, recent calls')
            [CompletionResult]::new('route', 'route', [CompletionResultType]::ParameterValue, 'One route: totals, latency trend, top tokens, recent calls')
            [CompletionResult]::new('recent', 'recent', [CompletionResultType]::ParameterValue, 'The most recent calls')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;usage;tokens' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start: 1h, 24h, 7d, 30d, a date or an RFC 3339 time')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End: same forms [default: now]')
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Only this team')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'calls, errors, p95, name or last_used')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Print at most N rows (fetched a page at a time) [default: 100]')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Rows per request to the server (1-1000)')
            [CompletionResult]::new('--cursor', '--cursor', [CompletionResultType]::ParameterName, 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Refresh interval for --watch')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Print every row, page by page as they arrive')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw every --interval until Ctrl-C')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;usage;routes' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start: 1h, 24h, 7d, 30d, a date or an RFC 3339 time')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End: same forms [default: now]')
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Only this team')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'calls, errors, p95, name or last_used')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Print at most N rows (fetched a page at a time) [default: 100]')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Rows per request to the server (1-1000)')
            [CompletionResult]::new('--cursor', '--cursor', [CompletionResultType]::ParameterName, 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Refresh interval for --watch')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Print every row, page by page as they arrive')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw every --interval until Ctrl-C')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;usage;token' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start: 1h, 24h, 7d, 30d, a date or an RFC 3339 time')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End: same forms [default: now]')
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Only this team')
            [CompletionResult]::new('--recent', '--recent', [CompletionResultType]::ParameterName, 'Recent calls to show')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Refresh interval for --watch')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw every --interval until Ctrl-C')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;usage;route' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start: 1h, 24h, 7d, 30d, a date or an RFC 3339 time')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End: same forms [default: now]')
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'Only this team')
            [CompletionResult]::new('--recent', '--recent', [CompletionResultType]::ParameterName, 'Recent calls to show')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Refresh interval for --watch')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw every --interval until Ctrl-C')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;usage;recent' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'limit')
            [CompletionResult]::new('--api-token', '--api-token', [CompletionResultType]::ParameterName, 'Only the calls of this API token (id or name). Not `--token`: that is the admin credential of every command')
            [CompletionResult]::new('--route', '--route', [CompletionResultType]::ParameterName, 'Route name, id or path')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only this HTTP status')
            [CompletionResult]::new('--team', '--team', [CompletionResultType]::ParameterName, 'team')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Refresh interval for --watch')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw every --interval until Ctrl-C')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;usage;help' {
            [CompletionResult]::new('tokens', 'tokens', [CompletionResultType]::ParameterValue, 'One row per token: calls, errors, success, p95, last used, trend')
            [CompletionResult]::new('routes', 'routes', [CompletionResultType]::ParameterValue, 'One row per route: calls, errors, success, p95, last used, trend')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'One token: totals, timeline, by route, by status, recent calls')
            [CompletionResult]::new('route', 'route', [CompletionResultType]::ParameterValue, 'One route: totals, latency trend, top tokens, recent calls')
            [CompletionResult]::new('recent', 'recent', [CompletionResultType]::ParameterValue, 'The most recent calls')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;usage;help;tokens' {
            break
        }
        'tokenctl;usage;help;routes' {
            break
        }
        'tokenctl;usage;help;token' {
            break
        }
        'tokenctl;usage;help;route' {
            break
        }
        'tokenctl;usage;help;recent' {
            break
        }
        'tokenctl;usage;help;help' {
            break
        }
        'tokenctl;price' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a model''s price in USD per million input and output tokens')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the priced models, each with its price in force now')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show a model''s prices, newest first')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;price;set' {
            [CompletionResult]::new('--in', '--in', [CompletionResultType]::ParameterName, 'USD per million input tokens, e.g. 2.50')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'USD per million output tokens, e.g. 10')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'From when the price applies: a date or an RFC 3339 time (default: now)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;price;list' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;price;history' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;price;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a model''s price in USD per million input and output tokens')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the priced models, each with its price in force now')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show a model''s prices, newest first')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;price;help;set' {
            break
        }
        'tokenctl;price;help;list' {
            break
        }
        'tokenctl;price;help;history' {
            break
        }
        'tokenctl;price;help;help' {
            break
        }
        'tokenctl;overview' {
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Refresh interval for --watch')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Redraw every --interval until Ctrl-C')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;health' {
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Also check a gateway at this base URL (repeatable)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;search' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many hits per kind, 1-500')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;gateway-key' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Issue a key for a gateway; it is printed once and never again')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List gateway keys and when each was last used')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a gateway key by name or id; its gateway is cut off at once')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;gateway-key;create' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;gateway-key;list' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;gateway-key;revoke' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;gateway-key;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Issue a key for a gateway; it is printed once and never again')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List gateway keys and when each was last used')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a gateway key by name or id; its gateway is cut off at once')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;gateway-key;help;create' {
            break
        }
        'tokenctl;gateway-key;help;list' {
            break
        }
        'tokenctl;gateway-key;help;revoke' {
            break
        }
        'tokenctl;gateway-key;help;help' {
            break
        }
        'tokenctl;sync' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Pending changes, the oldest one''s age, last success and last error')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push to KV now and wait; --full reconciles the whole namespace')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print what KV should hold, as JSON in wrangler''s bulk format')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;sync;status' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;sync;push' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--full', '--full', [CompletionResultType]::ParameterName, 'Reconcile everything instead of pushing pending changes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;sync;export' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;sync;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Pending changes, the oldest one''s age, last success and last error')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push to KV now and wait; --full reconciles the whole namespace')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print what KV should hold, as JSON in wrangler''s bulk format')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;sync;help;status' {
            break
        }
        'tokenctl;sync;help;push' {
            break
        }
        'tokenctl;sync;help;export' {
            break
        }
        'tokenctl;sync;help;help' {
            break
        }
        'tokenctl;webhook' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a webhook; its signing secret is printed once and never again')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List webhooks (never their secrets)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a webhook; deliveries not yet made are dropped')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send a `webhook.test` delivery; see how it went with `webhook deliveries`')
            [CompletionResult]::new('deliveries', 'deliveries', [CompletionResultType]::ParameterValue, 'A webhook''s deliveries, newest first: status, attempts, last error')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;webhook;add' {
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Events to send, comma-separated (see below)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--private-receiver', '--private-receiver', [CompletionResultType]::ParameterName, 'Allow a receiver at a private, loopback or link-local address (global admins)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;webhook;list' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;webhook;remove' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (it is only asked on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;webhook;test' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;webhook;deliveries' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Print at most N rows (fetched a page at a time) [default: 100]')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Rows per request to the server (1-1000)')
            [CompletionResult]::new('--cursor', '--cursor', [CompletionResultType]::ParameterName, 'Continue a listing where it stopped: the cursor its hint printed (valid with the same filters only)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Print every row, page by page as they arrive')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;webhook;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a webhook; its signing secret is printed once and never again')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List webhooks (never their secrets)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a webhook; deliveries not yet made are dropped')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send a `webhook.test` delivery; see how it went with `webhook deliveries`')
            [CompletionResult]::new('deliveries', 'deliveries', [CompletionResultType]::ParameterValue, 'A webhook''s deliveries, newest first: status, attempts, last error')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;webhook;help;add' {
            break
        }
        'tokenctl;webhook;help;list' {
            break
        }
        'tokenctl;webhook;help;remove' {
            break
        }
        'tokenctl;webhook;help;test' {
            break
        }
        'tokenctl;webhook;help;deliveries' {
            break
        }
        'tokenctl;webhook;help;help' {
            break
        }
        'tokenctl;completions' {
            [CompletionResult]::new('--write-dir', '--write-dir', [CompletionResultType]::ParameterName, 'Write the completion files for every shell into this directory')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;man' {
            [CompletionResult]::new('--write-dir', '--write-dir', [CompletionResultType]::ParameterName, 'Write the page of every command into this directory instead: tokenctl.1, tokenctl-token.1, tokenctl-token-create.1, …')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;version' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [default: the profile''s, else http://127.0.0.1:7700]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Admin credential (tkc_…), overriding the stored one. Prefer the environment variable: command lines are visible to other users')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to use (one per server you manage)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colours in tables: only on a terminal (auto), always, or never')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'PEM file of CA certificates to trust for the server''s https:// URL, besides the bundled Mozilla roots (e.g. a private CA)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tokenctl;help' {
            [CompletionResult]::new('server', 'server', [CompletionResultType]::ParameterValue, 'Run the control plane: database, admin API, audit log')
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'Run the self-hosted gateway: verify tokens, inject upstream credentials, proxy')
            [CompletionResult]::new('dev', 'dev', [CompletionResultType]::ParameterValue, 'Start a local server and gateway on SQLite, bootstrapped, with a `dev` profile')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Store an admin credential for a server (OS keyring, or --store file)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Forget the stored credential of a profile')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the server, your identity and where your credential lives')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who the credential belongs to and your team roles')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Issue, list, show, update, rotate and revoke API tokens')
            [CompletionResult]::new('route', 'route', [CompletionResultType]::ParameterValue, 'Routes: path prefixes, their upstreams and upstream auth')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'Upstream secrets, encrypted at rest and never shown again')
            [CompletionResult]::new('team', 'team', [CompletionResultType]::ParameterValue, 'Teams and their members')
            [CompletionResult]::new('user', 'user', [CompletionResultType]::ParameterValue, 'Users (operators) and invitations')
            [CompletionResult]::new('credential', 'credential', [CompletionResultType]::ParameterValue, 'Your admin credentials')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'The audit log of every change')
            [CompletionResult]::new('usage', 'usage', [CompletionResultType]::ParameterValue, 'Usage reports: calls, errors, latency, trends (tables and sparklines)')
            [CompletionResult]::new('price', 'price', [CompletionResultType]::ParameterValue, 'Model prices in USD per million tokens, for the costs in usage reports')
            [CompletionResult]::new('overview', 'overview', [CompletionResultType]::ParameterValue, 'The dashboard: counts, tokens per team, tokens expiring soon, recent activity')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'The server''s (and gateways'') detailed health; exits 1 when degraded')
            [CompletionResult]::new('search', 'search', [CompletionResultType]::ParameterValue, 'Find tokens, routes, teams and users you may see')
            [CompletionResult]::new('gateway-key', 'gateway-key', [CompletionResultType]::ParameterValue, 'Credentials for gateways (`tokenctl gateway`, the Cloudflare Worker)')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'The Cloudflare KV copy the Worker reads: status, push, export')
            [CompletionResult]::new('webhook', 'webhook', [CompletionResultType]::ParameterValue, 'Signed webhooks: tokens expiring, KV sync failing, roll-ups lagging, route errors')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions (bash, zsh, fish, powershell)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print manual pages (roff), or write them all into a directory')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Show the version, git commit and build date (`-o json` for scripts)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tokenctl;help;server' {
            break
        }
        'tokenctl;help;gateway' {
            break
        }
        'tokenctl;help;dev' {
            break
        }
        'tokenctl;help;login' {
            break
        }
        'tokenctl;help;logout' {
            break
        }
        'tokenctl;help;status' {
            break
        }
        'tokenctl;help;whoami' {
            break
        }
        'tokenctl;help;token' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Issue a token; its secret is printed once and never again')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List tokens, by name, a page at a time')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one token: status, masked secret, scopes, last use, rotation grace, quotas with what is used and left this period. Given a token''s own secret (`ntk_…`), finds the token it belongs to')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a token''s name, description, scopes, expiry, IP allow-list, rate limit, quotas or budget')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a token (it stays listed with status `revoked`, for audit and usage history)')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Give a token a new secret, keeping its id, scopes and history')
            break
        }
        'tokenctl;help;token;create' {
            break
        }
        'tokenctl;help;token;list' {
            break
        }
        'tokenctl;help;token;show' {
            break
        }
        'tokenctl;help;token;update' {
            break
        }
        'tokenctl;help;token;revoke' {
            break
        }
        'tokenctl;help;token;rotate' {
            break
        }
        'tokenctl;help;route' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a route: a path prefix on the gateway forwarded to an upstream')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List routes, by name, a page at a time')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a route by name, id or path, with a sample `curl` call through a gateway')
            [CompletionResult]::new('tags', 'tags', [CompletionResultType]::ParameterValue, 'List the tags in use, with the routes carrying each (for `tag:` scopes)')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a route; renaming it renames it in the scopes of its tokens')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a route (refused while tokens scope it by name, unless --force)')
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Let teams'' tokens use a route (or every team''s, with --all-teams)')
            [CompletionResult]::new('ungrant', 'ungrant', [CompletionResultType]::ParameterValue, 'Stop teams'' tokens from using a route; their calls to it get 403 scope_denied')
            break
        }
        'tokenctl;help;route;add' {
            break
        }
        'tokenctl;help;route;list' {
            break
        }
        'tokenctl;help;route;show' {
            break
        }
        'tokenctl;help;route;tags' {
            break
        }
        'tokenctl;help;route;update' {
            break
        }
        'tokenctl;help;route;remove' {
            break
        }
        'tokenctl;help;route;grant' {
            break
        }
        'tokenctl;help;route;ungrant' {
            break
        }
        'tokenctl;help;secret' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store or replace an upstream secret (encrypted at rest; never shown again) and the hosts it may be sent to')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List secrets: names, fingerprints, who set them and when. Never values')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a secret (refused while a route uses it)')
            break
        }
        'tokenctl;help;secret;set' {
            break
        }
        'tokenctl;help;secret;list' {
            break
        }
        'tokenctl;help;secret;remove' {
            break
        }
        'tokenctl;help;team' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a team (global admins)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the teams you can see, with their members and active tokens, by name, a page at a time')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a team and its members')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Rename a team or change its description (team admins), or its quotas and budget (global admins)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a team (team admins); refused while it has tokens that are not revoked')
            [CompletionResult]::new('member', 'member', [CompletionResultType]::ParameterValue, 'Add, change or remove team members')
            break
        }
        'tokenctl;help;team;create' {
            break
        }
        'tokenctl;help;team;list' {
            break
        }
        'tokenctl;help;team;show' {
            break
        }
        'tokenctl;help;team;update' {
            break
        }
        'tokenctl;help;team;delete' {
            break
        }
        'tokenctl;help;team;member' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a user to a team with a role')
            [CompletionResult]::new('set-role', 'set-role', [CompletionResultType]::ParameterValue, 'Change a member''s role')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a member from a team')
            break
        }
        'tokenctl;help;team;member;add' {
            break
        }
        'tokenctl;help;team;member;set-role' {
            break
        }
        'tokenctl;help;team;member;remove' {
            break
        }
        'tokenctl;help;user' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a user (global admins); prints their first credential once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the users you can see, with when they were last active')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a user and their team roles')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change a user''s e-mail or global-admin flag (global admins)')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Disable a user: their credentials stop working at once (global admins)')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Enable a disabled user again (global admins)')
            [CompletionResult]::new('invite', 'invite', [CompletionResultType]::ParameterValue, 'Invite someone: prints a one-time code for `tokenctl login --enrol CODE`')
            [CompletionResult]::new('invitations', 'invitations', [CompletionResultType]::ParameterValue, 'List invitations (yours; all for global admins)')
            [CompletionResult]::new('uninvite', 'uninvite', [CompletionResultType]::ParameterValue, 'Revoke an unused invitation by id')
            break
        }
        'tokenctl;help;user;create' {
            break
        }
        'tokenctl;help;user;list' {
            break
        }
        'tokenctl;help;user;show' {
            break
        }
        'tokenctl;help;user;update' {
            break
        }
        'tokenctl;help;user;disable' {
            break
        }
        'tokenctl;help;user;enable' {
            break
        }
        'tokenctl;help;user;invite' {
            break
        }
        'tokenctl;help;user;invitations' {
            break
        }
        'tokenctl;help;user;uninvite' {
            break
        }
        'tokenctl;help;credential' {
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Print a fresh random credential without contacting a server (for TOKENCTL_BOOTSTRAP_TOKEN)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create another credential for yourself, e.g. one that expires for a CI job. It expires no later than the credential you create it with')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List your credentials')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke one of your credentials by name or id')
            break
        }
        'tokenctl;help;credential;generate' {
            break
        }
        'tokenctl;help;credential;create' {
            break
        }
        'tokenctl;help;credential;list' {
            break
        }
        'tokenctl;help;credential;revoke' {
            break
        }
        'tokenctl;help;audit' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List audit entries, newest first, a page at a time')
            break
        }
        'tokenctl;help;audit;list' {
            break
        }
        'tokenctl;help;usage' {
            [CompletionResult]::new('tokens', 'tokens', [CompletionResultType]::ParameterValue, 'One row per token: calls, errors, success, p95, last used, trend')
            [CompletionResult]::new('routes', 'routes', [CompletionResultType]::ParameterValue, 'One row per route: calls, errors, success, p95, last used, trend')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'One token: totals, timeline, by route, by status, recent calls')
            [CompletionResult]::new('route', 'route', [CompletionResultType]::ParameterValue, 'One route: totals, latency trend, top tokens, recent calls')
            [CompletionResult]::new('recent', 'recent', [CompletionResultType]::ParameterValue, 'The most recent calls')
            break
        }
        'tokenctl;help;usage;tokens' {
            break
        }
        'tokenctl;help;usage;routes' {
            break
        }
        'tokenctl;help;usage;token' {
            break
        }
        'tokenctl;help;usage;route' {
            break
        }
        'tokenctl;help;usage;recent' {
            break
        }
        'tokenctl;help;price' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a model''s price in USD per million input and output tokens')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the priced models, each with its price in force now')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show a model''s prices, newest first')
            break
        }
        'tokenctl;help;price;set' {
            break
        }
        'tokenctl;help;price;list' {
            break
        }
        'tokenctl;help;price;history' {
            break
        }
        'tokenctl;help;overview' {
            break
        }
        'tokenctl;help;health' {
            break
        }
        'tokenctl;help;search' {
            break
        }
        'tokenctl;help;gateway-key' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Issue a key for a gateway; it is printed once and never again')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List gateway keys and when each was last used')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a gateway key by name or id; its gateway is cut off at once')
            break
        }
        'tokenctl;help;gateway-key;create' {
            break
        }
        'tokenctl;help;gateway-key;list' {
            break
        }
        'tokenctl;help;gateway-key;revoke' {
            break
        }
        'tokenctl;help;sync' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Pending changes, the oldest one''s age, last success and last error')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push to KV now and wait; --full reconciles the whole namespace')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print what KV should hold, as JSON in wrangler''s bulk format')
            break
        }
        'tokenctl;help;sync;status' {
            break
        }
        'tokenctl;help;sync;push' {
            break
        }
        'tokenctl;help;sync;export' {
            break
        }
        'tokenctl;help;webhook' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a webhook; its signing secret is printed once and never again')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List webhooks (never their secrets)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a webhook; deliveries not yet made are dropped')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send a `webhook.test` delivery; see how it went with `webhook deliveries`')
            [CompletionResult]::new('deliveries', 'deliveries', [CompletionResultType]::ParameterValue, 'A webhook''s deliveries, newest first: status, attempts, last error')
            break
        }
        'tokenctl;help;webhook;add' {
            break
        }
        'tokenctl;help;webhook;list' {
            break
        }
        'tokenctl;help;webhook;remove' {
            break
        }
        'tokenctl;help;webhook;test' {
            break
        }
        'tokenctl;help;webhook;deliveries' {
            break
        }
        'tokenctl;help;completions' {
            break
        }
        'tokenctl;help;man' {
            break
        }
        'tokenctl;help;version' {
            break
        }
        'tokenctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
