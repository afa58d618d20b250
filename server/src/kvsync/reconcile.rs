//! The full reconcile: lists the namespace, compares each of the layout's
//! keys with the database, rewrites what differs and deletes orphans. Also
//! what the database wants in KV, which `sync export` prints.

use super::client::ListedKey;
use super::desired::{
    listed_up_to_date, meta_entry, prices_entry, quota_entry, routes_entry, secrets_entry,
    secrets_match, token_entries, token_keys, Desired,
};
use super::{KvSync, RoundError};
use crate::api;
use crate::api::sync::SyncPushResult;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use tokenctl_gateway::kv::{is_ours, EdgeKey, META_KEY, SECRETS_KEY};
use tokenctl_gateway::snapshot::SecretHosts;
use tokio::time::Instant;

/// What the KV should hold, from the database at change-log `version`.
pub(super) struct DesiredState {
    pub(super) version: u64,
    pub(super) keys: BTreeMap<String, Desired>,
    /// Plaintext secrets and their hosts for comparing the `secrets` key,
    /// when this process manages it (an edge key is set and every secret
    /// opened).
    pub(super) secrets: Option<(BTreeMap<String, Vec<u8>>, SecretHosts)>,
}

impl KvSync {
    /// Decrypts every upstream secret with the master key, and collects
    /// their hosts. `None` (leave the `secrets` key alone) when one cannot
    /// be opened.
    pub(super) fn open_secrets(
        &self,
        sealed: Vec<crate::db::SealedSecret>,
    ) -> Option<(BTreeMap<String, Vec<u8>>, SecretHosts)> {
        let mut plain = BTreeMap::new();
        let mut hosts = SecretHosts::new();
        for secret in sealed {
            let name = secret.name;
            match self
                .master_key
                .as_ref()
                .and_then(|k| k.open(&name, &secret.sealed))
            {
                Some(v) => {
                    hosts.insert(name.clone(), secret.hosts);
                    plain.insert(name, v);
                }
                None => {
                    tracing::error!(secret = %name, "cannot decrypt upstream secret for KV; leaving the secrets key as it is");
                    return None;
                }
            }
        }
        Some((plain, hosts))
    }

    /// Everything KV should hold (without `meta`), at one change-log position.
    pub(super) async fn desired_state(&self) -> Result<DesiredState, RoundError> {
        let config = self.db.gateway_config(None).await?;
        let version = config.version;
        let mut keys = BTreeMap::new();
        for token in &config.tokens {
            for d in token_entries(version, token) {
                keys.insert(d.key.clone(), d);
            }
        }
        for state in &config.quotas {
            let d = quota_entry(version, state);
            keys.insert(d.key.clone(), d);
        }
        let routes = routes_entry(version, &config.routes);
        keys.insert(routes.key.clone(), routes);
        if let Some(d) = prices_entry(version, &config.prices) {
            keys.insert(d.key.clone(), d);
        }
        let mut secrets = None;
        if let Some(edge) = &self.edge_key {
            if let Some((plain, hosts)) = self.open_secrets(config.secrets) {
                let d = secrets_entry(version, edge, &plain, &hosts);
                keys.insert(d.key.clone(), d);
                secrets = Some((plain, hosts));
            }
        }
        Ok(DesiredState {
            version,
            keys,
            secrets,
        })
    }

