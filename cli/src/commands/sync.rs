//! `tokenctl sync …`: the Cloudflare KV copy of the config that the Worker
//! reads.

use crate::client::{Client, Globals};
use crate::error::CliResult;
use crate::output::{self, Output};
use std::io::IsTerminal;
use std::time::Duration;
use tokenctl_server::api::sync::{KvExportEntry, SyncPushResult, SyncStatus};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Pending changes, the oldest one's age, last success and last error
    #[command(after_long_help = "\
Examples:
  tokenctl sync status
  tokenctl sync status -o json | jq .pending_changes")]
    Status,
    /// Push to KV now and wait; --full reconciles the whole namespace
    #[command(after_long_help = "\
Without --full, waits until the changes pending now are confirmed in KV.

With --full, the server lists every key in the namespace, rewrites those
that differ from the database, and deletes orphans (revoked or rotated-away
tokens, keys from another database). KV is never read back into the
database. A progress bar is shown on a terminal.

Examples:
  tokenctl sync push
  tokenctl sync push --full -o json | jq '.written + .deleted'")]
    Push {
        /// Reconcile everything instead of pushing pending changes
        #[arg(long)]
        full: bool,
    },
    /// Print what KV should hold, as JSON in wrangler's bulk format
    #[command(after_long_help = "\
Prints `[{\"key\":…,\"value\":\"…\",\"expiration\":…}]`: every key the
Worker reads, as the server would write it now. Upstream secrets appear only
sealed under the edge key (TOKENCTL_EDGE_KEY on the server), never in plain.

Examples:
  tokenctl sync export > kv.json
  npx wrangler kv bulk put kv.json --binding KV --local")]
    Export,
}

pub async fn run(g: &Globals, command: Command) -> CliResult {
    let out = g.output();
    let client = Client::connect(g).await?;
    match command {
        Command::Status => {
            let status: SyncStatus = client.get("/v1/sync/status", &[]).await?;
            out.print_or(&status, || {
                println!("{}", status_table(&out, &status));
            });
        }
        Command::Push { full } => {
            let result = push(&client, &out, full).await?;
            if out.json() {
                out.print_json(&result);
            } else if full {
                println!(
                    "Full sync done at version {}: {} key(s) listed, {} unchanged, {} written, {} deleted.",
                    result.version, result.listed, result.unchanged, result.written, result.deleted
                );
            } else {
                println!("KV is in sync up to version {}.", result.version);
            }
        }
        Command::Export => {
            let entries: Vec<KvExportEntry> = client.get("/v1/sync/export", &[]).await?;
            out.print_json(&entries);
        }
    }
    Ok(())
}

/// Sends the push and, on a terminal, shows the server's progress meanwhile.
async fn push(client: &Client, out: &Output, full: bool) -> CliResult<SyncPushResult> {
    let query = [("full", full.to_string())];
    let body = serde_json::json!({});
    let request = client.post_slow::<_, SyncPushResult>(
        "/v1/sync/push",
        &query,
        &body,
        Duration::from_secs(15 * 60),
    );
    if !full || out.json() || !std::io::stderr().is_terminal() {
        return request.await;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message("listing keys");
    bar.enable_steady_tick(Duration::from_millis(120));
    tokio::pin!(request);
    let mut tick = tokio::time::interval(Duration::from_millis(300));
    let result = loop {
        tokio::select! {
            r = &mut request => break r,
            _ = tick.tick() => {
                if let Ok(s) = client.get::<SyncStatus>("/v1/sync/status", &[]).await {
                    show_progress(&bar, &s);
                }
            }
        }
    };
    bar.finish_and_clear();
    result
}

fn show_progress(bar: &indicatif::ProgressBar, s: &SyncStatus) {
    if !s.full.in_progress {
        return;
    }
    if s.full.progress_total == 0 {
        bar.set_message(format!("listing keys: {}", s.full.progress_done));
        return;
    }
    if bar.length() != Some(s.full.progress_total) {
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} writing and deleting {bar:30} {pos}/{len} keys",
            )
            .expect("valid template"),
        );
        bar.set_length(s.full.progress_total);
    }
    bar.set_position(s.full.progress_done);
}

fn status_table(out: &Output, s: &SyncStatus) -> comfy_table::Table {
    let mut rows = vec![(
        "KV sync",
        if s.enabled {
            format!("on, namespace {}", s.namespace_id.as_deref().unwrap_or("?"))
        } else {
            "off".into()
        },
    )];
    rows.push(("State", s.message.clone()));
    rows.push((
        "Secrets",
        match (&s.secrets.enabled, &s.secrets.key_id) {
            (true, Some(id)) => format!("written, sealed under edge key {id}"),
            _ => s.secrets.message.clone(),
        },
    ));
    rows.push((
        "Version",
        format!(
            "synced {} of {} ({} change(s) pending)",
            s.synced_version, s.current_version, s.pending_changes
        ),
    ));
    if let Some(age) = s.oldest_pending_age_secs {
        rows.push(("Oldest pending", format!("{age:.1}s old")));
    }
    rows.push(("Last success", output::when(s.last_success_at, "never")));
    rows.push((
        "Last error",
        match (&s.last_error, s.last_error_at) {
            (Some(e), at) => format!(
                "{e} ({}, {})",
                s.last_error_kind.as_deref().unwrap_or("?"),
                output::when(at, "?")
            ),
            _ => "none".into(),
        },
    ));
    if s.enabled {
        rows.push((
            "Syncing process",
            match &s.lease {
                Some(l) if l.this_process => format!("{} (the one that answered)", l.holder),
                Some(l) => l.holder.clone(),
                None => "none at the moment".into(),
            },
        ));
    }
    if let Some(r) = &s.full.last_result {
        rows.push((
            "Last full push",
            format!(
                "{}: {} written, {} deleted, {} unchanged",
                output::when(r.finished_at, "?"),
                r.written,
                r.deleted,
                r.unchanged
            ),
        ));
    }
    if s.enabled {
        let p = &s.process;
        rows.push((
            "This process",
            format!(
                "{} request(s), {} retried, {} rate-limited; {} key(s) written, {} deleted",
                p.requests, p.retries, p.rate_limited, p.keys_written, p.keys_deleted
            ),
        ));
    }
    out.fields(rows)
}
