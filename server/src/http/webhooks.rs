//! `/v1/webhooks`: signed webhooks and their deliveries (global admins).

use super::answers::{Forbidden, InvalidPage, NotFound};
use super::paging::PageQuery;
use super::{created, ApiJson, ApiPath, ApiQuery, AppState, Created};
use crate::api::paging::{Filters, List};
use crate::api::{input, CreateWebhook, CreatedWebhook, ErrorBody, Page, Webhook, WebhookDelivery};
use crate::auth::Caller;
use crate::db::NewWebhook;
use crate::error::{ApiError, ApiResult};
use crate::permissions::{require, Action};
use axum::extract::State;
use axum::Json;
use rand::RngCore;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(remove_webhook))
        .routes(routes!(test_webhook))
        .routes(routes!(list_deliveries))
}

/// List webhooks (never their secrets).
#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<Webhook>), Forbidden))]
async fn list_webhooks(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Webhook>>> {
    require(&caller.principal, Action::WebhookManage, None)?;
    Ok(Json(state.db.list_webhooks().await?))
}

/// Add a webhook; `secret`, which signs its deliveries, is shown only now.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = CreateWebhook,
    responses((status = 201, body = CreatedWebhook), Forbidden,
        (status = 409, description = "`limit_reached`: the server holds the most webhooks it may; `master_key_missing`: no master key to encrypt the secret", body = ErrorBody),
        (status = 422, description = "`invalid_input`: a URL or event breaking the input rules; `receiver_forbidden`: the receiver is at a private or metadata address the webhook may not reach", body = ErrorBody)))]
async fn create_webhook(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateWebhook>,
) -> ApiResult<Created<CreatedWebhook>> {
    require(&caller.principal, Action::WebhookManage, None)?;
    let url = input::webhooks::url(&req.url)?;
    let events = input::webhooks::events(&req.events)?;
    if let Some(refusal) =
        crate::webhooks::receiver_refusal(&state.upstream, &url, req.private_receiver).await
    {
        return Err(ApiError::Invalid {
            code: "receiver_forbidden",
            message: refusal,
        });
    }
    let key = state
        .master_key
        .as_ref()
        .ok_or_else(|| ApiError::NotConfigured {
            feature: crate::api::MissingFeature::MasterKey,
            message: "the server has no master key, so it cannot keep webhook secrets; start it with TOKENCTL_MASTER_KEY or --master-key-file".into(),
        })?;
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let secret = format!("whsec_{}", hex::encode(raw));
    let id = Uuid::now_v7();
    let webhook = state
        .db
        .create_webhook(
            &caller.actor,
            NewWebhook {
                id,
                url,
                events,
                sealed_secret: key.seal(&crate::webhooks::secret_context(id), secret.as_bytes()),
                private_receiver: req.private_receiver,
            },
        )
        .await?;
    Ok(created(CreatedWebhook { webhook, secret }))
}

/// Remove a webhook; its deliveries not yet made are dropped.
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks",
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses((status = 200, body = Webhook), Forbidden, NotFound))]
async fn remove_webhook(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Webhook>> {
    require(&caller.principal, Action::WebhookManage, None)?;
    Ok(Json(state.db.remove_webhook(&caller.actor, id).await?))
}

/// Queue a `webhook.test` delivery to a webhook; see how it went with its
/// deliveries.
#[utoipa::path(post, path = "/webhooks/{id}/test", tag = "webhooks",
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses((status = 202, body = WebhookDelivery), Forbidden, NotFound))]
async fn test_webhook(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<(axum::http::StatusCode, Json<WebhookDelivery>)> {
    require(&caller.principal, Action::WebhookManage, None)?;
    let delivery = state.db.test_webhook(&caller.actor, id).await?;
    state.webhooks.notify();
    Ok((axum::http::StatusCode::ACCEPTED, Json(delivery)))
}

/// A webhook's deliveries, newest first, a page at a time: status,
/// attempts, the last error.
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = Uuid, Path, description = "Webhook id"), PageQuery),
    responses((status = 200, body = Page<WebhookDelivery>), Forbidden, NotFound, InvalidPage))]
async fn list_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<WebhookDelivery>>> {
    require(&caller.principal, Action::WebhookManage, None)?;
    let pager = page.pager::<Uuid>(
        List::WebhookDeliveries,
        Filters::new().with("webhook", Some(id)),
    )?;
    if state.db.find_webhook(id).await?.is_none() {
        return Err(ApiError::not_found("webhook", &id.to_string()));
    }
    let rows = state
        .db
        .webhook_deliveries_page(id, pager.after, pager.fetch())
        .await?;
    Ok(Json(pager.page(rows, |d| d.id)))
}
