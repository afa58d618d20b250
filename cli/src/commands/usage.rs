//! `tokenctl usage …` and `tokenctl overview`: who calls what, how often,
//! how fast, how badly — as tables and sparklines, or JSON/CSV for scripts.

mod lists;
mod spend;

use crate::client::{segment, Client, Globals};
use crate::error::{CliError, CliResult, Exit};
use crate::output::{self, count, millis, percent, sparkline, Output};
use std::fmt::Write as _;
use std::time::Duration;
use tokenctl_server::api::{
    input, Overview, RouteUsage, TokenUsage, UsageCall, UsageRow, UsageSummary, UsageTotals,
    UsageWindow,
};

#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_long_help = "\
Windows: --since 1h, 24h (default), 7d, 30d, a date (2026-11-01) or an RFC 3339 time;
--until likewise (default now). Every report says which window and bucket width it
shows; windows are widened to whole buckets (1m, 5m, 1h or 1d). Old windows get
coarser buckets: per-minute data is kept 7 days, per-hour 180 days, per-day 2 years.

Examples:
  tokenctl usage                                  # the last 24 hours
  tokenctl usage tokens --since 7d --sort p95 --limit 20
  tokenctl usage tokens --since 30d --all -o jsonl | jq -r 'select(.calls == 0) | .name'
  tokenctl usage token n8n-prod --since 1h --watch
  tokenctl usage routes --since 30d -o csv > routes.csv
  tokenctl usage recent --status 502"
)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    window: Window,
    #[command(flatten)]
    watch: Watch,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Window {
    /// Start: 1h, 24h, 7d, 30d, a date or an RFC 3339 time
    #[arg(long, default_value = "24h")]
    since: String,
    /// End: same forms [default: now]
    #[arg(long)]
    until: Option<String>,
    /// Only this team
    #[arg(long)]
    team: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Watch {
    /// Redraw every --interval until Ctrl-C
    #[arg(long)]
    watch: bool,
    /// Refresh interval for --watch
    #[arg(long, default_value = "2s")]
    interval: humantime::Duration,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// One row per token: calls, errors, success, p95, last used, trend
    Tokens(ListArgs),
    /// One row per route: calls, errors, success, p95, last used, trend
    Routes(ListArgs),
    /// One token: totals, timeline, by route, by status, recent calls
    Token(DetailArgs),
    /// One route: totals, latency trend, top tokens, recent calls
    Route(DetailArgs),
    /// The most recent calls
    Recent(RecentArgs),
}

#[derive(Debug, clap::Args)]
struct ListArgs {
    #[command(flatten)]
    window: Window,
    /// calls, errors, p95, name or last_used
    #[arg(long, default_value = "calls")]
    sort: String,
    #[command(flatten)]
    page: crate::listing::PageArgs,
    #[command(flatten)]
    watch: Watch,
}

#[derive(Debug, clap::Args)]
struct DetailArgs {
    /// Token id or name / route name, id or path
    reference: String,
    #[command(flatten)]
    window: Window,
    /// Recent calls to show
    #[arg(long, default_value_t = 10)]
    recent: u32,
    #[command(flatten)]
    watch: Watch,
}

#[derive(Debug, clap::Args)]
struct RecentArgs {
    #[arg(long, default_value_t = 100)]
    limit: u32,
    /// Only the calls of this API token (id or name). Not `--token`: that
    /// is the admin credential of every command.
    #[arg(long, value_name = "TOKEN")]
    api_token: Option<String>,
    /// Route name, id or path
    #[arg(long)]
    route: Option<String>,
    /// Only this HTTP status
    #[arg(long)]
    status: Option<u16>,
    #[arg(long)]
    team: Option<String>,
    #[command(flatten)]
    watch: Watch,
}

fn window_query(w: &Window) -> CliResult<Vec<(&'static str, String)>> {
    let now = tokenctl_server::api::now();
    input::moment("since", &w.since, now)?;
    let mut q = vec![("since", w.since.clone())];
    if let Some(u) = &w.until {
        input::moment("until", u, now)?;
        q.push(("until", u.clone()));
    }
    if let Some(t) = &w.team {
        q.push(("team", t.clone()));
    }
    Ok(q)
}

/// Fetches and renders one frame; with `--watch`, again and again.
async fn show<F, Fut>(out: &Output, watch: &Watch, frame: F) -> CliResult
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = CliResult<String>>,
{
    if !watch.watch {
        print!("{}", frame().await?);
        return Ok(());
    }
    if out.json() || out.csv() {
        return Err(CliError::usage(
            "--watch draws tables; use it without -o json/csv",
        ));
    }
    let interval: Duration = watch.interval.into();
    let term = console::Term::stdout();
    let _ = term.hide_cursor();
    let result = loop {
        let text = match frame().await {
            Ok(t) => t,
            Err(e) => break Err(e),
        };
        if let Err(e) = redraw(&term, &text) {
            break Err(CliError::new(Exit::Failure, "terminal", e.to_string()));
        }
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break Ok(()),
            () = tokio::time::sleep(interval) => {}
        }
    };
    let _ = term.show_cursor();
    result
}

