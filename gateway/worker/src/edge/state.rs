//! The per-isolate state: settings read from the bindings once, the
//! cached configuration, tokens, quota states and prices, the rate limiter and
//! quota counter, and the usage buffers. Nothing here is held across an `.await` while borrowed: the
//! runtime interleaves the requests of one isolate at await points.

use super::usage::{DENIAL_ADDRESSES, DENIAL_WINDOW};
use crate::cache::TtlCache;
use crate::plain::secs_var;
use std::cell::RefCell;
use std::rc::Rc;
use tokenctl_gateway::kv::{EdgeKey, MetaValue};
use tokenctl_gateway::quota::{PriceTable, QuotaCounter, QuotaState};
use tokenctl_gateway::usage::DenialAggregator;
use tokenctl_gateway::{Gateway, RateLimiter, TokenEntry};
use uuid::Uuid;
use worker::{console_error, Env};

const DEFAULT_TOKEN_CACHE_SECS: u64 = 5;
const DEFAULT_CONFIG_CACHE_SECS: u64 = 30;
/// KV's minimum `cacheTtl`.
const DEFAULT_KV_CACHE_TTL_SECS: u64 = 60;
/// Tokens remembered per isolate (a few hundred bytes each).
const TOKEN_CACHE_CAPACITY: usize = 10_000;
/// Quota states remembered per isolate (a token's and its team's each).
const QUOTA_CACHE_CAPACITY: usize = 2 * TOKEN_CACHE_CAPACITY;

pub(super) struct Settings {
    pub(super) server_url: Option<String>,
    pub(super) gateway_key: Option<String>,
    pub(super) edge_key: Result<EdgeKey, String>,
    pub(super) token_ttl_secs: u64,
    pub(super) config_ttl_secs: u64,
    pub(super) kv_cache_ttl_secs: u64,
}

/// A string binding: a secret (`wrangler secret put`) or a `[vars]` value.
fn string_binding(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
        .filter(|v| !v.trim().is_empty())
}

impl Settings {
    fn from_env(env: &Env) -> Settings {
        let edge_key = match string_binding(env, "TOKENCTL_EDGE_KEY") {
            Some(k) => EdgeKey::parse(&k).map_err(|e| e.to_string()),
            None => Err("TOKENCTL_EDGE_KEY is not set".to_string()),
        };
        Settings {
            server_url: string_binding(env, "SERVER_URL"),
            gateway_key: string_binding(env, "TOKENCTL_GATEWAY_KEY").map(|k| k.trim().to_string()),
            edge_key,
            token_ttl_secs: secs_var(
                string_binding(env, "TOKEN_CACHE_SECS"),
                DEFAULT_TOKEN_CACHE_SECS,
            ),
            config_ttl_secs: secs_var(
                string_binding(env, "CONFIG_CACHE_SECS"),
                DEFAULT_CONFIG_CACHE_SECS,
            ),
            // KV refuses a smaller cacheTtl.
            kv_cache_ttl_secs: secs_var(
                string_binding(env, "KV_CACHE_TTL_SECS"),
                DEFAULT_KV_CACHE_TTL_SECS,
            )
            .max(DEFAULT_KV_CACHE_TTL_SECS),
        }
    }
}

/// Routes and opened secrets, indexed by the core.
pub(super) struct Config {
    pub(super) gateway: Gateway,
    pub(super) routes_raw: String,
    pub(super) secrets_raw: Option<String>,
    pub(super) secrets_version: Option<u64>,
    pub(super) secrets: usize,
    pub(super) problems: Vec<String>,
}

pub(super) struct State {
    pub(super) settings: Rc<Settings>,
    pub(super) config: Option<Rc<Config>>,
    pub(super) config_checked_ms: f64,
    pub(super) config_error: Option<String>,
    pub(super) meta: Option<MetaValue>,
    pub(super) tokens: TtlCache<[u8; 32], Option<Rc<TokenEntry>>>,
    /// `quota:<uuid>` as read (absence too), for the token TTL.
    pub(super) quota_states: TtlCache<Uuid, Option<Rc<QuotaState>>>,
    /// `prices` as read (absence, or an unreadable value, as no prices),
    /// for the token TTL.
    pub(super) prices: TtlCache<(), Rc<PriceTable>>,
    /// Why the last read of `prices` failed, logged once until a read
    /// succeeds.
    pub(super) prices_problem: Option<String>,
    pub(super) limiter: RateLimiter,
    /// What this isolate let through per quota: exact for the isolate,
    /// blind to other isolates until the control plane publishes.
    pub(super) quotas: QuotaCounter,
    /// With a Queue: events gathered for the next messages.
    pub(super) queued: Vec<String>,
    pub(super) queue_gathering: bool,
    pub(super) queue_dropped: u64,
    /// Without a Queue: events waiting to be posted.
    pub(super) direct: Vec<String>,
    pub(super) direct_flushing: bool,
    pub(super) direct_error: Option<String>,
    pub(super) direct_dropped: u64,
    pub(super) denials: DenialAggregator,
    pub(super) denials_flushing: bool,
    pub(super) dead_lettered: u64,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// Runs `f` on the isolate's state (created on first use from `env`).
pub(super) fn with_state<R>(env: &Env, f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let state = slot.get_or_insert_with(|| {
            let settings = Settings::from_env(env);
            if let Err(e) = &settings.edge_key {
                console_error!("tokenctl worker: {e}; routes with upstream credentials will fail");
            }
            State {
                tokens: TtlCache::new(
                    settings.token_ttl_secs as f64 * 1000.0,
                    TOKEN_CACHE_CAPACITY,
                ),
                quota_states: TtlCache::new(
                    settings.token_ttl_secs as f64 * 1000.0,
                    QUOTA_CACHE_CAPACITY,
                ),
                prices: TtlCache::new(settings.token_ttl_secs as f64 * 1000.0, 1),
                prices_problem: None,
                settings: Rc::new(settings),
                config: None,
                config_checked_ms: f64::NEG_INFINITY,
                config_error: None,
                meta: None,
                limiter: RateLimiter::new(),
                quotas: QuotaCounter::new(),
                queued: Vec::new(),
                queue_gathering: false,
                queue_dropped: 0,
                direct: Vec::new(),
                direct_flushing: false,
                direct_error: None,
                direct_dropped: 0,
                denials: DenialAggregator::new(DENIAL_WINDOW, DENIAL_ADDRESSES),
                denials_flushing: false,
                dead_lettered: 0,
            }
        });
        f(state)
    })
}
