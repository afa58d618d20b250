//! The address policy receivers follow: the same as route upstreams'
//! (`crate::upstream`, classes from the gateway core). A receiver at a
//! loopback, private, link-local or unique-local address, or this server's
//! own, needs the webhook's `private_receiver` approval (a global admin's);
//! a cloud metadata service needs that and `--allow-metadata-upstreams`.
//! Checked when a webhook is added and again before every attempt, and
//! the resolver the worker connects with drops addresses the webhook may
//! not reach, so a DNS answer that changes between the check and the
//! connection cannot redirect a delivery.

use crate::upstream::UpstreamPolicy;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;
use tokenctl_gateway::address::AddressClass;

/// Whether a webhook (approved for private receivers or not) may reach an
/// address of this class.
fn allowed(class: AddressClass, private_receiver: bool, allow_metadata: bool) -> bool {
    match class {
        AddressClass::Public => true,
        AddressClass::Private => private_receiver,
        AddressClass::Metadata => private_receiver && allow_metadata,
    }
}

/// Why `url` may not receive deliveries (`None`: it may). A host that
/// does not resolve is not refused here: the resolver checks each address
/// when the worker connects.
pub async fn receiver_refusal(
    policy: &UpstreamPolicy,
    url: &str,
    private_receiver: bool,
) -> Option<String> {
    let c = policy.classify(url).await;
    if allowed(c.class, private_receiver, policy.allow_metadata) {
        return None;
    }
    Some(match c.class {
        AddressClass::Metadata if private_receiver => format!(
            "the receiver resolves to {}; cloud metadata services need the server's --allow-metadata-upstreams",
            c.reason()
        ),
        _ => format!(
            "the receiver resolves to {}; a global admin may allow that with --private-receiver (private_receiver)",
            c.reason()
        ),
    })
}

/// Resolves receivers' names, keeping only the addresses a webhook may
/// reach: one resolver for webhooks approved for private receivers, one
/// for the others.
pub struct PolicyResolver {
    pub policy: UpstreamPolicy,
    pub private_receiver: bool,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let (policy, private_receiver) = (self.policy, self.private_receiver);
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| allowed(policy.class_of(*a), private_receiver, policy.allow_metadata))
                .collect();
            if kept.is_empty() {
                return Err(format!(
                    "{host} resolves to no address this webhook may reach (private, loopback or metadata)"
                )
                .into());
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn private_receivers_need_the_approval() {
        let policy = UpstreamPolicy {
            listen: "127.0.0.1:7700".parse().unwrap(),
            allow_metadata: false,
        };
        assert!(receiver_refusal(&policy, "https://203.0.113.7/h", false)
            .await
            .is_none());
        let refused = receiver_refusal(&policy, "http://127.0.0.1:9/h", false)
            .await
            .unwrap();
        assert!(refused.contains("--private-receiver"), "{refused}");
        assert!(receiver_refusal(&policy, "http://127.0.0.1:9/h", true)
            .await
            .is_none());
        assert!(receiver_refusal(&policy, "http://169.254.169.254/", true)
            .await
            .unwrap()
            .contains("--allow-metadata-upstreams"));
        assert!(receiver_refusal(&policy, "http://localhost:9/", false)
            .await
            .is_some());
    }
}
