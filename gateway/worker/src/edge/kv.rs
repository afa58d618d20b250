//! Reading Workers KV: the routes and sealed secrets (opened with the
//! edge key and indexed by the core into a `Gateway`), one token at a
//! time by the hash of its secret, the quota states of an allowed
//! request's token and team, and the prices its answer's cost is counted
//! with, each through the isolate's cache.

use super::runtime::{datetime, now_ms};
use super::state::{with_state, Config, Settings};
use futures_util::future;
use std::rc::Rc;
use tokenctl_gateway::kv::{
    open_secrets, quota_key, routes_gateway, token_key, MetaValue, PricesValue, QuotaValue,
    RoutesValue, SecretsValue, TokenValue, META_KEY, PRICES_KEY, ROUTES_KEY, SECRETS_KEY,
};
use tokenctl_gateway::quota::{PriceTable, QuotaState};
use tokenctl_gateway::{Allowed, PresentedToken, TokenEntry};
use uuid::Uuid;
use worker::{console_error, console_warn, Env};

pub(super) const KV_BINDING: &str = "TOKENCTL_KV";

fn kv_error(e: impl std::fmt::Display) -> String {
    format!("KV ({KV_BINDING}): {e}")
}

/// The current routes and secrets: from the isolate cache while younger
/// than the config TTL, else from KV. `Ok(None)`: KV holds no `routes`
/// (never synced). A failed refresh keeps serving the last config.
pub(super) async fn current_config(env: &Env) -> Result<Option<Rc<Config>>, String> {
    let now = now_ms();
    let (settings, cached, checked) = with_state(env, |s| {
        (s.settings.clone(), s.config.clone(), s.config_checked_ms)
    });
    if cached.is_some() && now - checked < settings.config_ttl_secs as f64 * 1000.0 {
        return Ok(cached);
    }
    match load_config(env, &settings, cached.as_ref(), now).await {
        Ok((config, meta)) => {
            with_state(env, |s| {
                s.config = config.clone();
                s.config_checked_ms = now;
                s.config_error = None;
                s.meta = meta;
            });
            Ok(config)
        }
        Err(e) => {
            console_error!("tokenctl worker: cannot refresh the configuration: {e}");
            with_state(env, |s| s.config_error = Some(e.clone()));
            match cached {
                Some(c) => Ok(Some(c)),
                None => Err(e),
            }
        }
    }
}

async fn load_config(
    env: &Env,
    settings: &Settings,
    cached: Option<&Rc<Config>>,
    now: f64,
) -> Result<(Option<Rc<Config>>, Option<MetaValue>), String> {
    let kv = env.kv(KV_BINDING).map_err(kv_error)?;
    let ttl = settings.kv_cache_ttl_secs;
    let (routes, secrets, meta) = future::join3(
        kv.get(ROUTES_KEY).cache_ttl(ttl).text(),
        kv.get(SECRETS_KEY).cache_ttl(ttl).text(),
        kv.get(META_KEY).cache_ttl(ttl).text(),
    )
    .await;
    let (routes, secrets) = (routes.map_err(kv_error)?, secrets.map_err(kv_error)?);
    let meta = meta
        .ok()
        .flatten()
        .and_then(|m| serde_json::from_str::<MetaValue>(&m).ok());
    let Some(routes_raw) = routes else {
        return Ok((None, meta));
    };
    if let Some(c) = cached {
        if c.routes_raw == routes_raw && c.secrets_raw == secrets {
            return Ok((Some(c.clone()), meta));
        }
    }
    let routes: RoutesValue = serde_json::from_str(&routes_raw)
        .map_err(|e| format!("the `{ROUTES_KEY}` value is unreadable: {e}"))?;
    let mut problems = Vec::new();
    let (opened, secret_hosts, secrets_version) = match &secrets {
        None => (Default::default(), Default::default(), None),
        Some(raw) => match serde_json::from_str::<SecretsValue>(raw) {
            Ok(value) => {
                let (opened, mut p) = open_secrets(&value, settings.edge_key.as_ref().ok());
                if let Err(e) = &settings.edge_key {
                    p.retain(|m| !m.starts_with("TOKENCTL_EDGE_KEY"));
                    p.insert(0, format!("{e}: upstream secrets cannot be opened"));
                }
                problems.extend(p);
                (opened, value.hosts, Some(value.v))
            }
            Err(e) => {
                problems.push(format!("the `{SECRETS_KEY}` value is unreadable: {e}"));
                (Default::default(), Default::default(), None)
            }
        },
    };
    let count = opened.0.len();
    let gateway = routes_gateway(&routes, opened, secret_hosts, datetime(now));
    problems.extend(gateway.warnings().iter().map(|w| w.to_string()));
    for p in &problems {
        console_warn!("tokenctl worker: {p}");
    }
    let config = Config {
        gateway,
        routes_raw,
        secrets_raw: secrets,
        secrets_version,
        secrets: count,
        problems,
    };
    Ok((Some(Rc::new(config)), meta))
}

