use super::*;
use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use uuid::Uuid;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn state(subject: u128, kind: QuotaKind, limit: u64, used: u64, now: DateTime<Utc>) -> QuotaState {
    QuotaState {
        subject: Uuid::from_u128(subject),
        limits: vec![QuotaUsage {
            kind,
            limit,
            period: Period::Day,
            period_start: Period::Day.start(now),
            used,
        }],
    }
}

#[test]
fn one_gateway_passes_exactly_the_quota() {
    let now = t("2026-12-03T13:00:00Z");
    let mut counter = QuotaCounter::new();
    let published = state(1, QuotaKind::Requests, 100, 0, now);
    for i in 0..100 {
        assert!(counter.admit(&[&published], now).is_ok(), "request {i}");
    }
    let refused = counter.admit(&[&published], now).unwrap_err();
    assert_eq!(refused.kind, QuotaKind::Requests);
    assert_eq!(refused.retry_after_secs, 11 * 3600);
    // A refused request counts nowhere.
    assert_eq!(
        counter.local_total(Uuid::from_u128(1), QuotaKind::Requests, now),
        100
    );
}

#[test]
fn a_late_publication_of_its_own_traffic_does_not_double_count() {
    let now = t("2026-12-03T13:00:00Z");
    let mut counter = QuotaCounter::new();
    for _ in 0..60 {
        counter
            .admit(&[&state(1, QuotaKind::Requests, 100, 0, now)], now)
            .unwrap();
    }
    // The control plane has now counted 50 of those 60.
    let published = state(1, QuotaKind::Requests, 100, 50, now);
    let mut passed = 60;
    while counter.admit(&[&published], now).is_ok() {
        passed += 1;
    }
    assert_eq!(passed, 100, "the local total wins");
}

#[test]
fn other_gateways_traffic_counts_once_published() {
    let now = t("2026-12-03T13:00:00Z");
    let mut counter = QuotaCounter::new();
    for _ in 0..10 {
        counter
            .admit(&[&state(1, QuotaKind::Requests, 100, 0, now)], now)
            .unwrap();
    }
    // Another gateway let 80 through; the control plane counted all 90.
    let published = state(1, QuotaKind::Requests, 100, 90, now);
    let mut passed = 0;
    while counter.admit(&[&published], now).is_ok() {
        passed += 1;
    }
    assert_eq!(passed, 10);
}

#[test]
fn a_new_period_starts_from_nothing() {
    let before = t("2026-12-03T23:59:59Z");
    let mut counter = QuotaCounter::new();
    let published = state(1, QuotaKind::Requests, 2, 2, before);
    assert!(counter.admit(&[&published], before).is_err());
    // The publication is of yesterday: it no longer counts.
    let after = t("2026-12-04T00:00:00Z");
    assert!(counter.admit(&[&published], after).is_ok());
    assert!(counter.admit(&[&published], after).is_ok());
    assert_eq!(
        counter
            .admit(&[&published], after)
            .unwrap_err()
            .retry_after_secs,
        86_400
    );
    assert_eq!(counter.sweep(after), 0);
    assert_eq!(counter.sweep(t("2026-12-05T00:00:00Z")), 1);
}

#[test]
fn token_and_team_quotas_both_apply() {
    let now = t("2026-12-03T12:00:00Z");
    let mut counter = QuotaCounter::new();
    let token = state(1, QuotaKind::Requests, 5, 0, now);
    let team = state(2, QuotaKind::Requests, 3, 0, now);
    for _ in 0..3 {
        counter.admit(&[&token, &team], now).unwrap();
    }
    let refused = counter.admit(&[&token, &team], now).unwrap_err();
    assert_eq!(refused.subject, Uuid::from_u128(2));
    // The refusal by the team counted nothing against the token.
    assert_eq!(
        counter.local_total(Uuid::from_u128(1), QuotaKind::Requests, now),
        3
    );
}

#[test]
fn llm_tokens_count_after_the_answer() {
    let now = t("2026-12-03T12:00:00Z");
    let mut counter = QuotaCounter::new();
    let published = state(1, QuotaKind::LlmTokens, 1000, 0, now);
    counter.admit(&[&published], now).unwrap();
    counter.record(Uuid::from_u128(1), QuotaKind::LlmTokens, 700, now);
    counter.admit(&[&published], now).unwrap();
    // The request that crosses the limit completes; the next is refused.
    counter.record(Uuid::from_u128(1), QuotaKind::LlmTokens, 700, now);
    assert!(counter.admit(&[&published], now).is_err());
    // Requests are not counted against a token quota.
    assert_eq!(
        counter.local_total(Uuid::from_u128(1), QuotaKind::Requests, now),
        0
    );
    // An amount from an ended period is dropped.
    counter.record(
        Uuid::from_u128(1),
        QuotaKind::LlmTokens,
        5,
        now - TimeDelta::days(1),
    );
    assert_eq!(
        counter.local_total(Uuid::from_u128(1), QuotaKind::LlmTokens, now),
        1400
    );
}

