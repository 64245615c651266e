//! The results table and `RESULTS.md`: each benchmark owns the section between its
//! `<!-- NAME:start -->` and `<!-- NAME:end -->` markers and replaces only that.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use crate::stats::{Summary, fmt_duration};

/// What a measurement is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// p99 at or below `limit`; `fallback` is a weaker, separately stated target.
    P99 {
        limit: Duration,
        fallback: Option<Duration>,
    },
    /// Every observation (so the max) at or below `limit`.
    Max(Duration),
    /// Recorded for reference; no target.
    Info,
}

impl Target {
    pub fn p99(limit: Duration) -> Self {
        Target::P99 {
            limit,
            fallback: None,
        }
    }

    fn describe(self) -> String {
        match self {
            Target::P99 { limit, fallback } => match fallback {
                Some(f) => format!(
                    "p99 ≤ {} (issue: ≤ {})",
                    fmt_duration(limit),
                    fmt_duration(f)
                ),
                None => format!("p99 ≤ {}", fmt_duration(limit)),
            },
            Target::Max(limit) => format!("≤ {}", fmt_duration(limit)),
            Target::Info => "—".into(),
        }
    }

    fn verdict(self, s: &Summary) -> String {
        let mark = |ok: bool| if ok { "pass" } else { "FAIL" };
        match self {
            Target::P99 { limit, fallback } => match fallback {
                Some(f) if s.p99 > limit => {
                    format!("FAIL (issue's {}: {})", fmt_duration(f), mark(s.p99 <= f))
                }
                _ => mark(s.p99 <= limit).into(),
            },
            Target::Max(limit) => mark(s.max <= limit).into(),
            Target::Info => "info".into(),
        }
    }
}

/// One table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub metric: String,
    pub target: String,
    pub p50: String,
    pub p99: String,
    pub max: String,
    pub n: String,
    pub verdict: String,
}

impl Row {
    /// A latency row from samples held to `target`.
    pub fn latency(metric: impl Into<String>, target: Target, s: &Summary) -> Self {
        Row {
            metric: metric.into(),
            target: target.describe(),
            p50: fmt_duration(s.p50),
            p99: fmt_duration(s.p99),
            max: fmt_duration(s.max),
            n: s.n.to_string(),
            verdict: target.verdict(s),
        }
    }

    /// A single observed value (a size, a peak) with no distribution: shown under p50.
    pub fn value(metric: impl Into<String>, value: impl Into<String>) -> Self {
        Row {
            metric: metric.into(),
            target: "—".into(),
            p50: value.into(),
            p99: "—".into(),
            max: "—".into(),
            n: "1".into(),
            verdict: "info".into(),
        }
    }

    /// Whether this row missed its target.
    pub fn failed(&self) -> bool {
        self.verdict.starts_with("FAIL")
    }
}

/// The rows as a markdown table with the columns the README explains.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| metric | target | p50 | p99 | max | n | pass/fail |\n|---|---|---:|---:|---:|---:|---|\n",
    );
    for r in rows {
        let cells = [
            &r.metric, &r.target, &r.p50, &r.p99, &r.max, &r.n, &r.verdict,
        ];
        let escaped: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
        out.push_str(&format!("| {} |\n", escaped.join(" | ")));
    }
    out
}

const HEADER: &str = "# Kassa benchmark results

Written by `kassa-bench` (see [README.md](README.md) for what each row measures and how
to read it). Reproduce with `cargo run --release -p kassa-bench -- <benchmark>` on the
project's machine kind (2 cores, 24 GiB, virtual disk); each benchmark rewrites only its
own section below, and records the machine it ran on.
";

/// Replaces (or appends) the `name` section of the results file at `path`.
pub fn write_section(path: &Path, name: &str, body: &str) -> anyhow::Result<()> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => HEADER.to_owned(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let text = replace_section(&existing, name, body);
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// `text` with the section `name` set to `body`, appended when it had none.
pub fn replace_section(text: &str, name: &str, body: &str) -> String {
    let (start, end) = (
        format!("<!-- {name}:start -->"),
        format!("<!-- {name}:end -->"),
    );
    let section = format!("{start}\n{}\n{end}", body.trim_end());
    match (text.find(&start), text.find(&end)) {
        (Some(s), Some(e)) if e > s => {
            format!("{}{section}{}", &text[..s], &text[e + end.len()..])
        }
        _ => format!("{}\n{section}\n", text.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_its_own_section() {
        let text = "# R\n\n<!-- a:start -->\nold a\n<!-- a:end -->\n\n<!-- b:start -->\nb\n<!-- b:end -->\n";
        let out = replace_section(text, "a", "new a");
        assert!(out.contains("new a") && !out.contains("old a"));
        assert!(
            out.contains("<!-- b:start -->\nb\n<!-- b:end -->"),
            "b untouched"
        );
        let added = replace_section("# R\n", "c", "c body");
        assert!(added.ends_with("<!-- c:start -->\nc body\n<!-- c:end -->\n"));
        assert_eq!(replace_section(&out, "a", "new a"), out, "idempotent");
    }

    #[test]
    fn verdicts_follow_targets() {
        let s = Summary {
            p50: Duration::from_millis(2),
            p99: Duration::from_millis(3),
            max: Duration::from_millis(9),
            n: 10,
        };
        let ms = Duration::from_millis;
        assert_eq!(Target::p99(ms(5)).verdict(&s), "pass");
        let both = Target::P99 {
            limit: ms(1),
            fallback: Some(ms(5)),
        };
        assert_eq!(both.verdict(&s), "FAIL (issue's 5.00 ms: pass)");
        assert_eq!(Target::Max(ms(5)).verdict(&s), "FAIL");
    }
}
