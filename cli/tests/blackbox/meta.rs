//! Health endpoints, the OpenAPI document and shell completions.

use crate::common::{http_get, Cli, BIN};
use crate::on_both_backends;
use serde_json::Value;

on_both_backends! {
    fn health_and_openapi(srv) {
        let (status, body) = http_get(&format!("{}/health", srv.url));
        assert_eq!(status, 200);
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["status"], "ok");
        let (status, body) = http_get(&format!("{}/health/detailed", srv.url));
        assert_eq!(status, 200, "{body}");
        let detailed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(detailed["checks"][0]["name"], "database");
        assert_eq!(detailed["checks"][0]["status"], "ok");
        let time = detailed["time"].as_str().unwrap();
        assert!(time.ends_with('Z'), "UTC with offset: {time}");

        let (status, body) = http_get(&format!("{}/v1/openapi.json", srv.url));
        assert_eq!(status, 200);
        let doc: Value = serde_json::from_str(&body).unwrap();
        for path in ["/v1/tokens", "/v1/tokens/{reference}", "/v1/tokens/{reference}/rotate", "/v1/routes", "/v1/secrets/{name}", "/v1/audit", "/health"] {
            assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
        }
        assert!(doc["components"]["schemas"].get("Token").is_some());

        // Every API route the server answers is documented: probe each
        // documented path and check that undocumented ones are 404.
        let (status, _) = http_get(&format!("{}/v1/undocumented", srv.url));
        assert_eq!(status, 404);
    }
}

#[test]
fn health_detailed_reports_a_dead_database() {
    let Some(srv) = crate::common::TestServer::start(crate::common::Backend::Postgres) else {
        return;
    };
    let (status, _) = http_get(&format!("{}/health/detailed", srv.url));
    assert_eq!(status, 200);
    srv.pg.as_ref().unwrap().drop_now();
    let (status, body) = http_get(&format!("{}/health/detailed", srv.url));
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"down\""));
    // Liveness does not depend on the database.
    assert_eq!(http_get(&format!("{}/health", srv.url)).0, 200);
}

#[test]
fn committed_completions_are_current() {
    let dir = crate::common::temp_dir();
    let cli = Cli::new("", None);
    cli.run(&["completions", "--write-dir", dir.path().to_str().unwrap()])
        .ok();
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../completions");
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 4);
    for name in names {
        let fresh = std::fs::read_to_string(dir.path().join(&name)).unwrap();
        let old = std::fs::read_to_string(committed.join(&name)).unwrap_or_default();
        assert!(
            fresh == old,
            "completions/{} is stale; regenerate with: cargo run -p tokenctl -- completions --write-dir completions",
            name.to_string_lossy()
        );
    }
    let bash = std::process::Command::new(BIN)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&bash.stdout).contains("tokenctl"));
}

#[test]
fn help_documents_exit_codes() {
    let out = std::process::Command::new(BIN)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("Exit codes") && help.contains("5  conflict"),
        "{help}"
    );
}

#[test]
fn committed_man_pages_are_current() {
    let dir = crate::common::temp_dir();
    let cli = Cli::new("", None);
    cli.run(&["man", "--write-dir", dir.path().to_str().unwrap()])
        .ok();
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/man");
    let names = |d: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .map(|r| {
                r.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let fresh_names = names(dir.path());
    let regenerate = "regenerate with: cargo run -p tokenctl -- man --write-dir docs/man";
    assert_eq!(
        fresh_names,
        names(&committed),
        "docs/man has other pages than the commands; delete it and {regenerate}"
    );
    // One page per command and subcommand, the version without commit or date.
    for name in [
        "tokenctl.1",
        "tokenctl-token-create.1",
        "tokenctl-gateway-key-create.1",
    ] {
        assert!(fresh_names.iter().any(|n| n == name), "{name} missing");
    }
    for name in fresh_names {
        let fresh = std::fs::read_to_string(dir.path().join(&name)).unwrap();
        let old = std::fs::read_to_string(committed.join(&name)).unwrap_or_default();
        assert!(fresh == old, "docs/man/{name} is stale; {regenerate}");
    }
    let root = std::fs::read_to_string(dir.path().join("tokenctl.1")).unwrap();
    assert!(
        root.contains(concat!("\"tokenctl ", env!("CARGO_PKG_VERSION"), "\"")),
        "{root}"
    );
    assert!(
        !root.contains("dirty")
            && !regex_lite::Regex::new(r"\d{4}-\d\d-\d\d")
                .unwrap()
                .is_match(&root)
    );

    // One page to stdout, for `man -l -`.
    let page = cli.run(&["man", "token", "create"]);
    assert!(page.ok().stdout.starts_with(".ie"), "{}", page.stdout);
    assert!(page.stdout.contains(".TH tokenctl-token-create 1"));
    let err = cli.run(&["man", "token", "nope"]);
    assert!(err.fails(2).contains("create, list"), "{}", err.stderr);
}

#[test]
fn version_names_the_commit_and_the_build_date() {
    let cli = Cli::new("", None);
    let line = cli.run(&["--version"]);
    let re = regex_lite::Regex::new(
        r"^tokenctl (\d+\.\d+\.\d+) \((?:([0-9a-f]{4,})(-dirty)? )?(\d{4}-\d\d-\d\d)\)\n$",
    )
    .unwrap();
    let caps = re
        .captures(&line.ok().stdout)
        .unwrap_or_else(|| panic!("unexpected --version: {:?}", line.stdout));
    assert_eq!(&caps[1], env!("CARGO_PKG_VERSION"));
    // Built from a git checkout, the binary names its HEAD; from a source
    // tarball, no commit.
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(&workspace)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let commit = caps.get(2).map_or("", |m| m.as_str());
    match &head {
        Some(head) => assert_eq!(commit, head, "the commit the binary was built from"),
        None => assert_eq!(commit, "", "no commit outside a git checkout"),
    }

    let id = cli.json(&["version"]);
    assert_eq!(id["version"], env!("CARGO_PKG_VERSION"));
    if head.is_some() {
        assert_eq!(id["commit"], commit);
    } else {
        assert!(id["commit"].is_null(), "{id}");
    }
    assert_eq!(id["dirty"], caps.get(3).is_some());
    assert_eq!(id["build_date"], &caps[4]);
    assert!(!id["target"].as_str().unwrap().is_empty());
    let table = cli.run(&["version"]);
    assert!(table.ok().stdout.contains(&caps[4]), "{}", table.stdout);
    assert!(table.stdout.contains(commit), "{}", table.stdout);
}
