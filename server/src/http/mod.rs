//! The admin REST API. One module per resource, each with its own router;
//! the OpenAPI document is generated from the same handler annotations.

mod answers;
mod audit;
mod config_stream;
mod contract;
mod credentials;
mod gateway;
mod health;
mod paging;
mod prices;
mod routes;
mod search;
mod secrets;
mod spend;
mod sync;
mod teams;
mod tokens;
mod usage;
mod users;
mod webhooks;

use crate::crypto::MasterKey;
use crate::db::Database;
use crate::error::ApiError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{HeaderName, StatusCode};
use axum::response::IntoResponse;
use axum::{Json, Router};
use std::sync::Arc;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub master_key: Option<Arc<MasterKey>>,
    pub kv_sync: Arc<crate::kvsync::KvSync>,
    pub upstream: crate::upstream::UpstreamPolicy,
    /// The listener's counters, for `/health/detailed`.
    pub connections: Arc<tokenctl_listener::Stats>,
    /// `--trusted-proxy`: peers whose forwarding headers are believed.
    pub trusted_proxies: Arc<[ipnet::IpNet]>,
    /// `--max-credential-ttl`: longest lifetime of a new admin credential.
    pub max_credential_ttl: Option<chrono::Duration>,
    /// Prometheus metrics, when `--metrics-listen` is set.
    pub metrics: Option<Arc<crate::metrics::ServerMetrics>>,
    /// Webhook deliveries, woken when a handler queues one.
    pub webhooks: Arc<crate::webhooks::Webhooks>,
}

impl AppState {
    /// The latest expiry a new admin credential may have under
    /// `--max-credential-ttl` (`None`: no limit).
    pub(crate) fn credential_deadline(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        self.max_credential_ttl
            .map(|ttl| crate::api::trunc_micros(now + ttl))
    }
}

/// The client's address for the audit log: the TCP peer, or, when the
/// peer is a trusted proxy, the client it reports (see
/// [`tokenctl_gateway::headers::client_origin`]).
pub(crate) fn client_ip(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::SocketAddr>,
) -> Option<String> {
    let peer = peer?.ip();
    let joined = |name: &str| {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    };
    let (forwarded, xff) = if state.trusted_proxies.is_empty() {
        (None, None)
    } else {
        (joined("forwarded"), joined("x-forwarded-for"))
    };
    let origin = tokenctl_gateway::headers::client_origin(
        peer,
        forwarded.as_deref(),
        xff.as_deref(),
        None,
        &state.trusted_proxies,
    );
    Some(tokenctl_gateway::headers::client_ip_text(origin.ip))
}

/// `axum::Json` whose rejections are API errors (400 with our JSON body),
/// for a body of any JSON kind (usage ingest takes an array).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct AnyJson<T>(pub T);

/// A JSON object body decoded into `T`, else 400. serde would also decode
/// a struct from an array of its fields in order (`[null, null]`), which
/// no client means: the admin API's request bodies are objects.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let AnyJson(raw) =
            AnyJson::<Box<serde_json::value::RawValue>>::from_request(req, state).await?;
        if !raw.get().starts_with('{') {
            return Err(ApiError::BadRequest(
                "invalid JSON body: expected a JSON object".into(),
            ));
        }
        serde_json::from_str(raw.get())
            .map(ApiJson)
            .map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))
    }
}

/// `axum::extract::Query` with API-error rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `axum::extract::Path` with API-error rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        ApiError::BadRequest(format!("invalid JSON body: {}", r.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest(format!("invalid query string: {}", r.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::BadRequest(format!("invalid path: {}", r.body_text()))
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tokenctl admin API",
        description = "Issue, scope, rotate and revoke API tokens; manage routes, upstream secrets and the audit log. Authenticate with `Authorization: Bearer tkc_…`."
    ),
    modifiers(&BearerAuth),
    security(("admin_credential" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_credential",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("tkc_…")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "gateway_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("tkg_…")
                    .build(),
            ),
        );
    }
}

