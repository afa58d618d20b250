//! A reader of the Prometheus text exposition format (version 0.0.4), for
//! the metrics suite: samples with their labels, and the declared families.
//! Strict: a line it cannot read fails the test, so a malformed scrape is
//! never half-read.

use std::collections::{BTreeMap, BTreeSet};

/// One sample line: `name{label="value",…} value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A whole scrape.
#[derive(Debug, Clone, Default)]
pub struct Scrape {
    pub samples: Vec<Sample>,
    /// Family name → type, from the `# TYPE` lines.
    pub types: BTreeMap<String, String>,
}

impl Scrape {
    pub fn parse(text: &str) -> Scrape {
        let mut scrape = Scrape::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                let mut words = comment.split_whitespace();
                if words.next() == Some("TYPE") {
                    let (Some(name), Some(kind)) = (words.next(), words.next()) else {
                        panic!("line {}: bad TYPE line: {line}", n + 1);
                    };
                    scrape.types.insert(name.to_string(), kind.to_string());
                }
                continue;
            }
            let sample =
                parse_sample(line).unwrap_or_else(|e| panic!("line {}: {e}: {line}", n + 1));
            scrape.samples.push(sample);
        }
        scrape
    }

    /// The value of the one sample with this name and exactly these labels.
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let want: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut found = self
            .samples
            .iter()
            .filter(|s| s.name == name && s.labels == want);
        let first = found.next()?;
        assert!(found.next().is_none(), "{name} {labels:?} appears twice");
        Some(first.value)
    }

    /// Like [`Scrape::get`], with an absent series read as 0: a counter
    /// with a label set that has not happened yet is not exported.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.get(name, labels).unwrap_or(0.0)
    }

    /// Every sample name (histograms give `_bucket`, `_sum`, `_count`).
    pub fn names(&self) -> BTreeSet<String> {
        self.samples.iter().map(|s| s.name.clone()).collect()
    }
}

fn is_name_char(c: char, first: bool) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':' || (!first && c.is_ascii_digit())
}

fn parse_sample(line: &str) -> Result<Sample, String> {
    let name_end = line
        .char_indices()
        .find(|&(i, c)| !is_name_char(c, i == 0))
        .map_or(line.len(), |(i, _)| i);
    if name_end == 0 {
        return Err("no metric name".into());
    }
    let name = line[..name_end].to_string();
    let mut rest = &line[name_end..];
    let mut labels = BTreeMap::new();
    if let Some(after) = rest.strip_prefix('{') {
        rest = after;
        loop {
            rest = rest.trim_start_matches(',');
            if let Some(after) = rest.strip_prefix('}') {
                rest = after;
                break;
            }
            let eq = rest.find('=').ok_or("a label without `=`")?;
            let key = &rest[..eq];
            if key.is_empty()
                || !key
                    .chars()
                    .enumerate()
                    .all(|(i, c)| is_name_char(c, i == 0) && c != ':')
            {
                return Err(format!("bad label name `{key}`"));
            }
            rest = rest[eq + 1..]
                .strip_prefix('"')
                .ok_or("label value not quoted")?;
            let mut value = String::new();
            let mut chars = rest.char_indices();
            let end = loop {
                match chars.next().ok_or("unterminated label value")? {
                    (i, '"') => break i,
                    (_, '\\') => match chars.next().ok_or("dangling escape")?.1 {
                        'n' => value.push('\n'),
                        '\\' => value.push('\\'),
                        '"' => value.push('"'),
                        other => return Err(format!("unknown escape `\\{other}`")),
                    },
                    (_, c) => value.push(c),
                }
            };
            rest = &rest[end + 1..];
            if labels.insert(key.to_string(), value).is_some() {
                return Err(format!("label `{key}` twice"));
            }
        }
    }
    let mut fields = rest.split_whitespace();
    let value = fields.next().ok_or("no value")?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().map_err(|_| format!("bad value `{v}`"))?,
    };
    // An optional timestamp, then nothing.
    if let Some(ts) = fields.next() {
        ts.parse::<i64>()
            .map_err(|_| format!("bad timestamp `{ts}`"))?;
    }
    if fields.next().is_some() {
        return Err("trailing text".into());
    }
    Ok(Sample {
        name,
        labels,
        value,
    })
}

#[test]
fn reads_labels_escapes_and_special_values() {
    let s = Scrape::parse(
        "# HELP x_total Things.\n# TYPE x_total counter\n\
         x_total{route=\"a\\\"b\",path=\"c\\\\d\\n\"} 3\n\
         y_bucket{le=\"+Inf\"} 7 1700000000000\n\
         z NaN\n",
    );
    assert_eq!(s.types["x_total"], "counter");
    assert_eq!(
        s.get("x_total", &[("route", "a\"b"), ("path", "c\\d\n")]),
        Some(3.0)
    );
    assert_eq!(s.get("y_bucket", &[("le", "+Inf")]), Some(7.0));
    assert!(s.get("z", &[]).unwrap().is_nan());
    assert_eq!(s.counter("x_total", &[("route", "nope")]), 0.0);
}

#[test]
#[should_panic(expected = "unterminated label value")]
fn refuses_a_torn_line() {
    Scrape::parse("x_total{route=\"a} 3\n");
}
