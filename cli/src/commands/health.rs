//! `tokenctl health`: the server's detailed health (and, with `--gateway`,
//! gateways' own health) as a table, with an exit code scripts and
//! monitoring can use.

use crate::client::{self, Globals};
use crate::config::Config;
use crate::error::{CliError, CliResult, Exit};
use crate::output::{self, Output};
use serde::Serialize;
use serde_json::Value;
use tokenctl_server::api::Health;
use url::Url;

const AFTER_HELP: &str = "\
Needs no credential: it reads GET /health/detailed on the server (database,
master key, KV sync, usage roll-up, admin API connections) and, for each
--gateway, GET /_gateway/health (config version and age, usage spool,
client connections).

Exits 0 when everything is healthy, 1 when anything is down, degraded or
unreachable (checks reported as `disabled` are not configured, which is
not a fault). Examples:
  tokenctl health
  tokenctl health --gateway http://10.0.0.5:8080 -o json";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Also check a gateway at this base URL (repeatable)
    #[arg(long = "gateway", value_name = "URL")]
    gateways: Vec<String>,
}

/// One component's view, as printed with `-o json`.
#[derive(Serialize)]
struct Report {
    url: String,
    healthy: bool,
    /// The component's own report; absent when it could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<Value>,
    /// Why it could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct Overall {
    healthy: bool,
    server: Report,
    gateways: Vec<Report>,
}

pub async fn run(g: &Globals, args: Args) -> CliResult {
    let out = g.output();
    let config = Config::load()?;
    let profile = config.profile_name(g.profile.as_deref());
    let server = client::server_url(g, &config, &profile)?;
    let server_report = fetch(&server, "health/detailed").await;
    let mut gateways = Vec::new();
    for url in &args.gateways {
        let base = client::parse_server(url)
            .map_err(|_| CliError::usage(format!("--gateway `{url}` is not an http(s) URL")))?;
        gateways.push(fetch(&base, "_gateway/health").await);
    }
    let server = judge(server_report, server_healthy);
    let gateways: Vec<Report> = gateways
        .into_iter()
        .map(|r| judge(r, gateway_healthy))
        .collect();
    let overall = Overall {
        healthy: server.healthy && gateways.iter().all(|r| r.healthy),
        server,
        gateways,
    };
    out.print_or(&overall, || {
        print_server(&out, &overall.server);
        for gateway in &overall.gateways {
            println!();
            print_gateway(&out, gateway);
        }
    });
    if overall.healthy {
        Ok(())
    } else {
        let unhealthy: Vec<&str> = std::iter::once(&overall.server)
            .chain(&overall.gateways)
            .filter(|r| !r.healthy)
            .map(|r| r.url.as_str())
            .collect();
        Err(CliError::new(
            Exit::Failure,
            "unhealthy",
            format!("not healthy: {}", unhealthy.join(", ")),
        ))
    }
}

/// What came back from one health endpoint: the body (also on 503, which
/// carries the same report), or why there is none.
struct Fetched {
    url: Url,
    body: Result<Value, String>,
}

async fn fetch(base: &Url, path: &str) -> Fetched {
    let mut url = base.clone();
    let prefix = url.path().trim_end_matches('/').to_string();
    url.set_path(&format!("{prefix}/{path}"));
    let body = async {
        let resp = client::http_client()
            .get(url.clone())
            .send()
            .await
            .map_err(|e| client::unreachable(base, &e).message)?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| format!("reading the answer failed: {e}"))?;
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .filter(Value::is_object)
            .ok_or_else(|| format!("{url} answered {status} without a health report"))
    }
    .await;
    Fetched { url, body }
}

fn judge(fetched: Fetched, healthy: fn(&Value) -> bool) -> Report {
    match fetched.body {
        Ok(report) => Report {
            url: fetched.url.to_string(),
            healthy: healthy(&report),
            report: Some(report),
            error: None,
        },
        Err(error) => Report {
            url: fetched.url.to_string(),
            healthy: false,
            report: None,
            error: Some(error),
        },
    }
}