/// The routers with their OpenAPI document.
fn routers() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .nest(
            "/v1",
            OpenApiRouter::new()
                .merge(tokens::router())
                .merge(routes::router())
                .merge(secrets::router())
                .merge(audit::router())
                .merge(credentials::router())
                .merge(gateway::router())
                .merge(sync::router())
                .merge(teams::router())
                .merge(users::router())
                .merge(usage::router())
                .merge(prices::router())
                .merge(search::router())
                .merge(webhooks::router()),
        )
        .split_for_parts();
    contract::declare_common_responses(&mut doc);
    contract::declare_body_rules(&mut doc);
    contract::declare_token_references(&mut doc);
    (router, doc)
}

/// The OpenAPI document, as served at `/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routers().1
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint; see /v1/openapi.json".into())
}

async fn method_not_allowed() -> impl IntoResponse {
    let body = crate::api::ErrorBody {
        error: crate::api::ErrorDetail {
            code: "method_not_allowed".into(),
            message: "this endpoint does not accept that method; see /v1/openapi.json".into(),
            candidates: vec![],
        },
    };
    (StatusCode::METHOD_NOT_ALLOWED, Json(body))
}

/// A request path for the log, with anything shaped like a secret masked,
/// in case a client put one in a URL.
fn redact_path(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if tokenctl_gateway::token::Secret::kind_of(seg).is_some() {
                "<redacted>"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Longest client-chosen `X-Request-Id` that is kept.
const MAX_REQUEST_ID: usize = 128;

/// Whether a client's `X-Request-Id` is kept: 1 to 128 of `A-Z a-z 0-9`
/// and `- _ . : / + =` (UUIDs, trace ids, load balancer ids).
fn plain_request_id(value: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID).contains(&value.len())
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(b))
}

/// Drops a client's `X-Request-Id` that is not plain (or sent twice), so
/// the server makes its own instead: what goes into logs and audit
/// entries stays short and printable.
async fn drop_odd_request_id(mut req: axum::extract::Request) -> axum::extract::Request {
    let headers = req.headers_mut();
    let mut values = headers.get_all("x-request-id").iter();
    let keep = match (values.next(), values.next()) {
        (None, _) => true,
        (Some(v), None) => plain_request_id(v.as_bytes()),
        (Some(_), Some(_)) => false,
    };
    if !keep {
        headers.remove("x-request-id");
    }
    req
}

pub fn app(state: AppState) -> Router {
    let (router, doc) = routers();
    let doc = Arc::new(doc);
    let request_id = HeaderName::from_static("x-request-id");
    let router = router
        .route(
            "/v1/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    let router = match &state.metrics {
        Some(metrics) => router.layer(axum::middleware::from_fn_with_state(
            metrics.clone(),
            crate::metrics::track,
        )),
        None => router,
    };
    router
        .layer(axum::extract::DefaultBodyLimit::max(1 << 20))
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                // Paths only: never query strings or headers, which may carry secrets.
                |req: &axum::http::Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    let path = redact_path(req.uri().path());
                    tracing::info_span!("request", method = %req.method(), %path, request_id = %id)
                },
            )
            .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(axum::middleware::map_request(drop_odd_request_id))
        .with_state(state)
}

/// A `201 Created` answer with its body.
type Created<T> = (StatusCode, Json<T>);

fn created<T>(body: T) -> Created<T> {
    (StatusCode::CREATED, Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_request_ids_are_kept() {
        for ok in [
            "0a0014b5-10d3-424a-bbd4-f96418b4fa70",
            "Root=1-67891233-abcdef012345678912345678",
            "ci:run/42.step_3+x",
            &"a".repeat(128),
        ] {
            assert!(plain_request_id(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            "with space",
            "a\tb",
            "<script>",
            "ntk_\"",
            "é",
            &"a".repeat(129),
        ] {
            assert!(!plain_request_id(bad.as_bytes()), "{bad}");
        }
    }
}