/// Draws `text` over the previous frame: from the top, each line cleared
/// just before it is written, then what is left below: no flicker.
fn redraw(term: &console::Term, text: &str) -> std::io::Result<()> {
    term.move_cursor_to(0, 0)?;
    for line in text.lines() {
        term.clear_line()?;
        term.write_line(line)?;
    }
    term.clear_to_end_of_screen()?;
    term.flush()
}

pub async fn run(g: &Globals, args: Args) -> CliResult {
    let out = g.output();
    let client = Client::connect(g).await?;
    match args.command {
        None => {
            let q = window_query(&args.window)?;
            show(&out, &args.watch, || async {
                let s: UsageSummary = client.get("/v1/usage", &q).await?;
                render_summary(&out, &s)
            })
            .await
        }
        Some(Command::Tokens(a)) => {
            lists::print(&client, &out, "/v1/usage/tokens", "TOKEN", a).await
        }
        Some(Command::Routes(a)) => {
            lists::print(&client, &out, "/v1/usage/routes", "ROUTE", a).await
        }
        Some(Command::Token(a)) => {
            let mut q = window_query(&a.window)?;
            q.push(("recent", a.recent.to_string()));
            let path = format!("/v1/usage/tokens/{}", segment(&a.reference));
            show(&out, &a.watch, || async {
                let u: TokenUsage = client.get(&path, &q).await?;
                render_token(&out, &u)
            })
            .await
        }
        Some(Command::Route(a)) => {
            let mut q = window_query(&a.window)?;
            q.push(("recent", a.recent.to_string()));
            let path = format!("/v1/usage/routes/{}", segment(&a.reference));
            show(&out, &a.watch, || async {
                let u: RouteUsage = client.get(&path, &q).await?;
                render_route(&out, &u)
            })
            .await
        }
        Some(Command::Recent(a)) => {
            let mut q = vec![("limit", a.limit.to_string())];
            for (k, v) in [
                ("token", &a.api_token),
                ("route", &a.route),
                ("team", &a.team),
            ] {
                if let Some(v) = v {
                    q.push((k, v.clone()));
                }
            }
            if let Some(s) = a.status {
                q.push(("status", s.to_string()));
            }
            show(&out, &a.watch, || async {
                let calls: Vec<UsageCall> = client.get("/v1/usage/recent", &q).await?;
                render_calls(&out, &calls, "Recent calls")
            })
            .await
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("serialises");
    s.push('\n');
    s
}

fn heading(out: &Output, w: &UsageWindow) -> String {
    let mut text = format!(
        "{} {} – {} UTC, {} buckets of {}\n",
        out.bold("Window"),
        w.since.format("%Y-%m-%d %H:%M"),
        w.until.format("%Y-%m-%d %H:%M"),
        w.buckets,
        w.bucket
    );
    if let Some(t) = w.uncovered_until {
        let _ = writeln!(
            text,
            "{}",
            out.red(&format!(
                "Not covered before {} UTC: usage data that old is no longer kept.",
                t.format("%Y-%m-%d %H:%M")
            ))
        );
    }
    text
}

/// What a report without calls says: that the window held none, or that
/// nothing of it is kept any more.
fn no_data(w: &UsageWindow) -> &'static str {
    if w.uncovered_until.is_some_and(|t| t >= w.until) {
        "No usage data is kept for this window any more."
    } else {
        "No data in this window."
    }
}

fn errors_text(out: &Output, t: &UsageTotals) -> String {
    let classes: Vec<String> = t
        .by_class
        .iter()
        .filter(|(c, _)| c.starts_with('4') || c.starts_with('5'))
        .map(|(c, n)| format!("{c} {}", count(*n)))
        .collect();
    let n = count(t.errors);
    let n = if t.errors > 0 { out.red(&n) } else { n };
    if classes.is_empty() {
        n
    } else {
        format!("{n} ({})", classes.join(", "))
    }
}

fn totals_rows(
    out: &Output,
    t: &UsageTotals,
    w: &UsageWindow,
    calls: &[i64],
    errors: &[i64],
) -> String {
    let mut rows = vec![
        ("calls", count(t.calls)),
        (
            "success",
            match t.success_rate {
                Some(r) if r >= 99.0 => out.green(&percent(Some(r))),
                Some(r) if r < 90.0 => out.red(&percent(Some(r))),
                other => percent(other),
            },
        ),
        ("errors", errors_text(out, t)),
        (
            "latency",
            format!(
                "p50 {} · p95 {} · p99 {}",
                millis(t.p50_ms),
                millis(t.p95_ms),
                millis(t.p99_ms)
            ),
        ),
    ];
    let label_calls = format!("calls/{}", w.bucket);
    let label_errors = format!("errors/{}", w.bucket);
    rows.push((label_calls.as_str(), sparkline(calls)));
    rows.push((label_errors.as_str(), out.red(&sparkline(errors))));
    format!("{}\n", out.fields(rows))
}

fn rows_table(out: &Output, rows: &[UsageRow], what: &str, trend: bool, header: bool) -> String {
    let mut columns = vec![
        what,
        "TEAM",
        "CALLS",
        "ERRORS",
        "SUCCESS",
        "P95",
        "LAST USED",
    ];
    let llm = spend::any(rows);
    if llm {
        columns.extend(["TOKENS IN", "TOKENS OUT", "COST"]);
    }
    if trend {
        columns.push("TREND");
    }
    let mut t = if header {
        out.table(&columns)
    } else {
        out.headless_table()
    };
    for r in rows {
        let mut cells = vec![
            r.name.clone(),
            r.team.clone().unwrap_or_else(|| "-".into()),
            count(r.calls),
            count(r.errors),
            percent(r.success_rate),
            millis(r.p95_ms),
            output::ago(r.last_used_at, "never"),
        ];
        if llm {
            cells.extend(spend::cells(r));
        }
        if trend {
            cells.push(output::sparkline_fit(&r.timeline, 24));
        }
        t.add_row(cells);
    }
    format!("{t}\n")
}

fn render_summary(out: &Output, s: &UsageSummary) -> CliResult<String> {
    if out.json() {
        return Ok(json(s));
    }
    if out.csv() {
        return csv(&[
            ("calls", s.totals.calls.to_string()),
            ("errors", s.totals.errors.to_string()),
            ("success_rate", opt(s.totals.success_rate)),
            ("p50_ms", opt(s.totals.p50_ms)),
            ("p95_ms", opt(s.totals.p95_ms)),
            ("p99_ms", opt(s.totals.p99_ms)),
        ]);
    }
    let mut text = heading(out, &s.window);
    if s.totals.calls == 0 {
        let _ = writeln!(text, "{}", no_data(&s.window));
        return Ok(text);
    }
    text.push_str(&totals_rows(
        out,
        &s.totals,
        &s.window,
        &s.calls_timeline,
        &s.errors_timeline,
    ));
    // Servers before the latency trend send no timelines.
    if !s.p50_timeline.is_empty() {
        text.push('\n');
        text.push_str(&latency_trend(
            out,
            &s.window,
            &s.p50_timeline,
            &s.p95_timeline,
        ));
    }
    let _ = write!(text, "\n{}\n", out.bold("Top tokens"));
    text.push_str(&rows_table(out, &s.top_tokens, "TOKEN", false, true));
    if !s.top_routes.is_empty() {
        let _ = write!(text, "\n{}\n", out.bold("Top routes"));
        text.push_str(&rows_table(out, &s.top_routes, "ROUTE", false, true));
    }
    text.push_str(&spend::section(out, &s.llm));
    Ok(text)
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.3}")).unwrap_or_default()
}

