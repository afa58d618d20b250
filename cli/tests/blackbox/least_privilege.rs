//! Least privilege for routes and upstream credentials, one test per
//! reproduction of the issue: route grants (which teams may use a route),
//! no capture of other routes' traffic, the upstream address policy (no
//! SSRF into private networks or metadata services) and secrets bound to
//! the hosts they may be sent to. Plus the upgrade of an existing database.

use crate::common::{audit_actions, runtime, Backend, Cli, Run, TestGateway, TestServer};
use crate::on_both_backends;
use crate::upstream::{Http, Reply, Upstream};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Creates a user with roles and returns a CLI authenticated as them.
fn user(srv: &TestServer, name: &str, roles: &[&str]) -> Cli {
    let mut args = vec!["user", "create", name];
    for r in roles {
        args.extend(["--role", r]);
    }
    let created = srv.cli().json(&args);
    Cli::new(&srv.url, created["secret"].as_str())
}

fn token(cli: &Cli, name: &str, extra: &[&str]) -> String {
    let mut args = vec!["token", "create", "--name", name];
    args.extend_from_slice(extra);
    cli.json(&args)["token"].as_str().unwrap().to_string()
}

/// Runs a command that must fail with `exit`, and returns the error's
/// stable code and message (from `-o json`).
fn refused(cli: &Cli, args: &[&str], exit: i32) -> (String, String) {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let run: Run = cli.run(&all);
    run.fails(exit);
    let v: Value = serde_json::from_str(run.stderr.trim())
        .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", run.stderr));
    (
        v["error"]["code"].as_str().unwrap().to_string(),
        v["error"]["message"].as_str().unwrap().to_string(),
    )
}

fn eventually(what: &str, check: impl FnMut() -> bool) -> Duration {
    eventually_within(Duration::from_secs(5), what, check)
}

