//! Black-box tests: the real `tokenctl` binary against a real server on
//! 127.0.0.1, on SQLite and (when configured) PostgreSQL. One test binary
//! keeps link times down.

mod common;
mod fake_kv;
mod fake_openai;
mod own_postgres;
mod prometheus_text;
mod upstream;

mod api_contract;
mod budgets;
mod concurrency;
mod credentials;
mod deploy;
mod dev;
mod errors;
mod faults;
mod gateways;
mod hostile;
mod hostile_reports;
mod kv_scale;
mod kvsync;
mod least_privilege;
mod login;
mod meta;
mod metrics;
mod openai_sdk;
mod operator_views;
mod paging;
mod permissions;
mod privilege;
mod quotas;
mod routes;
mod search;
mod secrets;
mod security;
mod settings;
mod slowloris;
mod spend;
mod teams;
mod tls;
mod tokens;
mod trusted_proxies;
mod upgrade;
mod usage;
mod usage_paging;
mod webhooks;
