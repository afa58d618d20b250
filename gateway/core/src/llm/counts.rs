//! The token counts a response reports ([`LlmUsage`]) and how the
//! providers' fields combine into them.
//!
//! The providers count input differently. OpenAI's `prompt_tokens` (chat,
//! completions) and `input_tokens` (Responses API) include the cached part,
//! which `*_tokens_details.cached_tokens` breaks out. Anthropic's
//! `input_tokens` excludes it: tokens read from and written to its prompt
//! cache come on top, as `cache_read_input_tokens` and
//! `cache_creation_input_tokens`. [`LlmUsage::input_tokens`] is always the
//! whole input, so spend is comparable across providers; the cache fields
//! say how much of it was cached. The fields are told apart by name, not by
//! the route's provider, so an OpenAI-compatible upstream that reports
//! Anthropic-style cache fields is counted right too.

use serde::{Deserialize, Serialize};

/// Longest model name kept, in bytes. A longer one (or one with control
/// characters) is treated as absent: no real model id comes near it.
pub const MODEL_MAX: usize = 256;

/// What one response consumed, as its provider reported it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmUsage {
    /// The model that answered, as the response names it (often more
    /// precise than the request's, e.g. `gpt-4o-2024-08-06` for `gpt-4o`).
    /// `None` when the response did not say; the request's model is the
    /// front-end's fallback.
    pub model: Option<String>,
    /// Every input (prompt) token, cached or not (see the module docs).
    pub input_tokens: u64,
    /// Every output token, reasoning included.
    pub output_tokens: u64,
    /// Of `input_tokens`, those read from the provider's prompt cache
    /// (OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`).
    pub cache_read_tokens: u64,
    /// Of `input_tokens`, those written to the prompt cache (Anthropic
    /// `cache_creation_input_tokens`; OpenAI does not report it).
    pub cache_write_tokens: u64,
    /// Of `output_tokens`, those spent on reasoning (OpenAI
    /// `reasoning_tokens`; Anthropic does not report it).
    pub reasoning_tokens: u64,
    /// Whether the provider's closing usage report was seen: the `usage`
    /// object of a JSON response, OpenAI's usage chunk or `response.usage`
    /// of a finished Responses stream, Anthropic's `message_delta`. `false`
    /// when a stream ended early (a client gone, an upstream cut off) and
    /// the counts are what had been reported until then (for Anthropic:
    /// the input of `message_start`, with its placeholder output count).
    pub complete: bool,
}

/// One counter a provider reports, by where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    /// `prompt_tokens` or `input_tokens`.
    Input,
    /// `completion_tokens` or `output_tokens`.
    Output,
    /// `prompt_tokens_details.cached_tokens` or
    /// `input_tokens_details.cached_tokens` (part of `Input`).
    CachedDetail,
    /// `completion_tokens_details.reasoning_tokens` or
    /// `output_tokens_details.reasoning_tokens` (part of `Output`).
    ReasoningDetail,
    /// `cache_read_input_tokens` (on top of `Input`).
    CacheRead,
    /// `cache_creation_input_tokens` (on top of `Input`).
    CacheCreation,
}

const COUNTERS: usize = 6;

/// What one JSON document (a body, or one server-sent event) reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Report {
    counters: [Option<u64>; COUNTERS],
    model: Option<String>,
    /// A usage object at the top level or under `response`: the report a
    /// provider sends when it is done (an Anthropic `message_start` carries
    /// its usage under `message`).
    pub(crate) closing: bool,
}

impl Report {
    pub(crate) fn set(&mut self, counter: Counter, value: u64) {
        self.counters[counter as usize] = Some(value);
    }

    /// Keeps `model` if it is a plausible model name.
    pub(crate) fn set_model(&mut self, model: String) {
        if model.len() <= MODEL_MAX && !model.chars().any(char::is_control) {
            self.model = Some(model);
        }
    }

    #[cfg(test)]
    pub(crate) fn get(&self, counter: Counter) -> Option<u64> {
        self.counters[counter as usize]
    }

    #[cfg(test)]
    pub(crate) fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }
}