#[test]
fn budgets_count_costs_after_the_answer_carrying_sub_micro_dollars() {
    let now = t("2026-12-03T12:00:00Z");
    let mut counter = QuotaCounter::new();
    // $0.01, and calls of $0.001066666661 (1,066,666,661 pico-dollars).
    let published = state(1, QuotaKind::Budget, 10_000, 0, now);
    let call = cost_pico(17, 5, 33_333_333, 100_000_000);
    assert_eq!(call, 1_066_666_661);
    for i in 0..10 {
        assert!(counter.admit(&[&published], now).is_ok(), "call {i}");
        counter.record_cost(Uuid::from_u128(1), call, now);
    }
    // The tenth crossed the budget and completed; the eleventh is refused.
    let refused = counter.admit(&[&published], now).unwrap_err();
    assert_eq!(refused.kind, QuotaKind::Budget);
    // Whole micro-dollars of the exact sum, not ten rounded calls.
    assert_eq!(
        counter.local_total(Uuid::from_u128(1), QuotaKind::Budget, now),
        10_666
    );
    // A million calls of a pico-dollar are a micro-dollar.
    let mut counter = QuotaCounter::new();
    counter.admit(&[&published], now).unwrap();
    for _ in 0..1_000_000 {
        counter.record_cost(Uuid::from_u128(1), 1, now);
    }
    assert_eq!(
        counter.local_total(Uuid::from_u128(1), QuotaKind::Budget, now),
        1
    );
}

#[test]
fn retry_after_is_the_latest_exhausted_period_end() {
    let now = t("2026-12-03T12:30:00Z");
    let mut counter = QuotaCounter::new();
    let mut published = state(1, QuotaKind::Requests, 1, 1, now);
    published.limits.push(QuotaUsage {
        kind: QuotaKind::LlmTokens,
        limit: 10,
        period: Period::Hour,
        period_start: Period::Hour.start(now),
        used: 10,
    });
    assert_eq!(
        counter
            .admit(&[&published], now)
            .unwrap_err()
            .retry_after_secs,
        11 * 3600 + 1800
    );
}

proptest! {
    /// Whatever the control plane publishes of a single gateway's own
    /// traffic (some prefix of it, published at any moment), exactly the
    /// limit passes.
    #[test]
    fn one_gateway_is_exact_whatever_is_published(
        limit in 1u64..300,
        publish_at in proptest::collection::vec(0u64..400, 0..20),
        lag in 0u64..50,
    ) {
        let now = t("2026-12-03T12:00:00Z");
        let mut counter = QuotaCounter::new();
        let mut published = state(1, QuotaKind::Requests, limit, 0, now);
        let mut passed = 0u64;
        for i in 0..400u64 {
            if publish_at.contains(&i) {
                published.limits[0].used = passed.saturating_sub(lag);
            }
            if counter.admit(&[&published], now).is_ok() {
                passed += 1;
            }
        }
        prop_assert_eq!(passed, limit);
    }

    /// With two gateways whose traffic is published late, the overshoot is
    /// at most the traffic the other gateway let through unpublished.
    #[test]
    fn two_gateways_overshoot_is_bounded_by_unpublished_traffic(
        limit in 1u64..200,
        publish_every in 1u64..30,
    ) {
        let now = t("2026-12-03T12:00:00Z");
        let mut gateways = [QuotaCounter::new(), QuotaCounter::new()];
        let mut published = state(1, QuotaKind::Requests, limit, 0, now);
        let mut passed = 0u64;
        for i in 0..(4 * limit + 100) {
            if i % publish_every == 0 {
                published.limits[0].used = passed;
            }
            if gateways[usize::try_from(i % 2).unwrap()].admit(&[&published], now).is_ok() {
                passed += 1;
            }
        }
        prop_assert!(passed >= limit);
        prop_assert!(passed <= limit + publish_every, "{} passed", passed);
    }
}

#[test]
fn an_answers_llm_tokens_count_against_the_subjects_with_such_a_quota() {
    use crate::llm::LlmUsage;
    use crate::usage::LlmOutcome;
    let now = t("2026-12-03T13:00:00Z");
    let token = state(1, QuotaKind::LlmTokens, 100, 0, now);
    let team = state(2, QuotaKind::Requests, 100, 0, now);
    assert_eq!(LlmTokenCharge::of([None, Some(&team)]), None);
    let charge = LlmTokenCharge::of([Some(&token), Some(&team)]).unwrap();
    assert_eq!(
        charge.subjects().copied().collect::<Vec<_>>(),
        [Uuid::from_u128(1)]
    );
    assert!(!charge.counts_cost(), "no budget: no prices needed");
    let budget = state(3, QuotaKind::Budget, 100, 0, now);
    assert!(LlmTokenCharge::of([Some(&budget), None])
        .unwrap()
        .counts_cost());

    let mut counter = QuotaCounter::new();
    counter.admit(&[&token, &team], now).unwrap();
    let answer = LlmOutcome {
        requested_model: None,
        usage: Some(LlmUsage {
            input_tokens: 70,
            output_tokens: 40,
            ..LlmUsage::default()
        }),
    };
    let prices = PriceTable::default();
    charge.record(&mut counter, &prices, &LlmOutcome::default(), now);
    assert_eq!(
        counter.local_total(Uuid::from_u128(1), QuotaKind::LlmTokens, now),
        0,
        "nothing reported, nothing counted"
    );
    charge.record(&mut counter, &prices, &answer, now);
    assert_eq!(
        counter.local_total(Uuid::from_u128(1), QuotaKind::LlmTokens, now),
        110
    );
    // The request that crossed the limit completed; the next is refused.
    let refused = counter.admit(&[&token, &team], now).unwrap_err();
    assert_eq!(refused.kind, QuotaKind::LlmTokens);
}