fn csv(fields: &[(&str, String)]) -> CliResult<String> {
    let header: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
    Ok(output::csv_text(
        &header,
        [fields.iter().map(|(_, v)| v.clone()).collect()],
    )?)
}

fn render_token(out: &Output, u: &TokenUsage) -> CliResult<String> {
    let title = format!(
        "{} {} (team {})",
        out.bold("Token"),
        u.token.name,
        u.token.team
    );
    let timelines = (&u.calls_timeline[..], &u.errors_timeline[..]);
    let (mut text, no_calls) =
        match one_item(out, u, &u.recent, title, &u.window, &u.totals, timelines)? {
            Opening::Whole(text) => return Ok(text),
            Opening::NoCalls(text) => (text, true),
            Opening::Head(text) => (text, false),
        };
    // The current period's quotas, whatever window the report shows.
    if !u.quotas.is_empty() {
        let _ = write!(
            text,
            "\n{}\n{}\n",
            out.bold("Quotas this period"),
            super::quotas::table(out, &u.quotas)
        );
    }
    if no_calls {
        return Ok(text);
    }
    let _ = write!(text, "\n{}\n", out.bold("By route"));
    text.push_str(&rows_table(out, &u.by_route, "ROUTE", false, true));
    let _ = write!(text, "\n{}\n", out.bold("By status"));
    let mut t = out.table(&["STATUS", "CALLS"]);
    for s in &u.by_status {
        t.add_row(vec![s.status.to_string(), count(s.calls)]);
    }
    let _ = writeln!(text, "{t}");
    text.push_str(&spend::section(out, &u.llm));
    text.push_str(&render_calls(out, &u.recent, "Recent calls")?);
    Ok(text)
}

