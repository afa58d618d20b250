//! `/v1/tokens`: issue, list, show, update, rotate and revoke API tokens.

use super::answers::{Conflict, Invalid, InvalidPage, NotFound, UnknownTeam};
use super::paging::PageQuery;
use super::{created, ApiJson, ApiPath, ApiQuery, AppState, Created};
use crate::api::paging::{Filters, List};
use crate::api::{
    self, input, CreateToken, ErrorBody, IssuedToken, Page, RotateToken, StatusFilter, Token,
    UpdateToken,
};
use crate::auth::Caller;
use crate::db::{NewToken, Rotation, TokenChange};
use crate::error::{ApiError, ApiResult};
use crate::permissions::{allowed, require, Action};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use tokenctl_gateway::token::{Secret, SecretKind};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(lookup_token))
        .routes(routes!(show_token, update_token))
        .routes(routes!(revoke_token))
        .routes(routes!(rotate_token))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Team name or id; default: every team the caller can read.
    team: Option<String>,
    /// `active` (default), `expired`, `revoked` or `all`.
    #[serde(default)]
    #[param(inline)]
    status: StatusFilter,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TeamQuery {
    /// Restrict a name lookup to this team (name or id).
    team: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
struct Lookup {
    /// A plaintext `ntk_` token. Sent in the body so it never lands in a URL or access log.
    #[schema(pattern = "^ntk_[0-9A-Za-z]{49}$")]
    token: String,
}

/// Resolves a team reference the caller may read, or the caller's only team.
pub(super) async fn resolve_team(
    state: &AppState,
    caller: &Caller,
    team: Option<&str>,
) -> ApiResult<api::Team> {
    let p = &caller.principal;
    match team {
        Some(reference) => {
            let team = state
                .db
                .find_team(reference)
                .await?
                .ok_or_else(|| ApiError::not_found("team", reference))?;
            if !allowed(p, Action::TokenRead, Some(team.id)) {
                // Do not reveal that a team the caller cannot see exists.
                return Err(ApiError::not_found("team", reference));
            }
            Ok(team)
        }
        None => match p.memberships.as_slice() {
            [only] => state
                .db
                .find_team(&only.team_id.to_string())
                .await?
                .ok_or_else(|| ApiError::not_found("team", &only.team)),
            [] => Err(ApiError::invalid(
                "you belong to no team; pass --team (global admins may use any team)",
            )),
            many => Err(ApiError::Invalid {
                code: "team_required",
                message: format!(
                    "you belong to several teams ({}); pass --team",
                    many.iter()
                        .map(|m| m.team.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        },
    }
}

async fn team_filter(
    state: &AppState,
    caller: &Caller,
    team: Option<&str>,
) -> ApiResult<Option<Uuid>> {
    match team {
        Some(t) => Ok(Some(resolve_team(state, caller, Some(t)).await?.id)),
        None => Ok(None),
    }
}

/// Finds exactly one token by id or name among those the caller can read.
pub(super) async fn resolve_token(
    state: &AppState,
    caller: &Caller,
    reference: &str,
    team: Option<&str>,
) -> ApiResult<Token> {
    if Secret::kind_of(reference).is_some() {
        return Err(ApiError::BadRequest(
            "never put a secret in a URL; look tokens up with POST /v1/tokens/lookup".into(),
        ));
    }
    let team = team_filter(state, caller, team).await?;
    let found = state
        .db
        .find_tokens(reference, caller.principal.readable_teams(), team)
        .await?;
    pick_one(reference, found)
}

/// Several tokens may share a name (across teams, or a revoked one and its
/// successor): prefer the one that is not revoked, else ask.
fn pick_one(reference: &str, found: Vec<Token>) -> ApiResult<Token> {
    let live: Vec<&Token> = found
        .iter()
        .filter(|t| t.status != api::TokenStatus::Revoked)
        .collect();
    match (live.len(), found.len()) {
        (_, 0) => Err(ApiError::not_found("token", reference)),
        (1, _) => Ok(live[0].clone()),
        (0, 1) => Ok(found[0].clone()),
        _ => {
            let set: Vec<&Token> = if live.is_empty() {
                found.iter().collect()
            } else {
                live
            };
            Err(ApiError::Ambiguous {
                message: format!(
                    "`{reference}` matches {} tokens; use an id or --team",
                    set.len()
                ),
                candidates: set
                    .iter()
                    .map(|t| api::Candidate {
                        id: t.id,
                        name: t.name.clone(),
                        team: Some(t.team.clone()),
                        status: Some(t.status.as_str().into()),
                    })
                    .collect(),
            })
        }
    }
}

/// May the caller update, rotate or revoke this token?
async fn require_manage(state: &AppState, caller: &Caller, token: &Token) -> ApiResult<()> {
    let p = &caller.principal;
    if allowed(p, Action::TokenManageAny, Some(token.team_id)) {
        return Ok(());
    }
    if allowed(p, Action::TokenManageOwn, Some(token.team_id))
        && state.db.token_creator(token.id).await? == Some(p.user.id)
    {
        return Ok(());
    }
    require(p, Action::TokenManageAny, Some(token.team_id))
}

fn scopes(list: &[String]) -> ApiResult<Vec<String>> {
    Ok(list
        .iter()
        .map(|s| input::scope(s))
        .collect::<Result<_, _>>()?)
}

/// The quotas a create or update request sets (`Some`) or removes
/// (`None`), by kind, in kind order.
pub(super) fn quota_changes(
    quota: Option<&str>,
    quota_tokens: Option<&str>,
    budget: Option<&str>,
) -> ApiResult<Vec<(api::QuotaKind, Option<api::Quota>)>> {
    [
        (api::QuotaKind::Requests, quota),
        (api::QuotaKind::LlmTokens, quota_tokens),
        (api::QuotaKind::Budget, budget),
    ]
    .into_iter()
    .filter_map(|(kind, value)| value.map(|v| (kind, v)))
    .map(|(kind, v)| Ok((kind, input::quota(kind, v)?)))
    .collect()
}

fn cidrs(list: &[String]) -> ApiResult<Vec<ipnet::IpNet>> {
    Ok(list
        .iter()
        .map(|s| input::cidr(s))
        .collect::<Result<_, _>>()?)
}

/// Issue a token. The plaintext is in the response and nowhere else, ever.
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = CreateToken,
    responses((status = 201, description = "Created; `token` is shown only now", body = IssuedToken),
        (status = 404, description = "No such team", body = ErrorBody),
        (status = 409, description = "Name taken in this team", body = ErrorBody),
        (status = 422, description = "Invalid input or unknown scope", body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateToken>,
) -> ApiResult<Created<IssuedToken>> {
    let name = input::name("token", &req.name)?;
    let description = input::description(req.description.as_deref().unwrap_or(""))?;
    let scopes = scopes(&req.scopes)?;
    let now = api::now();
    let expires_at = match req.expires.as_deref() {
        Some(e) => input::expiry(e, now)?,
        None => None,
    };
    let allow_ips = cidrs(&req.allow_ips)?;
    let rate_limit = req.rate.as_deref().map(input::rate_limit).transpose()?;
    let quotas: Vec<api::Quota> = quota_changes(
        req.quota.as_deref(),
        req.quota_tokens.as_deref(),
        req.budget.as_deref(),
    )?
    .into_iter()
    .filter_map(|(_, quota)| quota)
    .collect();
    let team = resolve_team(&state, &caller, req.team.as_deref()).await?;
    require(&caller.principal, Action::TokenCreate, Some(team.id))?;
    if !quotas.is_empty() {
        require(&caller.principal, Action::TokenQuotaSet, Some(team.id))?;
    }
    let secret = Secret::generate(SecretKind::ApiToken, &mut rand::rngs::OsRng);
    let info = state
        .db
        .create_token(
            &caller.actor,
            NewToken {
                team_id: team.id,
                name,
                description,
                scopes,
                allow_unknown_scope: req.allow_unknown_scope,
                expires_at,
                allow_ips,
                rate_limit,
                quotas,
            },
            &secret,
        )
        .await?;
    Ok(created(IssuedToken {
        info,
        token: secret.into_exposed(),
    }))
}

/// List tokens the caller can read, a page at a time, by name (then id).
#[utoipa::path(get, path = "/tokens", tag = "tokens", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<Token>), UnknownTeam, InvalidPage))]
async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Token>>> {
    let team = team_filter(&state, &caller, q.team.as_deref()).await?;
    let filters = Filters::new()
        .with("team", team)
        .with("status", Some(format!("{:?}", q.status)));
    let pager = page.pager::<(String, Uuid)>(List::Tokens, filters)?;
    let rows = state
        .db
        .tokens_page(
            caller.principal.readable_teams(),
            team,
            q.status,
            pager.after.clone(),
            pager.fetch(),
        )
        .await?;
    Ok(Json(pager.page(rows, |t| (t.name.clone(), t.id))))
}

/// Find the token a plaintext secret belongs to (current or in rotation grace).
#[utoipa::path(post, path = "/tokens/lookup", tag = "tokens", request_body = Lookup,
    responses((status = 200, body = Token),
        (status = 404, description = "No readable token has this secret", body = ErrorBody),
        (status = 422, description = "Not a well-formed token", body = ErrorBody)))]
async fn lookup_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<Lookup>,
) -> ApiResult<Json<Token>> {
    if Secret::kind_of(&req.token) != Some(SecretKind::ApiToken) {
        return Err(ApiError::Invalid {
            code: tokenctl_gateway::code::MALFORMED_TOKEN,
            message: "not an API token: it must start with `ntk_`".into(),
        });
    }
    let found = state
        .db
        .find_tokens(&req.token, caller.principal.readable_teams(), None)
        .await?;
    let token = found
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::NotFound("no token you can read has this secret".into()))?;
    Ok(Json(token))
}

/// Show one token by id or name.
#[utoipa::path(get, path = "/tokens/{reference}", tag = "tokens",
    params(("reference" = String, Path, description = "Token id or name (never a secret: look those up with `POST /v1/tokens/lookup`)", example = "n8n-prod"), TeamQuery),
    responses((status = 200, body = Token), NotFound,
        (status = 422, description = "The name matches several tokens", body = ErrorBody)))]