    /// Lists the namespace, rewrites what differs from the database, deletes
    /// orphans. `requested_at`: the `sync push --full` request this answers.
    pub(super) async fn reconcile(
        &self,
        requested_at: Option<DateTime<Utc>>,
    ) -> Result<SyncPushResult, RoundError> {
        let cf = self.cloudflare();
        let started_at = api::now();
        self.db.kv_full_progress(0, 0).await?;
        let desired = self.desired_state().await?;
        let version = desired.version;

        // 1. List our keys.
        let mut listed: BTreeMap<String, ListedKey> = BTreeMap::new();
        let mut cursor: Option<String> = None;
        let mut last_report = Instant::now();
        loop {
            let (page, next) = self.call(|| cf.client.list_page(cursor.as_deref())).await?;
            for k in page {
                if is_ours(&k.name) {
                    listed.insert(k.name.clone(), k);
                }
            }
            if last_report.elapsed() > Duration::from_millis(250) {
                self.db.kv_full_progress(listed.len() as u64, 0).await?;
                last_report = Instant::now();
            }
            match next {
                Some(c) if Some(&c) != cursor.as_ref() => cursor = Some(c),
                _ => break,
            }
        }

        // 2. Compare.
        let mut writes: Vec<&Desired> = vec![];
        let mut unchanged = 0u64;
        for (key, d) in &desired.keys {
            let up_to_date = match listed.get(key) {
                None => false,
                Some(_) if key == SECRETS_KEY => {
                    let (edge, (plain, hosts)) = (
                        self.edge_key.as_ref().expect("secrets need the edge key"),
                        desired.secrets.as_ref().expect("set with the key"),
                    );
                    let stored = self.call(|| cf.client.read(SECRETS_KEY)).await?;
                    stored.is_some_and(|s| secrets_match(&s, version, edge, plain, hosts))
                }
                // A previous secret's key must also expire by itself.
                Some(l) => {
                    listed_up_to_date(l.metadata.as_ref(), d, version)
                        && (d.grace_end.is_none() || l.expiration.is_some())
                }
            };
            if up_to_date {
                unchanged += 1;
            } else {
                writes.push(d);
            }
        }
        // Orphans: our keys the database does not want. Keys believed to be
        // in KV are included, as listings lag behind writes. `secrets` stays
        // when this process does not manage it (no edge key).
        let known = self.db.kv_known_keys(None).await?;
        let deletes: Vec<String> = listed
            .keys()
            .cloned()
            .chain(known.iter().map(|k| k.key.clone()))
            .collect::<BTreeSet<String>>()
            .into_iter()
            .filter(|k| !desired.keys.contains_key(k))
            .filter(|k| k != META_KEY)
            .filter(|k| k != SECRETS_KEY || desired.secrets.is_some())
            .collect();

        // 3. Apply: remember token keys first, then deletes, writes, meta.
        let total = (writes.len() + deletes.len()) as u64;
        self.db.kv_full_progress(0, total).await?;
        self.db.kv_remember_keys(token_keys(&writes)).await?;
        let mut done = 0u64;
        let db = &self.db;
        let mut report = |n: u64| {
            done += n;
            let db = db.clone();
            let d = done;
            tokio::spawn(async move {
                let _ = db.kv_full_progress(d, total).await;
            });
        };
        self.delete_all(&deletes, &mut report).await?;
        self.put_all(&writes, &mut report).await?;
        let meta_current = listed
            .get(META_KEY)
            .and_then(|m| m.metadata.as_ref())
            .and_then(|m| m.get("v"))
            .and_then(serde_json::Value::as_u64)
            == Some(version);
        if !writes.is_empty() || !deletes.is_empty() || !meta_current {
            let meta = meta_entry(version, api::now());
            self.put_all(&[&meta], |_| {}).await?;
        }

        // 4. Bookkeeping: exactly the desired token keys are in KV now.
        let desired_tokens: BTreeSet<&String> = desired
            .keys
            .values()
            .filter(|d| d.token_id.is_some())
            .map(|d| &d.key)
            .collect();
        let stale: Vec<String> = known
            .into_iter()
            .map(|k| k.key)
            .filter(|k| !desired_tokens.contains(k))
            .collect();
        self.db.kv_forget_keys(stale).await?;
        self.db
            .kv_remember_keys(token_keys(&desired.keys.values().collect::<Vec<_>>()))
            .await?;
        self.db
            .kv_mark_synced(
                version,
                cf.config.namespace_id.clone(),
                self.edge_key.as_ref().map(EdgeKey::key_id),
                api::now(),
            )
            .await?;
        let result = SyncPushResult {
            full: true,
            version,
            listed: listed.len() as u64,
            unchanged,
            written: writes.len() as u64,
            deleted: deletes.len() as u64,
            started_at: Some(started_at),
            finished_at: Some(api::now()),
        };
        self.db
            .kv_full_done(
                requested_at,
                serde_json::to_string(&result).expect("serialises"),
            )
            .await?;
        Ok(result)
    }
}