/// What KV holds for the presented token: from the isolate cache while
/// younger than the token TTL (absence is cached too), else from KV.
pub(super) async fn lookup_token(
    env: &Env,
    presented: &PresentedToken,
) -> Result<Option<Rc<TokenEntry>>, String> {
    let now = now_ms();
    let (settings, hit) = with_state(env, |s| {
        (s.settings.clone(), s.tokens.get(presented.hash(), now))
    });
    if let Some(hit) = hit {
        return Ok(hit);
    }
    let kv = env.kv(KV_BINDING).map_err(kv_error)?;
    let text = kv
        .get(&token_key(&presented.hash_hex()))
        .cache_ttl(settings.kv_cache_ttl_secs)
        .text()
        .await
        .map_err(kv_error)?;
    let entry = text.and_then(|t| match serde_json::from_str::<TokenValue>(&t) {
        Ok(v) => Some(Rc::new(v.token)),
        Err(e) => {
            console_error!(
                "tokenctl worker: unreadable token value in KV ({e}); treated as unknown"
            );
            None
        }
    });
    with_state(env, |s| {
        s.tokens.insert(*presented.hash(), entry.clone(), now)
    });
    Ok(entry)
}

/// The published quota states of an allowed request's token and team
/// (`None`: no quotas), read together: from the isolate cache while
/// younger than the token TTL (absence is cached too), else from KV.
/// A value that cannot be read is an error, not "no quota": a spend
/// control must not lapse because of a bad value.
pub(super) async fn lookup_quotas(
    env: &Env,
    allowed: &Allowed,
) -> Result<[Option<Rc<QuotaState>>; 2], String> {
    let (token, team) = future::join(
        lookup_quota(env, allowed.token_id),
        lookup_quota(env, allowed.team_id),
    )
    .await;
    Ok([token?, team?])
}

async fn lookup_quota(env: &Env, subject: Uuid) -> Result<Option<Rc<QuotaState>>, String> {
    let now = now_ms();
    let (settings, hit) = with_state(env, |s| {
        (s.settings.clone(), s.quota_states.get(&subject, now))
    });
    if let Some(hit) = hit {
        return Ok(hit);
    }
    let kv = env.kv(KV_BINDING).map_err(kv_error)?;
    let text = kv
        .get(&quota_key(subject))
        .cache_ttl(settings.kv_cache_ttl_secs)
        .text()
        .await
        .map_err(kv_error)?;
    let state = match text {
        None => None,
        Some(t) => match QuotaValue::decode(subject, &t) {
            Ok(v) => Some(Rc::new(v.quota)),
            Err(e) => {
                console_error!(
                    "tokenctl worker: {e} (key {}); refusing",
                    quota_key(subject)
                );
                return Err(e.to_string());
            }
        },
    };
    with_state(env, |s| s.quota_states.insert(subject, state.clone(), now));
    Ok(state)
}

/// The published prices, for counting an answer's cost toward budgets:
/// from the isolate cache while younger than the token TTL, else from KV
/// (absent: no prices). Never an error: without readable prices this
/// isolate counts no cost locally (logged once until a read succeeds), and
/// budgets are enforced on the control plane's published count alone.
pub(super) async fn current_prices(env: &Env) -> Rc<PriceTable> {
    let now = now_ms();
    let (settings, hit) = with_state(env, |s| (s.settings.clone(), s.prices.get(&(), now)));
    if let Some(hit) = hit {
        return hit;
    }
    let read = match env.kv(KV_BINDING) {
        Err(e) => Err(kv_error(e)),
        Ok(kv) => kv
            .get(PRICES_KEY)
            .cache_ttl(settings.kv_cache_ttl_secs)
            .text()
            .await
            .map_err(kv_error),
    };
    let table = match read.and_then(|text| match text {
        None => Ok(PriceTable::default()),
        Some(t) => PricesValue::decode(&t)
            .map(|v| v.table())
            .map_err(|e| e.to_string()),
    }) {
        Ok(table) => {
            with_state(env, |s| s.prices_problem = None);
            table
        }
        Err(e) => {
            let first = with_state(env, |s| {
                let first = s.prices_problem.as_ref() != Some(&e);
                s.prices_problem = Some(e.clone());
                first
            });
            if first {
                console_error!(
                    "tokenctl worker: cannot read the `{PRICES_KEY}` key ({e}); budgets count only the published cost"
                );
            }
            PriceTable::default()
        }
    };
    let table = Rc::new(table);
    with_state(env, |s| s.prices.insert((), table.clone(), now));
    table
}