async fn show_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<TeamQuery>,
) -> ApiResult<Json<Token>> {
    let mut token = resolve_token(&state, &caller, &reference, q.team.as_deref()).await?;
    token.quota_usage = Some(state.db.quota_status(token.id, token.team_id).await?);
    Ok(Json(token))
}

/// Change a token's name, description, scopes, expiry, IP allow-list or rate limit.
#[utoipa::path(patch, path = "/tokens/{reference}", tag = "tokens", request_body = UpdateToken,
    params(("reference" = String, Path, description = "Token id or name (never a secret: look those up with `POST /v1/tokens/lookup`)", example = "n8n-prod"), TeamQuery),
    responses((status = 200, body = Token), NotFound, Conflict, Invalid))]
async fn update_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<TeamQuery>,
    ApiJson(req): ApiJson<UpdateToken>,
) -> ApiResult<Json<Token>> {
    let now = api::now();
    let change = TokenChange {
        name: req
            .name
            .as_deref()
            .map(|n| input::name("token", n))
            .transpose()?,
        description: req
            .description
            .as_deref()
            .map(input::description)
            .transpose()?,
        scopes: req.scopes.as_deref().map(scopes).transpose()?,
        add_scopes: scopes(&req.add_scopes)?,
        remove_scopes: req
            .remove_scopes
            .iter()
            .map(|s| s.trim().to_string())
            .collect(),
        allow_unknown_scope: req.allow_unknown_scope,
        expires_at: req
            .expires
            .as_deref()
            .map(|e| input::expiry(e, now))
            .transpose()?,
        allow_ips: req.allow_ips.as_deref().map(cidrs).transpose()?,
        rate_limit: match req.rate.as_deref().map(str::trim) {
            None => None,
            Some("none") => Some(None),
            Some(r) => Some(Some(input::rate_limit(r)?)),
        },
        quotas: quota_changes(
            req.quota.as_deref(),
            req.quota_tokens.as_deref(),
            req.budget.as_deref(),
        )?,
    };
    let token = resolve_token(&state, &caller, &reference, q.team.as_deref()).await?;
    require_manage(&state, &caller, &token).await?;
    if !change.quotas.is_empty() {
        require(
            &caller.principal,
            Action::TokenQuotaSet,
            Some(token.team_id),
        )?;
    }
    Ok(Json(
        state
            .db
            .update_token(&caller.actor, token.id, change)
            .await?,
    ))
}