fn render_route(out: &Output, u: &RouteUsage) -> CliResult<String> {
    let title = format!("{} {} ({})", out.bold("Route"), u.route.name, u.route.path);
    let timelines = (&u.calls_timeline[..], &[][..]);
    let mut text = match one_item(out, u, &u.recent, title, &u.window, &u.totals, timelines)? {
        Opening::Whole(text) | Opening::NoCalls(text) => return Ok(text),
        Opening::Head(text) => text,
    };
    text.push_str(&latency_trend(
        out,
        &u.window,
        &u.p50_timeline,
        &u.p95_timeline,
    ));
    let _ = write!(text, "\n{}\n", out.bold("Top tokens"));
    text.push_str(&rows_table(out, &u.top_tokens, "TOKEN", false, true));
    text.push_str(&spend::section(out, &u.llm));
    text.push_str(&render_calls(out, &u.recent, "Recent calls")?);
    Ok(text)
}

/// How a report on one token or route begins.
enum Opening {
    /// All there is to print: JSON or CSV.
    Whole(String),
    /// For people, a window without calls: the title, the window and "No
    /// data".
    NoCalls(String),
    /// The title, window and totals, for the sections that follow.
    Head(String),
}

/// The part of `usage token` and `usage route` that is the same: JSON and
/// CSV (the recent calls) whole; for people the title, the window and the
/// totals with their `(calls, errors)` timelines, or "No data".
fn one_item<T: serde::Serialize>(
    out: &Output,
    report: &T,
    recent: &[UsageCall],
    title: String,
    window: &UsageWindow,
    totals: &UsageTotals,
    (calls, errors): (&[i64], &[i64]),
) -> CliResult<Opening> {
    if out.json() {
        return Ok(Opening::Whole(json(report)));
    }
    if out.csv() {
        return calls_csv(recent).map(Opening::Whole);
    }
    let mut text = format!("{title}\n");
    text.push_str(&heading(out, window));
    if totals.calls == 0 {
        let _ = writeln!(text, "{}", no_data(window));
        return Ok(Opening::NoCalls(text));
    }
    text.push_str(&totals_rows(out, totals, window, calls, errors));
    Ok(Opening::Head(text))
}

/// p50 and p95 latency per bucket as sparklines, each with its highest
/// value.
fn latency_trend(
    out: &Output,
    w: &UsageWindow,
    p50: &[Option<f64>],
    p95: &[Option<f64>],
) -> String {
    let as_int = |v: &[Option<f64>]| -> Vec<i64> {
        v.iter()
            .map(|x| x.map_or(0, |m| (m * 1000.0) as i64))
            .collect()
    };
    let mut trend = out.table(&["LATENCY", "TREND", "HIGHEST"]);
    for (label, series) in [("p50", p50), ("p95", p95)] {
        let peak = series
            .iter()
            .flatten()
            .copied()
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        trend.add_row(vec![
            format!("{label}/{}", w.bucket),
            sparkline(&as_int(series)),
            millis(peak),
        ]);
    }
    format!("{trend}\n")
}

