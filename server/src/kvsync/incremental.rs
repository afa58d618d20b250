//! An incremental round: writes what changed after the synced position.

use super::desired::{
    meta_entry, prices_entry, quota_entry, routes_entry, secrets_entry, token_entries, token_keys,
    Desired,
};
use super::{KvSync, RoundError};
use crate::api;
use crate::db::KvSyncState;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tokenctl_gateway::kv::{quota_key, token_key, EdgeKey, PRICES_KEY};
use uuid::Uuid;

impl KvSync {
    /// Writes what changed after the synced position.
    pub(super) async fn incremental(&self, state: &KvSyncState) -> Result<(), RoundError> {
        let config = self.db.gateway_config(Some(state.synced_seq)).await?;
        if config.full {
            // The change log is behind the synced position: a restored
            // database. Start over from what it says.
            tracing::warn!(
                synced = state.synced_seq,
                latest = config.version,
                "change log is behind the KV sync position (restored database?); reconciling"
            );
            self.reconcile(None).await?;
            return Ok(());
        }
        let version = config.version;
        if version <= state.synced_seq {
            return Ok(());
        }
        let mut ids: Vec<Uuid> = config.tokens.iter().map(|t| t.id).collect();
        ids.extend(&config.removed_tokens);
        let mut known: HashMap<Uuid, Vec<String>> = HashMap::new();
        for k in self.db.kv_known_keys(Some(ids)).await? {
            known.entry(k.token_id).or_default().push(k.key);
        }
        let mut writes: BTreeMap<String, Desired> = BTreeMap::new();
        let mut deletes: BTreeSet<String> = BTreeSet::new();
        for token in &config.tokens {
            let wanted = token_entries(version, token);
            for key in known.get(&token.id).into_iter().flatten() {
                if !wanted.iter().any(|d| &d.key == key) {
                    deletes.insert(key.clone());
                }
            }
            for d in wanted {
                writes.insert(d.key.clone(), d);
            }
        }
        for id in &config.removed_tokens {
            deletes.extend(known.get(id).into_iter().flatten().cloned());
            // A revoked token's quota state goes with it.
            deletes.insert(quota_key(*id));
        }
        // Quota states: each publication rewrites only its subject's key;
        // a subject whose quotas were removed loses its key.
        for state in &config.quotas {
            let d = quota_entry(version, state);
            writes.insert(d.key.clone(), d);
        }
        for id in &config.removed_quotas {
            deletes.insert(quota_key(*id));
        }
        // Also the hashes the database still has for removed tokens, in case
        // a key reached KV some other way (an older export, say).
        for h in self
            .db
            .kv_token_hashes(config.removed_tokens.clone())
            .await?
        {
            deletes.insert(token_key(&h.secret_hash));
            if let Some(p) = &h.previous_hash {
                deletes.insert(token_key(p));
            }
        }
        if !config.routes.is_empty() || !config.removed_routes.is_empty() {
            let (v, routes) = self.db.kv_routes().await?;
            let d = routes_entry(v.max(version), &routes);
            writes.insert(d.key.clone(), d);
        }
        // A price set: the whole published table, like the routes (one
        // key, rewritten whole).
        if !config.prices.is_empty() {
            let (v, prices) = self.db.kv_prices(api::now()).await?;
            match prices_entry(v.max(version), &prices) {
                Some(d) => {
                    writes.insert(d.key.clone(), d);
                }
                None => {
                    deletes.insert(PRICES_KEY.into());
                }
            }
        }
        if !config.secrets.is_empty() || !config.removed_secrets.is_empty() {
            if let Some(edge) = &self.edge_key {
                let (v, sealed) = self.db.kv_secrets().await?;
                if let Some((plain, hosts)) = self.open_secrets(sealed) {
                    let d = secrets_entry(v.max(version), edge, &plain, &hosts);
                    writes.insert(d.key.clone(), d);
                }
            }
        }
        deletes.retain(|k| !writes.contains_key(k));
        let deletes: Vec<String> = deletes.into_iter().collect();
        let writes: Vec<&Desired> = writes.values().collect();

        self.db.kv_remember_keys(token_keys(&writes)).await?;
        self.delete_all(&deletes, |_| {}).await?;
        self.put_all(&writes, |_| {}).await?;
        // `meta` marks the configuration (tokens, routes, secrets) KV
        // reflects. Quota states are published up to once a second per
        // subject, and each round's meta write would double the API calls
        // of such a round; the Worker reads quota keys and `prices`
        // directly and needs no marker, so a round that carried only quota
        // states and prices leaves `meta` alone (the next other round, or
        // a reconcile, moves it).
        let published_only = config.tokens.is_empty()
            && config.removed_tokens.is_empty()
            && config.routes.is_empty()
            && config.removed_routes.is_empty()
            && config.secrets.is_empty()
            && config.removed_secrets.is_empty();
        if !published_only {
            let meta = meta_entry(version, api::now());
            self.put_all(&[&meta], |_| {}).await?;
        }
        self.db.kv_forget_keys(deletes.clone()).await?;
        let cf = self.cloudflare();
        self.db
            .kv_mark_synced(
                version,
                cf.config.namespace_id.clone(),
                self.edge_key.as_ref().map(EdgeKey::key_id),
                api::now(),
            )
            .await?;
        tracing::debug!(
            version,
            written = writes.len(),
            deleted = deletes.len(),
            "KV sync round done"
        );
        Ok(())
    }
}
