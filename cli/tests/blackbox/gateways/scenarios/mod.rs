//! The scenarios of the gateway suites, each written once against
//! [`GatewayUnderTest`](super::GatewayUnderTest); the list that runs them
//! is in `gateways/mod.rs`.

mod access;
mod budgets;
mod llm;
mod proxying;
mod quotas;
mod refusals;
mod usage;

pub use access::enforces_route_grants_secret_hosts_and_upstream_addresses;
pub use budgets::{budgets_count_each_answers_cost_at_the_published_prices, chat, llm_route};
pub use llm::llm_usage_is_read_from_answers_and_priced;
pub use proxying::{forwards_with_the_upstream_credential, streams_bodies_and_rewrites_redirects};
pub use quotas::{
    llm_token_quotas_count_the_answers, quotas_limit_tokens_and_teams_and_follow_the_server,
    WORKERD_ISOLATES,
};
pub use refusals::{error_codes, rotation_grace_and_revocation};
pub use usage::{hostile_requests_cost_nothing_else, usage_is_recorded_exactly_once};