/// Revoke a token. The row stays for audit and usage history.
#[utoipa::path(post, path = "/tokens/{reference}/revoke", tag = "tokens",
    params(("reference" = String, Path, description = "Token id or name (never a secret: look those up with `POST /v1/tokens/lookup`)", example = "n8n-prod"), TeamQuery),
    responses((status = 200, body = Token), NotFound,
        (status = 409, description = "Already revoked", body = ErrorBody),
        (status = 422, description = "The name matches several tokens (`ambiguous_reference`)", body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<TeamQuery>,
) -> ApiResult<Json<Token>> {
    let token = resolve_token(&state, &caller, &reference, q.team.as_deref()).await?;
    require_manage(&state, &caller, &token).await?;
    Ok(Json(state.db.revoke_token(&caller.actor, token.id).await?))
}

/// Give a token a new secret, keeping its id. With `grace`, the old secret
/// keeps working until the grace ends. Send `Idempotency-Key` (a random
/// value) to make retries by the same credential, within 24 hours, return
/// the same new secret instead of minting again; another credential using
/// the key gets 409 `idempotency_key_reused`.
#[utoipa::path(post, path = "/tokens/{reference}/rotate", tag = "tokens", request_body = RotateToken,
    params(
        ("reference" = String, Path, description = "Token id or name (never a secret: look those up with `POST /v1/tokens/lookup`)", example = "n8n-prod"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]([ !-~\t]{0,198}[!-~])?$", description = "A random key that makes retries by the same credential (within 24h) safe: 1-200 visible ASCII characters"),
        TeamQuery,
    ),
    responses((status = 200, description = "`token` is the new secret, shown only now", body = IssuedToken),
        NotFound,
        (status = 422, description = "Invalid `grace`, or the name matches several tokens (`ambiguous_reference`)", body = ErrorBody),
        (status = 409, description = "Revoked, superseded, the key was used by another credential, or an `Idempotency-Key` on a server without a master key (`master_key_missing`)", body = ErrorBody)))]
async fn rotate_token(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiPath(reference): ApiPath<String>,
    ApiQuery(q): ApiQuery<TeamQuery>,
    ApiJson(req): ApiJson<RotateToken>,
) -> ApiResult<Json<IssuedToken>> {
    let grace = match req.grace.as_deref() {
        Some(g) => input::duration("grace", g)?,
        None => std::time::Duration::ZERO,
    };
    if grace > std::time::Duration::from_secs(30 * 86_400) {
        return Err(ApiError::invalid("grace may be at most 30d"));
    }
    let idempotency_key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let key = v
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .ok_or_else(|| {
                    ApiError::invalid("Idempotency-Key must be 1-200 visible characters")
                })?;
            Some(key.to_string())
        }
    };
    let token = resolve_token(&state, &caller, &reference, q.team.as_deref()).await?;
    require_manage(&state, &caller, &token).await?;
    let rotation = Rotation {
        grace,
        idempotency_key,
        master_key: state.master_key.as_deref().cloned(),
    };
    Ok(Json(
        state
            .db
            .rotate_token(&caller.actor, token.id, rotation)
            .await?,
    ))
}