fn eventually_within(limit: Duration, what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < limit,
            "{what} did not happen within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

fn status_code(r: &Reply) -> (u16, String) {
    (
        r.status,
        if r.status < 300 {
            String::new()
        } else {
            r.code()
        },
    )
}

fn port_of(url: &str) -> String {
    url.rsplit(':').next().unwrap().to_string()
}

/// The newest audit entry with `action` on `target`.
fn last_audit(cli: &Cli, action: &str, target: &str) -> Value {
    cli.json(&["audit", "list", "--action", action, "--target", target])[0].clone()
}

/// Puts a route or secret on the change log behind the API's back, as if
/// it had been changed (gateways then fetch it again).
fn touch(kind: &str, id: &str) -> String {
    format!(
        "INSERT INTO config_changes (at, entity_type, entity_id) \
         SELECT at, '{kind}', '{id}' FROM config_changes ORDER BY seq DESC LIMIT 1"
    )
}

on_both_backends! {
    /// Reproduction 1: a developer of any team minted a `*` (or `tag:llm`)
    /// token and called the `openai` route with the system-owned key.
    fn repro1_routes_are_usable_only_by_the_teams_granted_to_them(srv) {
        let admin = srv.cli();
        admin.json(&["team", "create", "ml"]);
        admin.json(&["team", "create", "web"]);
        let upstream = Upstream::start();
        admin.run_with_stdin(&["secret", "set", "OPENAI_KEY", "--host", "127.0.0.1"], "sk-system-owned").ok();
        let openai = admin.json(&[
            "route", "add", "openai", "--path", "/api/openai", "--upstream", &format!("{}/v1", upstream.url),
            "--auth", "bearer:OPENAI_KEY", "--tag", "llm", "--team", "ml",
        ]);
        assert_eq!(openai["teams"], json!(["ml"]));
        admin.json(&["route", "add", "shared", "--path", "/api/shared", "--upstream", &upstream.url, "--all-teams"]);
        let listed = admin.json(&["route", "list"]);
        let teams_of = |name: &str| listed.as_array().unwrap().iter().find(|r| r["name"] == name).unwrap()["teams"].clone();
        assert_eq!(teams_of("openai"), json!(["ml"]));
        assert_eq!(teams_of("shared"), json!(["*"]));
        assert_eq!(admin.json(&["route", "show", "shared"])["teams"], json!(["*"]));
        assert!(admin.run(&["route", "show", "openai"]).ok().stdout.contains("ml"));

        let ml_dev = user(&srv, "mia", &["ml:developer"]);
        let web_dev = user(&srv, "wes", &["web:developer"]);
        let ml_star = token(&ml_dev, "ml-star", &["--scope", "*"]);
        let web_star = token(&web_dev, "web-star", &["--scope", "*"]);
        let web_tag = token(&web_dev, "web-llm", &["--scope", "tag:llm"]);
        // Naming a route not granted to the team is refused at create and
        // update, whatever --allow-unknown-scope says.
        for args in [
            vec!["token", "create", "--name", "web-openai", "--scope", "openai"],
            vec!["token", "create", "--name", "web-openai", "--scope", "openai", "--allow-unknown-scope"],
            vec!["token", "update", "web-star", "--add-scope", "openai"],
            vec!["token", "update", "web-star", "--scope", "openai"],
        ] {
            let (code, message) = refused(&web_dev, &args, 2);
            assert_eq!(code, "route_not_granted", "{args:?}");
            assert!(message.contains("openai") && message.contains("web"), "{message}");
        }
        assert_eq!(web_dev.json(&["token", "show", "web-star"])["scopes"], json!(["*"]));

        let gw = TestGateway::start(&srv);
        gw.wait_ready();
        let http = Http::new();
        let openai_url = format!("{}/api/openai/chat/completions", gw.url);
        let call = |t: &str| status_code(&http.get(&openai_url, Some(t)));
        eventually("the ml token works", || call(&ml_star).0 == 200);
        let seen = http.get(&openai_url, Some(&ml_star)).json();
        assert_eq!(seen["headers"]["authorization"], "Bearer sk-system-owned");
        for t in [&web_star, &web_tag] {
            let r = http.get(&openai_url, Some(t));
            assert_eq!(status_code(&r), (403, "scope_denied".into()));
            assert!(!String::from_utf8_lossy(&r.body).contains("sk-system-owned"));
        }
        let shared = format!("{}/api/shared/x", gw.url);
        assert_eq!(http.get(&shared, Some(&web_star)).status, 200, "a route granted to all teams");

        // Granting is the system team's managers' business (its admins',
        // for a route approved for private addresses such as this one).
        let s_dev = user(&srv, "sid", &["system:developer"]);
        let s_mgr = user(&srv, "sam", &["system:manager"]);
        s_dev.run(&["route", "grant", "openai", "web"]).fails(4);
        web_dev.run(&["route", "grant", "openai", "web"]).fails(4);
        let (_, message) = refused(&s_mgr, &["route", "grant", "openai", "web"], 4);
        assert!(message.contains("private addresses"), "{message}");
        admin.run(&["route", "grant", "openai", "nosuchteam"]).fails(3);
        admin.json(&["route", "add", "remote", "--path", "/remote", "--upstream", "https://203.0.113.7", "--team", "ml"]);
        assert_eq!(s_mgr.json(&["route", "grant", "remote", "web"])["teams"], json!(["ml", "web"]));
        let granted = admin.json(&["route", "grant", "openai", "web"]);
        assert_eq!(granted["teams"], json!(["ml", "web"]));
        eventually("the web tokens reach openai", || call(&web_star).0 == 200 && call(&web_tag).0 == 200);
        token(&web_dev, "web-openai", &["--scope", "openai"]);
        let web_named = web_dev.json(&["token", "show", "web-openai"]);
        assert_eq!(web_named["scopes"], json!(["openai"]));

        // Withdrawing the grant: the team's calls are refused, its tokens stay.
        let ungranted = admin.json(&["route", "ungrant", "openai", "web"]);
        assert_eq!(ungranted["teams"], json!(["ml"]));
        let took = eventually("the web tokens lose openai", || call(&web_star) == (403, "scope_denied".into()));
        assert!(took < Duration::from_secs(2), "{took:?}");
        assert_eq!(call(&web_tag), (403, "scope_denied".into()));
        assert_eq!(call(&ml_star).0, 200);
        assert_eq!(web_dev.json(&["token", "show", "web-openai"])["scopes"], json!(["openai"]));

        // Audited, with who gained and who lost the route.
        let id = openai["id"].as_str().unwrap();
        assert_eq!(audit_actions(&admin, id), ["route.create", "route.grant", "route.ungrant"]);
        let grant = last_audit(&admin, "route.grant", id);
        assert_eq!((grant["actor"].as_str(), &grant["after"]["granted"]), (Some("admin"), &json!(["web"])));
        let ungrant = last_audit(&admin, "route.ungrant", id);
        assert_eq!(ungrant["after"]["withdrawn"], json!(["web"]));
        assert_eq!(ungrant["after"]["tokens_naming_route"][0]["name"], "web-openai");
        assert_eq!(ungrant["before"]["teams"], json!(["ml", "web"]));

        // Grants that change nothing write nothing; all-teams routes are
        // narrowed by withdrawing "all teams" first.
        admin.json(&["route", "grant", "openai", "ml"]);
        assert_eq!(audit_actions(&admin, id).len(), 3);
        let (_, message) = refused(&admin, &["route", "ungrant", "shared", "web"], 2);
        assert!(message.contains("--all-teams"), "{message}");
        let narrowed = admin.json(&["route", "ungrant", "shared", "--all-teams"]);
        assert_eq!(narrowed["teams"], json!([]));
        eventually("no team reaches shared", || http.get(&shared, Some(&web_star)).status == 403);
        // A route says who may use it when it is added.
        refused(&admin, &["route", "add", "x", "--path", "/x", "--upstream", "http://203.0.113.9"], 2);
    }

    /// Reproduction 2: a system-team developer added a route nested under
    /// `/api/openai` (or a catch-all `/`) and took the other routes' calls.
    fn repro2_a_developer_cannot_capture_other_routes(srv) {
        let admin = srv.cli();
        let upstream = Upstream::start();
        // A public route, as OpenAI's is, and a local one for the gateway.
        admin.json(&["route", "add", "openai", "--all-teams", "--path", "/api/openai", "--upstream", "https://api.openai.com/v1", "--tag", "llm"]);
        admin.run_with_stdin(&["secret", "set", "ECHO_KEY", "--host", "127.0.0.1"], "sk-sys").ok();
        admin.json(&[
            "route", "add", "echo", "--path", "/api/echo", "--upstream", &format!("{}/v1", upstream.url),
            "--auth", "bearer:ECHO_KEY", "--tag", "llm", "--all-teams",
        ]);
        let tokens = [
            token(&admin, "star", &["--scope", "*"]),
            token(&admin, "tagged", &["--scope", "tag:llm"]),
            token(&admin, "named", &["--scope", "echo"]),
        ];
        let s_dev = user(&srv, "sid", &["system:developer"]);
        for path in ["/api/openai/chat", "/api/openai/chat/completions", "/", "/api"] {
            let (code, message) = refused(&s_dev, &[
                "route", "add", "capture", "--all-teams", "--path", path, "--upstream", "http://203.0.113.9:9000",
            ], 4);
            assert_eq!(code, "forbidden");
            assert!(message.contains("`openai`") || message.contains("`echo`"), "{path}: {message}");
        }
        let (_, message) = refused(&s_dev, &["route", "add", "capture", "--all-teams", "--path", "/api/openai/chat", "--upstream", "http://203.0.113.9"], 4);
        assert!(message.contains("nested under route `openai`") && message.contains("manager"), "{message}");
        let (_, message) = refused(&s_dev, &["route", "add", "capture", "--all-teams", "--path", "/api/echo/chat", "--upstream", "http://203.0.113.9"], 4);
        assert!(message.contains("`echo`") && message.contains("admin"), "{message}");
        assert_eq!(admin.json(&["route", "list"]).as_array().unwrap().len(), 2, "nothing was added");

        // Every kind of scope still reaches the real upstream, with its key.
        let gw = TestGateway::start(&srv);
        gw.wait_ready();
        let http = Http::new();
        let url = format!("{}/api/echo/chat/completions", gw.url);
        eventually("the gateway has the route", || http.get(&url, Some(&tokens[0])).status == 200);
        for t in &tokens {
            let seen = http.get(&url, Some(t)).json();
            assert_eq!(seen["path"], "/v1/chat/completions");
            assert_eq!(seen["headers"]["authorization"], "Bearer sk-sys");
        }

        // A route beside the others shadows nothing: a developer may add it.
        s_dev.json(&["route", "add", "other", "--all-teams", "--path", "/api/other", "--upstream", "http://203.0.113.9"]);
        s_dev.json(&["route", "add", "openaix", "--all-teams", "--path", "/api/openaix", "--upstream", "http://203.0.113.9"]);

        // Whoever may change `openai` may shadow it; the audit names what it shadows.
        let s_mgr = user(&srv, "sam", &["system:manager"]);
        let chat = s_mgr.json(&["route", "add", "chat", "--all-teams", "--path", "/api/openai/chat", "--upstream", "http://203.0.113.9"]);
        let created = last_audit(&admin, "route.create", chat["id"].as_str().unwrap());
        assert_eq!(created["after"]["shadows"], json!([{"name": "openai", "path": "/api/openai", "relation": "nested_under"}]));
        // A route that shadows nothing has no `shadows`.
        let other = admin.json(&["route", "show", "other"]);
        assert!(last_audit(&admin, "route.create", other["id"].as_str().unwrap())["after"].get("shadows").is_none());
        // A catch-all takes requests around every route, the local one
        // included: only an admin may add it here.
        let (_, message) = refused(&s_mgr, &["route", "add", "root", "--all-teams", "--path", "/", "--upstream", "http://203.0.113.9"], 4);
        assert!(message.contains("`echo`") && message.contains("admin"), "{message}");
        let root = admin.json(&["route", "add", "root", "--all-teams", "--path", "/", "--upstream", "http://203.0.113.9"]);
        let created = last_audit(&admin, "route.create", root["id"].as_str().unwrap());
        let mut shadowed: Vec<&str> = created["after"]["shadows"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        shadowed.sort();
        assert_eq!(shadowed, ["chat", "echo", "openai", "openaix", "other"]);
        assert!(created["after"]["shadows"].as_array().unwrap().iter().all(|s| s["relation"] == "prefix_of"));

        // Under `/`, every new path shadows it; moving a path is checked the same way.
        refused(&s_dev, &["route", "add", "late", "--all-teams", "--path", "/late", "--upstream", "http://203.0.113.9"], 4);
        let moved = s_mgr.json(&["route", "update", "other", "--path", "/api/openai/other"]);
        let updated = last_audit(&admin, "route.update", moved["id"].as_str().unwrap());
        let names: Vec<&str> = updated["after"]["shadows"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["root", "openai"]);
        refused(&s_mgr, &["route", "update", "other", "--path", "/api/echo/other"], 4);
    }

    /// Reproduction 3: a developer pointed a route at the control plane
    /// (127.0.0.1:<server port>) or the cloud metadata service.
    fn repro3_upstreams_into_private_networks_need_a_system_admin(srv) {
        let admin = srv.cli();
        let port = port_of(&srv.url);
        let s_dev = user(&srv, "sid", &["system:developer"]);
        let s_mgr = user(&srv, "sam", &["system:manager"]);
        let private = [
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
            format!("http://2130706433:{port}"),
            format!("http://[::1]:{port}"),
            "http://10.0.0.5:8080".to_string(),
            "http://192.168.1.1".to_string(),
            "http://[fd12::1]".to_string(),
        ];
        for cli in [&s_dev, &s_mgr] {
            for upstream in &private {
                let (code, message) = refused(cli, &["route", "add", "internal", "--all-teams", "--path", "/internal", "--upstream", upstream], 4);
                assert_eq!(code, "forbidden");
                assert!(message.contains("admin"), "{upstream}: {message}");
            }
        }
        let (_, message) = refused(&s_dev, &["route", "add", "internal", "--all-teams", "--path", "/internal", "--upstream", &private[0]], 4);
        assert!(message.contains("this server's own address"), "{message}");
        // Cloud metadata: refused for everyone without the server flag.
        for cli in [&s_dev, &s_mgr, &admin] {
            for upstream in ["http://169.254.169.254/latest", "http://[fd00:ec2::254]/latest", "http://[::ffff:169.254.169.254]"] {
                let (code, message) = refused(cli, &["route", "add", "meta", "--all-teams", "--path", "/meta", "--upstream", upstream], 2);
                assert_eq!(code, "upstream_forbidden");
                assert!(message.contains("--allow-metadata-upstreams"), "{message}");
            }
        }
        assert!(admin.json(&["route", "list"]).as_array().unwrap().is_empty());
        // Nor through the approval flag, which is for admins.
        refused(&s_mgr, &["route", "add", "p", "--all-teams", "--path", "/p", "--upstream", "http://203.0.113.9", "--private-upstream"], 4);

        // The control plane stays unreachable through the gateway.
        let all = token(&admin, "all", &["--scope", "*"]);
        let gw = TestGateway::start(&srv);
        gw.wait_ready();
        let http = Http::new();
        let health = format!("{}/internal/health/detailed", gw.url);
        assert_eq!(status_code(&http.get(&health, Some(&all))), (404, "route_not_found".into()));

        // An admin may add it on purpose: the route is approved for private addresses.
        let internal = admin.json(&["route", "add", "internal", "--all-teams", "--path", "/internal", "--upstream", &private[0]]);
        assert_eq!(internal["upstream_access"], "private");
        assert!(admin.run(&["route", "show", "internal"]).ok().stdout.contains("approved"));
        eventually("the approved route works", || http.get(&format!("{}/internal/health", gw.url), Some(&all)).status == 200);
        // Changing it, or re-pointing a public route inward, is for admins too.
        refused(&s_mgr, &["route", "update", "internal", "--description", "x"], 4);
        refused(&s_mgr, &["route", "ungrant", "internal", "--all-teams"], 4);
        s_mgr.json(&["route", "add", "public", "--all-teams", "--path", "/public", "--upstream", "http://203.0.113.9"]);
        assert_eq!(admin.json(&["route", "show", "public"])["upstream_access"], "public");
        refused(&s_mgr, &["route", "update", "public", "--upstream", &private[4]], 4);
        // Moving an approved route to a public host drops the approval.
        admin.json(&["route", "add", "moving", "--all-teams", "--path", "/moving", "--upstream", &private[4]]);
        let moved = admin.json(&["route", "update", "moving", "--upstream", "https://203.0.113.7"]);
        assert_eq!(moved["upstream_access"], "public");

        // At connect time: a name that resolves to a private address is
        // refused unless the route was approved for that. Simulate a name
        // that was public when the route was added and has since moved.
        let upstream = Upstream::start();
        let named = admin.json(&["route", "add", "named", "--all-teams", "--path", "/named", "--upstream", &format!("http://localhost:{}", port_of(&upstream.url))]);
        assert_eq!(named["upstream_access"], "private", "localhost resolves to loopback");
        let named_url = format!("{}/named/x", gw.url);
        eventually("the approved name works", || http.get(&named_url, Some(&all)).status == 200);
        let id = named["id"].as_str().unwrap();
        srv.sql(&[
            "UPDATE routes SET upstream_access = 'public' WHERE name = 'named'".to_string(),
            touch("route", id),
        ]);
        eventually("the gateway refuses to connect", || status_code(&http.get(&named_url, Some(&all))) == (502, "upstream_forbidden".into()));
        // The same for an upstream written as an address (decided by the core).
        srv.sql(&[
            "UPDATE routes SET upstream_access = 'public' WHERE name = 'internal'".to_string(),
            touch("route", internal["id"].as_str().unwrap()),
        ]);
        eventually("the gateway refuses the address", || status_code(&http.get(&health, Some(&all))) == (502, "upstream_forbidden".into()));
        // Both refusals are recorded as usage.
        eventually("usage recorded", || {
            let recent = admin.json(&["usage", "recent", "--status", "502"]);
            let codes: Vec<&str> = recent.as_array().map(|a| a.iter().filter_map(|c| c["error_code"].as_str()).collect()).unwrap_or_default();
            codes.iter().filter(|c| **c == "upstream_forbidden").count() >= 2
        });
    }

    /// Reproduction 4: a system-team manager re-pointed the `openai` route
    /// to a host of theirs and the gateway injected OPENAI_KEY there.
    fn repro4_secrets_are_sent_only_to_their_hosts(srv) {
        let admin = srv.cli();
        let set = admin.run_with_stdin(&["secret", "set", "OPENAI_KEY", "--host", "api.openai.com", "-o", "json"], "sk-openai").json();
        assert_eq!(set["hosts"], json!(["api.openai.com"]));
        admin.json(&[
            "route", "add", "openai", "--all-teams", "--path", "/api/openai", "--upstream", "https://api.openai.com/v1",
            "--auth", "bearer:OPENAI_KEY",
        ]);
        let s_mgr = user(&srv, "sam", &["system:manager"]);
        // Re-pointing the route to another host is refused.
        let (code, message) = refused(&s_mgr, &["route", "update", "openai", "--upstream", "http://203.0.113.9:9000/v1"], 2);
        assert_eq!(code, "secret_host_not_allowed");
        assert!(message.contains("OPENAI_KEY") && message.contains("203.0.113.9"), "{message}");
        assert_eq!(admin.json(&["route", "show", "openai"])["upstream"], "https://api.openai.com/v1");
        // So is a new route that would carry it elsewhere.
        let (code, _) = refused(&s_mgr, &["route", "add", "evil", "--all-teams", "--path", "/evil", "--upstream", "http://203.0.113.9", "--auth", "bearer:OPENAI_KEY"], 2);
        assert_eq!(code, "secret_host_not_allowed");
        // Or the same route's auth switched to it after a move.
        s_mgr.json(&["route", "add", "mine", "--all-teams", "--path", "/mine", "--upstream", "http://203.0.113.9"]);
        refused(&s_mgr, &["route", "update", "mine", "--auth", "header:X-Key:OPENAI_KEY"], 2);

        // Only a system admin changes where a secret may go.
        refused(&s_mgr, &["secret", "set", "OPENAI_KEY", "--keep-value", "--host", "203.0.113.9"], 4);
        s_mgr.run_with_stdin(&["secret", "set", "OPENAI_KEY", "--host", "203.0.113.9"], "sk-mine").fails(4);
        // A manager may still replace the value; the hosts stay.
        let replaced = s_mgr.run_with_stdin(&["secret", "set", "OPENAI_KEY", "-o", "json"], "sk-rotated").json();
        assert_eq!((replaced["version"].as_i64(), &replaced["hosts"]), (Some(2), &json!(["api.openai.com"])));
        // Hosts that would strand a route using the secret are refused.
        let (code, message) = refused(&admin, &["secret", "set", "OPENAI_KEY", "--keep-value", "--host", "other.example"], 2);
        assert_eq!(code, "secret_host_not_allowed");
        assert!(message.contains("openai (api.openai.com)"), "{message}");
        let widened = admin.json(&["secret", "set", "OPENAI_KEY", "--keep-value", "--host", "api.openai.com", "--host", "*.OpenAI.com"]);
        assert_eq!(widened["hosts"], json!(["*.openai.com", "api.openai.com"]));
        assert_eq!(widened["version"], 2, "the value is kept");
        let audited = last_audit(&admin, "secret.hosts", "OPENAI_KEY");
        assert_eq!((&audited["before"]["hosts"], &audited["after"]["hosts"]), (&json!(["api.openai.com"]), &json!(["*.openai.com", "api.openai.com"])));
        // Wildcards cover hosts below the domain, never the domain itself.
        s_mgr.json(&["route", "add", "eu", "--all-teams", "--path", "/eu", "--upstream", "https://eu.api.openai.com/v1", "--auth", "bearer:OPENAI_KEY"]);
        let (code, _) = refused(&s_mgr, &["route", "add", "apex", "--all-teams", "--path", "/apex", "--upstream", "https://openai.com", "--auth", "bearer:OPENAI_KEY"], 2);
        assert_eq!(code, "secret_host_not_allowed");
        // A secret set without hosts can be used by no route until an admin binds it.
        let s_dev = user(&srv, "sid", &["system:developer"]);
        s_dev.run_with_stdin(&["secret", "set", "NEW_KEY"], "sk-new").ok();
        let (_, message) = refused(&admin, &["route", "add", "new", "--all-teams", "--path", "/new", "--upstream", "http://203.0.113.9", "--auth", "bearer:NEW_KEY"], 2);
        assert!(message.contains("no host yet"), "{message}");
        refused(&s_mgr, &["secret", "set", "NEW_KEY", "--keep-value", "--host", "203.0.113.9"], 4);
        admin.json(&["secret", "set", "NEW_KEY", "--keep-value", "--host", "203.0.113.9"]);
        s_mgr.json(&["route", "add", "new", "--all-teams", "--path", "/new", "--upstream", "http://203.0.113.9", "--auth", "bearer:NEW_KEY"]);
        let list = admin.run(&["secret", "list"]).ok().stdout.clone();
        assert!(list.contains("HOSTS") && list.contains("*.openai.com"), "{list}");
        // Bad host patterns are refused before anything is sent.
        for bad in ["api.openai.com:443", "*.com", "https://x.example"] {
            admin.run(&["secret", "set", "X", "--keep-value", "--host", bad]).fails(2);
        }

        // At the gateway a key reaches its host...
        let upstream = Upstream::start();
        admin.run_with_stdin(&["secret", "set", "LOCAL_KEY", "--host", "127.0.0.1"], "sk-local").ok();
        admin.json(&["route", "add", "local", "--all-teams", "--path", "/local", "--upstream", &upstream.url, "--auth", "bearer:LOCAL_KEY"]);
        // (an admin may approve a private upstream, but not move a key to another host)
        let (code, _) = refused(&admin, &["route", "update", "local", "--upstream", &format!("http://localhost:{}", port_of(&upstream.url))], 2);
        assert_eq!(code, "secret_host_not_allowed");
        let star = token(&admin, "star", &["--scope", "*"]);
        let gw = TestGateway::start(&srv);
        gw.wait_ready();
        let http = Http::new();
        let url = format!("{}/local/x", gw.url);
        eventually("the key is injected", || http.get(&url, Some(&star)).status == 200);
        assert_eq!(http.get(&url, Some(&star)).json()["headers"]["authorization"], "Bearer sk-local");
        // ...and nowhere else, even if the config says otherwise (as a
        // database edited behind the server's back would): the gateway core
        // refuses to build the credential for a host the secret is not bound to.
        srv.sql(&[
            "UPDATE secrets SET hosts = '[\"api.openai.com\"]' WHERE name = 'LOCAL_KEY'".to_string(),
            touch("secret", "LOCAL_KEY"),
        ]);
        eventually("the gateway withholds the key", || {
            let r = http.get(&url, Some(&star));
            status_code(&r) == (502, "upstream_auth_unavailable".into()) && !String::from_utf8_lossy(&r.body).contains("sk-")
        });
        assert!(gw.log().contains("may not be sent to host `127.0.0.1`"), "{}", gw.log());
    }
}

/// Rows as the older version wrote them: a route to a local upstream
/// using secret `K`, and one to a public address without auth.
macro_rules! seed {
    ($c:ident, $rows:ident) => {{
        let now = chrono::Utc::now();
        let secret = uuid::Uuid::now_v7();
        sqlx::query(
            "INSERT INTO secrets (id, name, ciphertext, fingerprint, version, set_at, created_at) \
             VALUES ($1, 'K', $2, $3, 1, $4, $4)",
        )
        .bind(secret)
        .bind(&$rows.sealed)
        .bind(&$rows.fingerprint)
        .bind(now)
        .execute(&mut $c)
        .await
        .unwrap();
        for (name, upstream, auth) in [
            ("local", $rows.local.as_str(), json!({"type": "bearer", "secret": "K"})),
            ("public", "https://203.0.113.7", json!({"type": "none"})),
        ] {
            let id = uuid::Uuid::now_v7();
            sqlx::query(
                "INSERT INTO routes (id, name, path, upstream, description, tags, auth, timeout_ms, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, '', $5, $6, 5000, $7, $7)",
            )
            .bind(id)
            .bind(name)
            .bind(format!("/{name}"))
            .bind(upstream)
            .bind(sqlx::types::Json(json!([])))
            .bind(sqlx::types::Json(auth))
            .bind(now)
            .execute(&mut $c)
            .await
            .unwrap();
            if name == "local" {
                sqlx::query("INSERT INTO route_secrets (route_id, secret_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(secret)
                    .execute(&mut $c)
                    .await
                    .unwrap();
            }
        }
    }};
}

/// Starts a server on a database that an older tokenctl (migrations up to
/// 0006) left with two routes and a secret, and checks what the upgrade did.
fn upgrade(backend: Backend) {
    let Some(mut srv) = TestServer::create(backend, &[]) else {
        return;
    };
    let upstream = Upstream::start();
    let key = tokenctl_server::crypto::MasterKey::from_hex(&srv.master_key).unwrap();
    let sealed = key.seal("K", b"sk-from-before");
    let fingerprint = key.fingerprint(b"sk-from-before");
    let local = format!("{}/v1", upstream.url);
    let rows = Seed {
        local: local.clone(),
        sealed,
        fingerprint,
    };
    match backend {
        Backend::Sqlite => {
            let path = srv.dir.path().join("tokenctl.db");
            runtime().block_on(async move {
                use sqlx::sqlite::SqliteConnectOptions;
                use sqlx::ConnectOptions;
                let mut c = SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true)
                    .connect()
                    .await
                    .unwrap();
                migrate_to_0006(&mut c, "sqlite").await;
                seed!(c, rows);
            });
        }
        Backend::Postgres => {
            let url = srv.database_url.clone();
            runtime().block_on(async move {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                migrate_to_0006(&mut c, "postgres").await;
                seed!(c, rows);
            });
        }
    }
    srv.spawn();
    let admin = srv.cli();
    let local_route = admin.json(&["route", "show", "local"]);
    assert_eq!(local_route["teams"], json!(["*"]));
    assert_eq!(
        local_route["upstream_access"], "private",
        "it reached 127.0.0.1 before"
    );
    let public = admin.json(&["route", "show", "public"]);
    assert_eq!(
        (&public["teams"], &public["upstream_access"]),
        (&json!(["*"]), &json!("public"))
    );
    let secrets = admin.json(&["secret", "list"]);
    assert_eq!(secrets[0]["hosts"], json!(["127.0.0.1"]));
    assert_eq!(secrets[0]["version"], 1, "the value is untouched");
    assert_eq!(audit_actions(&admin, "K"), ["secret.hosts"]);
    let classified = last_audit(&admin, "route.update", "local");
    assert_eq!(
        (
            classified["actor"].as_str(),
            &classified["after"]["upstream_access"]
        ),
        (Some("system"), &json!("private"))
    );

    // Any team's token may still use both routes, with the key as before.
    admin.json(&["team", "create", "late"]);
    let t = token(
        &admin,
        "late-token",
        &["--scope", "local", "--team", "late"],
    );
    let gw = TestGateway::start(&srv);
    gw.wait_ready();
    let http = Http::new();
    let url = format!("{}/local/x", gw.url);
    eventually("the old route works for a new team", || {
        http.get(&url, Some(&t)).status == 200
    });
    assert_eq!(
        http.get(&url, Some(&t)).json()["headers"]["authorization"],
        "Bearer sk-from-before"
    );

    // Done once: a restart changes nothing more.
    let entries = admin
        .json(&["audit", "list", "--limit", "1000"])
        .as_array()
        .unwrap()
        .len();
    srv.spawn();
    let again = srv
        .cli()
        .json(&["audit", "list", "--limit", "1000"])
        .as_array()
        .unwrap()
        .len();
    assert_eq!(entries, again);
}

struct Seed {
    local: String,
    sealed: Vec<u8>,
    fingerprint: String,
}

/// Applies the migrations an older tokenctl had (0001–0006), from the
/// same files the server embeds.
async fn migrate_to_0006<C: sqlx::migrate::Migrate>(c: &mut C, flavour: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(flavour);
    let migrator = sqlx::migrate::Migrator::new(dir).await.unwrap();
    c.ensure_migrations_table().await.unwrap();
    for m in migrator.iter().filter(|m| m.version <= 6) {
        c.apply(m).await.unwrap();
    }
}

/// Upgrading keeps today's behaviour: existing routes are granted to every
/// team, and existing secrets are bound to the hosts of the routes that use
/// them.
mod upgrade_from_0006 {
    mod sqlite {
        #[test]
        fn existing_routes_serve_every_team_and_secrets_keep_their_hosts() {
            super::super::upgrade(crate::common::Backend::Sqlite);
        }
    }
    mod postgres {
        #[test]
        fn existing_routes_serve_every_team_and_secrets_keep_their_hosts() {
            super::super::upgrade(crate::common::Backend::Postgres);
        }
    }
}