fn calls_csv(calls: &[UsageCall]) -> CliResult<String> {
    let header = [
        "at",
        "token",
        "route",
        "method",
        "status",
        "latency_ms",
        "client_ip",
        "error_code",
    ];
    let lines = calls.iter().map(|c| {
        vec![
            c.at.to_rfc3339(),
            c.token.clone().unwrap_or_default(),
            c.route.clone().unwrap_or_default(),
            c.method.clone(),
            c.status.to_string(),
            format!("{:.3}", c.latency_ms),
            c.client_ip.clone().unwrap_or_default(),
            c.error_code.clone().unwrap_or_default(),
        ]
    });
    Ok(output::csv_text(&header, lines)?)
}

fn render_calls(out: &Output, calls: &[UsageCall], title: &str) -> CliResult<String> {
    if out.json() {
        return Ok(json(&calls));
    }
    if out.csv() {
        return calls_csv(calls);
    }
    let mut text = format!("\n{}\n", out.bold(title));
    if calls.is_empty() {
        text.push_str("No calls.\n");
        return Ok(text);
    }
    let mut t = out.table(&[
        "TIME (UTC)",
        "TOKEN",
        "ROUTE",
        "METHOD",
        "STATUS",
        "LATENCY",
        "CLIENT IP",
    ]);
    for c in calls {
        let status = if c.status >= 400 {
            out.red(&c.status.to_string())
        } else {
            c.status.to_string()
        };
        t.add_row(vec![
            c.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            c.token
                .clone()
                .or_else(|| c.error_code.clone())
                .unwrap_or_else(|| "-".into()),
            c.route.clone().unwrap_or_else(|| "-".into()),
            c.method.clone(),
            status,
            millis(Some(c.latency_ms)),
            c.client_ip.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    let _ = writeln!(text, "{t}");
    Ok(text)
}

/// `tokenctl overview`.
pub async fn overview(g: &Globals, watch: Watch) -> CliResult {
    let out = g.output();
    let client = Client::connect(g).await?;
    show(&out, &watch, || async {
        let o: Overview = client.get("/v1/overview", &[]).await?;
        render_overview(&out, &o)
    })
    .await
}

fn render_overview(out: &Output, o: &Overview) -> CliResult<String> {
    if out.json() {
        return Ok(json(o));
    }
    let c = &o.counts;
    let mut text = format!("{}\n", out.bold("Overview"));
    let created: Vec<i64> = o.created_per_day.iter().map(|d| d.count).collect();
    let _ = writeln!(
        text,
        "{}",
        out.fields(vec![
            (
                "tokens",
                format!(
                    "{} active, {} expired, {} revoked",
                    count(c.active_tokens),
                    count(c.expired_tokens),
                    count(c.revoked_tokens)
                )
            ),
            ("routes", count(c.routes)),
            ("teams", count(c.teams)),
            ("users", count(c.users)),
            (
                "created/day, 7d",
                format!(
                    "{}  ({} in total)",
                    sparkline(&created),
                    count(created.iter().sum())
                ),
            ),
        ])
    );
    if !o.tokens_per_team.is_empty() {
        let _ = write!(text, "\n{}\n", out.bold("Tokens per team"));
        let mut t = out.table(&["TEAM", "ACTIVE", "EXPIRED", "REVOKED"]);
        for team in &o.tokens_per_team {
            t.add_row(vec![
                team.team.clone(),
                count(team.active),
                count(team.expired),
                count(team.revoked),
            ]);
        }
        let _ = writeln!(text, "{t}");
    }
    let _ = write!(text, "\n{}\n", out.bold("Expiring in the next 30 days"));
    if o.expiring_soon.is_empty() {
        text.push_str("None.\n");
    } else {
        let mut t = out.table(&["TOKEN", "TEAM", "EXPIRES"]);
        for tok in &o.expiring_soon {
            t.add_row(vec![
                tok.name.clone(),
                tok.team.clone(),
                output::when(tok.expires_at, "never"),
            ]);
        }
        let _ = writeln!(text, "{t}");
    }
    let _ = write!(text, "\n{}\n", out.bold("Recent activity"));
    if o.recent_activity.is_empty() {
        text.push_str("None.\n");
    } else {
        let mut t = out.table(&["TIME (UTC)", "ACTOR", "ACTION", "TARGET"]);
        for e in &o.recent_activity {
            t.add_row(super::audit::entry_cells(e));
        }
        let _ = writeln!(text, "{t}");
    }
    Ok(text)
}