/// The server is healthy when it says `ok` and no check is `down`.
fn server_healthy(report: &Value) -> bool {
    let Ok(health) = serde_json::from_value::<Health>(report.clone()) else {
        return false;
    };
    health.status == "ok" && health.checks.iter().all(|c| c.status != "down")
}

/// A gateway is healthy only when serving a config the server confirmed
/// recently (`stale`, `config_stale` and `no_config` are not).
fn gateway_healthy(report: &Value) -> bool {
    report["status"] == "ok"
}

fn status_text(out: &Output, status: &str) -> String {
    match status {
        "ok" => out.green(status),
        "disabled" => status.to_string(),
        _ => out.red(status),
    }
}

fn print_server(out: &Output, server: &Report) {
    let Some(report) = &server.report else {
        println!(
            "{} {}: {}",
            out.bold("Server"),
            server.url,
            out.red(server.error.as_deref().unwrap_or("unreachable"))
        );
        return;
    };
    let health = serde_json::from_value::<Health>(report.clone()).ok();
    let Some(health) = health else {
        println!(
            "{} {}: {}",
            out.bold("Server"),
            server.url,
            out.red("answered with an unexpected report")
        );
        return;
    };
    println!(
        "{} {} (version {}): {}",
        out.bold("Server"),
        server.url,
        health.version,
        status_text(out, &health.status)
    );
    let mut table = out.table(&["CHECK", "STATUS", "LATENCY", "DETAIL"]);
    for check in &health.checks {
        table.add_row(vec![
            check.name.clone(),
            status_text(out, &check.status),
            output::millis(check.latency_ms),
            check.message.clone(),
        ]);
    }
    println!("{table}");
    if let Some(c) = health.connections {
        println!(
            "Admin API connections: {} open of {}; {} accepted, {} evicted, {} timed out, {} idle-closed, {} accept errors",
            c.open, c.max, c.accepted, c.evicted, c.timed_out, c.idle_closed, c.accept_errors
        );
    }
}

fn print_gateway(out: &Output, gateway: &Report) {
    let Some(report) = &gateway.report else {
        println!(
            "{} {}: {}",
            out.bold("Gateway"),
            gateway.url,
            out.red(gateway.error.as_deref().unwrap_or("unreachable"))
        );
        return;
    };
    let text = |v: &Value| match v {
        Value::Null => "-".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let config = &report["config"];
    let usage = &report["usage"];
    let connections = &report["connections"];
    println!(
        "{} {} (version {}): {}",
        out.bold("Gateway"),
        gateway.url,
        text(&report["version"]),
        status_text(out, report["status"].as_str().unwrap_or("unknown"))
    );
    let age = config["age_secs"]
        .as_f64()
        .map(|s| format!("{s:.1} s ago"))
        .unwrap_or_else(|| "never".into());
    let max_stale = config["max_stale_secs"]
        .as_u64()
        .map(|s| format!("{s} s"))
        .unwrap_or_else(|| "no limit".into());
    let rows = vec![
        ("config version", text(&config["version"])),
        ("confirmed by the server", age),
        ("max stale", max_stale),
        (
            "tokens / routes",
            format!("{} / {}", text(&config["tokens"]), text(&config["routes"])),
        ),
        ("last error", text(&config["last_error"])),
        (
            "usage spool",
            format!(
                "{} events, {} of {} bytes",
                text(&usage["spool_depth"]),
                text(&usage["spool_bytes"]),
                text(&usage["spool_max_bytes"])
            ),
        ),
        ("usage sent", text(&usage["sent"])),
        (
            "usage dropped",
            format!(
                "{} denied, {} allowed",
                text(&usage["dropped"]["denied"]),
                text(&usage["dropped"]["allowed"])
            ),
        ),
        ("usage dead-lettered", text(&usage["dead_lettered"])),
        (
            "connections",
            format!(
                "{} open of {}; {} accepted, {} accept errors",
                text(&connections["open"]),
                text(&connections["max"]),
                text(&connections["accepted"]),
                text(&connections["accept_errors"])
            ),
        ),
    ];
    println!("{}", out.fields(rows));
}