/// Reports merged over a whole response. Providers report running totals
/// (Anthropic's `message_delta` counts are cumulative and may come more
/// than once), so a later value of a counter replaces an earlier one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    latest: Report,
}

impl Tally {
    pub(crate) fn merge(&mut self, report: Report) {
        for (mine, theirs) in self.latest.counters.iter_mut().zip(report.counters) {
            if theirs.is_some() {
                *mine = theirs;
            }
        }
        if report.model.is_some() {
            self.latest.model = report.model;
        }
        self.latest.closing |= report.closing;
    }

    /// The usage, or `None` when no input or output count was reported.
    pub(crate) fn usage(self) -> Option<LlmUsage> {
        let [input, output, cached, reasoning, cache_read, cache_creation] = self.latest.counters;
        if input.is_none() && output.is_none() {
            return None;
        }
        let n = |v: Option<u64>| v.unwrap_or(0);
        Some(LlmUsage {
            model: self.latest.model,
            input_tokens: n(input)
                .saturating_add(n(cache_read))
                .saturating_add(n(cache_creation)),
            output_tokens: n(output),
            cache_read_tokens: n(cached).saturating_add(n(cache_read)),
            cache_write_tokens: n(cache_creation),
            reasoning_tokens: n(reasoning),
            complete: self.latest.closing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(pairs: &[(Counter, u64)], model: Option<&str>, closing: bool) -> Report {
        let mut r = Report {
            closing,
            ..Report::default()
        };
        for &(c, v) in pairs {
            r.set(c, v);
        }
        if let Some(m) = model {
            r.set_model(m.to_string());
        }
        r
    }

    #[test]
    fn nothing_reported_is_unknown_usage() {
        assert_eq!(Tally::default().usage(), None);
        let mut t = Tally::default();
        t.merge(report(&[(Counter::CachedDetail, 3)], Some("m"), true));
        assert_eq!(t.usage(), None, "a model and details without counts");
    }

    #[test]
    fn openai_cached_tokens_are_part_of_the_input() {
        let mut t = Tally::default();
        t.merge(report(
            &[
                (Counter::Input, 2006),
                (Counter::Output, 300),
                (Counter::CachedDetail, 1920),
                (Counter::ReasoningDetail, 192),
            ],
            Some("o3-mini"),
            true,
        ));
        assert_eq!(
            t.usage(),
            Some(LlmUsage {
                model: Some("o3-mini".into()),
                input_tokens: 2006,
                output_tokens: 300,
                cache_read_tokens: 1920,
                cache_write_tokens: 0,
                reasoning_tokens: 192,
                complete: true,
            })
        );
    }

    #[test]
    fn anthropic_cache_tokens_add_to_the_input_and_later_counts_replace_earlier() {
        let mut t = Tally::default();
        // message_start, then two message_delta events with running totals.
        t.merge(report(
            &[
                (Counter::Input, 25),
                (Counter::Output, 1),
                (Counter::CacheRead, 100),
                (Counter::CacheCreation, 40),
            ],
            Some("claude-sonnet-4-5"),
            false,
        ));
        t.merge(report(&[(Counter::Output, 9)], None, true));
        t.merge(report(&[(Counter::Output, 15)], None, true));
        assert_eq!(
            t.usage(),
            Some(LlmUsage {
                model: Some("claude-sonnet-4-5".into()),
                input_tokens: 165,
                output_tokens: 15,
                cache_read_tokens: 100,
                cache_write_tokens: 40,
                reasoning_tokens: 0,
                complete: true,
            })
        );
    }

    #[test]
    fn sums_saturate_and_implausible_models_are_dropped() {
        let mut t = Tally::default();
        t.merge(report(
            &[(Counter::Input, u64::MAX), (Counter::CacheRead, 5)],
            Some(&"m".repeat(MODEL_MAX + 1)),
            false,
        ));
        t.merge(report(&[], Some("bad\nmodel"), false));
        let u = t.usage().unwrap();
        assert_eq!(u.input_tokens, u64::MAX);
        assert_eq!(u.model, None);
        assert!(!u.complete);
    }
}
