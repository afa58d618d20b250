//! `/v1/audit`: the append-only log of every change, scoped to what the
//! caller may read.

use super::answers::{InvalidPage, UnknownTeam};
use super::paging::PageQuery;
use super::{ApiQuery, AppState};
use crate::api::paging::{Filters, List};
use crate::api::{input, AuditEntry, Page};
use crate::auth::Caller;
use crate::db::{AuditFilter, Principal};
use crate::error::{ApiError, ApiResult};
use crate::permissions::{allowed, teams_allowed, Action};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// A duration back from now (`24h`, `7d`), a date or an RFC 3339 time.
    #[param(example = "7d")]
    since: Option<String>,
    /// Same forms as `since`.
    #[param(example = "1h")]
    until: Option<String>,
    /// User name of the actor.
    actor: Option<String>,
    /// `token.create`, or every action of a resource: `token.*` (or `token.`).
    action: Option<String>,
    /// `token`, `route`, `secret`, `credential`, …
    target_type: Option<String>,
    /// Target id or name.
    target: Option<String>,
    /// Team name or id.
    team: Option<String>,
}

/// List audit entries, newest first, a page at a time.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery, PageQuery),
    responses((status = 200, body = Page<AuditEntry>), UnknownTeam, InvalidPage))]
async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    let now = crate::api::now();
    let p = &caller.principal;
    let team_id = match q.team.as_deref() {
        Some(t) => {
            let team = super::tokens::resolve_team(&state, &caller, Some(t)).await?;
            if !allowed(p, Action::AuditRead, Some(team.id)) {
                return Err(ApiError::not_found("team", t));
            }
            Some(team.id)
        }
        None => None,
    };
    // `since` and `until` as given: a relative `24h` stays the same filter
    // on every page (and moves with the clock).
    let filters = Filters::new()
        .with("since", q.since.as_deref())
        .with("until", q.until.as_deref())
        .with("actor", q.actor.as_deref())
        .with("action", q.action.as_deref())
        .with("target_type", q.target_type.as_deref())
        .with("target", q.target.as_deref())
        .with("team", team_id);
    let pager = page.pager::<Uuid>(List::Audit, filters)?;
    let filter = AuditFilter {
        since: q
            .since
            .as_deref()
            .map(|s| input::moment("since", s, now))
            .transpose()?,
        until: q
            .until
            .as_deref()
            .map(|s| input::moment("until", s, now))
            .transpose()?,
        actor: q.actor,
        action: q.action,
        target_type: q.target_type,
        target: q.target,
        team_id,
        limit: pager.fetch(),
        before: pager.after,
        // Entries of the teams whose audit the caller may read (the
        // AuditRead rule), plus the caller's own actions.
        readable_teams: teams_allowed(p, Action::AuditRead),
        reader: Some(p.user.id),
    };
    let rows = state.db.list_audit(filter).await?;
    let mut page = pager.page(rows, |e| e.id);
    for entry in &mut page.items {
        hide_other_teams(p, entry);
    }
    Ok(Json(page))
}

/// Removes from an entry's before and after states what concerns teams
/// the caller may not see, as user records do: an entry is listed because
/// the caller may read its team's audit or made the change, which says
/// nothing about the other teams it names (an invitation or a user with
/// roles in several teams). A role or membership (an object with a
/// `team_id`) in such a team is dropped from its list; elsewhere its team
/// is blanked.
fn hide_other_teams(p: &Principal, entry: &mut AuditEntry) {
    if p.user.global_admin {
        return;
    }
    let own_team = entry.team_id;
    let visible = |team: Uuid| Some(team) == own_team || allowed(p, Action::TeamRead, Some(team));
    for state in [&mut entry.before, &mut entry.after].into_iter().flatten() {
        hide_in(state, &visible);
    }
}

fn hide_in(value: &mut Value, visible: &impl Fn(Uuid) -> bool) {
    let hidden = |v: &Value| team_of(v).is_some_and(|team| !visible(team));
    if hidden(value) {
        for key in ["team_id", "team"] {
            if let Some(field) = value.get_mut(key) {
                *field = Value::Null;
            }
        }
    }
    match value {
        Value::Array(items) => {
            items.retain(|item| !hidden(item));
            items.iter_mut().for_each(|item| hide_in(item, visible));
        }
        Value::Object(fields) => fields.values_mut().for_each(|v| hide_in(v, visible)),
        _ => {}
    }
}

/// The team an object of an audit state belongs to, if it names one.
fn team_of(value: &Value) -> Option<Uuid> {
    value.get("team_id")?.as_str()?.parse().ok()
}
