//! Kassa against PouchDB: the side-by-side table with ratios and the targets
//! (pass/fail). Pure: it only formats numbers measured elsewhere.

use std::time::Duration;

use super::proxy::Bytes;
use crate::stats::{Summary, fmt_bytes, fmt_duration};

/// One measured transfer: how long it took and what crossed the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phase {
    pub wall: Duration,
    pub bytes: Bytes,
}

/// Both systems on one scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub kassa: Phase,
    pub pouch: Phase,
}

/// Everything the table shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    pub terminals: usize,
    pub sales: u64,
    pub backlog: Pair,
    /// From the first push until stock reflects every sale: Kassa's projector done,
    /// PouchDB's push plus its stock view built.
    pub stock_ready: (Duration, Duration),
    pub products: u64,
    pub initial: Pair,
    /// VmHWM of the bench process (Kassa server and terminals run in it).
    pub kassa_process_hwm: u64,
    pub pouch_server_hwm: Option<u64>,
    pub pouch_client_hwm: Option<u64>,
    /// One price change to many connected terminals.
    pub fanout: Option<FanoutSummary>,
    /// The same on PouchDB: one document update to as many live-replicating clients.
    pub pouch_fanout: Option<Summary>,
}

/// Commit-to-terminal latency of price changes reaching connected terminals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FanoutSummary {
    pub terminals: usize,
    pub changes: usize,
    pub latency: Summary,
}

/// A price change must reach 99% of connected terminals within this.
pub const FANOUT_P99: Duration = Duration::from_millis(250);
/// The initial sync must finish within this, whatever PouchDB does.
pub const INITIAL_LIMIT: Duration = Duration::from_secs(10);
/// How many times PouchDB's speed Kassa must reach (backlog and initial sync).
pub const SPEEDUP: f64 = 5.0;
/// Kassa's bytes per sale must be at most this share of PouchDB's.
pub const BYTES_SHARE: f64 = 1.0 / 3.0;

/// One table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub metric: String,
    pub kassa: String,
    pub pouch: String,
    pub ratio: String,
    pub target: String,
    pub verdict: String,
}

fn line(metric: String, kassa: String, pouch: String, ratio: String) -> Line {
    Line {
        metric,
        kassa,
        pouch,
        ratio,
        target: "—".into(),
        verdict: "info".into(),
    }
}

fn held(mut l: Line, target: &str, ok: bool) -> Line {
    l.target = target.into();
    l.verdict = if ok { "pass" } else { "FAIL" }.into();
    l
}

/// `a / b`, or infinity when `b` is zero (nothing to divide by is not a crash).
pub fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { f64::INFINITY } else { a / b }
}

fn per_sec(n: u64, d: Duration) -> f64 {
    ratio(n as f64, d.as_secs_f64())
}

fn fmt_rate(r: f64) -> String {
    format!("{r:.0}/s")
}

fn fmt_x(r: f64) -> String {
    format!("{r:.2}×")
}

fn up_down(b: Bytes) -> String {
    format!("{} ↑ / {} ↓", fmt_bytes(b.up), fmt_bytes(b.down))
}

/// The rows, in the order the README explains them.
pub fn lines(m: &Measured) -> Vec<Line> {
    let (bk, bp) = (m.backlog.kassa, m.backlog.pouch);
    let (ik, ip) = (m.initial.kassa, m.initial.pouch);
    let (rk, rp) = (per_sec(m.sales, bk.wall), per_sec(m.sales, bp.wall));
    let sales = m.sales.max(1) as f64;
    let (sk, sp) = (
        bk.bytes.total() as f64 / sales,
        bp.bytes.total() as f64 / sales,
    );
    let speed = ratio(ip.wall.as_secs_f64(), ik.wall.as_secs_f64());
    let backlog = format!(
        "backlog ({} terminals × {} sales)",
        m.terminals,
        m.sales / m.terminals.max(1) as u64
    );
    let initial = format!("initial sync ({} products)", m.products);
    let mb = |b: Option<u64>| b.map_or_else(|| "not measured".into(), fmt_bytes);
    let mut rows = vec![
        line(
            format!("{backlog}: time until the last sale is stored"),
            fmt_duration(bk.wall),
            fmt_duration(bp.wall),
            fmt_x(ratio(bp.wall.as_secs_f64(), bk.wall.as_secs_f64())),
        ),
        held(
            line(
                format!("{backlog}: throughput"),
                fmt_rate(rk),
                fmt_rate(rp),
                fmt_x(ratio(rk, rp)),
            ),
            "≥ 5× PouchDB",
            ratio(rk, rp) >= SPEEDUP,
        ),
        line(
            format!("{backlog}: time until stock reflects every sale"),
            fmt_duration(m.stock_ready.0),
            fmt_duration(m.stock_ready.1),
            fmt_x(ratio(
                m.stock_ready.1.as_secs_f64(),
                m.stock_ready.0.as_secs_f64(),
            )),
        ),
        line(
            format!("{backlog}: bytes on the wire"),
            up_down(bk.bytes),
            up_down(bp.bytes),
            fmt_x(ratio(bk.bytes.total() as f64, bp.bytes.total() as f64)),
        ),
        held(
            line(
                format!("{backlog}: bytes per sale"),
                format!("{sk:.0} B"),
                format!("{sp:.0} B"),
                fmt_x(ratio(sk, sp)),
            ),
            "≤ 1/3 of PouchDB",
            ratio(sk, sp) <= BYTES_SHARE,
        ),
        held(
            line(
                format!("{initial}: time to all rows local"),
                fmt_duration(ik.wall),
                fmt_duration(ip.wall),
                fmt_x(speed),
            ),
            "≤ 10 s",
            ik.wall <= INITIAL_LIMIT,
        ),
        held(
            line(
                format!("{initial}: speed"),
                fmt_rate(per_sec(m.products, ik.wall)),
                fmt_rate(per_sec(m.products, ip.wall)),
                fmt_x(speed),
            ),
            "≥ 5× PouchDB",
            speed >= SPEEDUP,
        ),
        held(
            line(
                format!("{initial}: bytes on the wire"),
                up_down(ik.bytes),
                up_down(ip.bytes),
                fmt_x(ratio(ik.bytes.total() as f64, ip.bytes.total() as f64)),
            ),
            "≤ PouchDB",
            ik.bytes.total() <= ip.bytes.total(),
        ),
    ];
    if let Some(f) = m.fanout {
        let l = f.latency;
        let (pouch, vs) = match m.pouch_fanout {
            Some(p) => (
                format!(
                    "{} / {} / {}",
                    fmt_duration(p.p50),
                    fmt_duration(p.p99),
                    fmt_duration(p.max)
                ),
                format!(
                    "{} (p99)",
                    fmt_x(ratio(p.p99.as_secs_f64(), l.p99.as_secs_f64()))
                ),
            ),
            None => ("not run".into(), "—".into()),
        };
        rows.push(held(
            line(
                format!(
                    "fan-out: one price change to {} connected terminals, commit to the \
                     terminal's local commit (p50 / p99 / max of {} arrivals)",
                    f.terminals, l.n
                ),
                format!(
                    "{} / {} / {}",
                    fmt_duration(l.p50),
                    fmt_duration(l.p99),
                    fmt_duration(l.max)
                ),
                pouch,
                vs,
            ),
            "p99 ≤ 250 ms",
            l.p99 <= FANOUT_P99,
        ));
    }
    rows.extend([
        line(
            "server peak memory (VmHWM)".into(),
            format!(
                "{} (bench process: server + terminals)",
                fmt_bytes(m.kassa_process_hwm)
            ),
            format!("{} (pouchdb-server)", mb(m.pouch_server_hwm)),
            "—".into(),
        ),
        line(
            "client peak memory (VmHWM)".into(),
            "in the bench process above".into(),
            format!("{} (largest client process)", mb(m.pouch_client_hwm)),
            "—".into(),
        ),
    ]);
    rows
}

/// The rows as a markdown table.
pub fn table(lines: &[Line]) -> String {
    let mut out = String::from(
        "| metric | Kassa | PouchDB | Kassa/PouchDB | target | pass/fail |\n|---|---:|---:|---:|---|---|\n",
    );
    for l in lines {
        let cells = [
            &l.metric, &l.kassa, &l.pouch, &l.ratio, &l.target, &l.verdict,
        ];
        let escaped: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
        out.push_str(&format!("| {} |\n", escaped.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(ms: u64, up: u64, down: u64) -> Phase {
        Phase {
            wall: Duration::from_millis(ms),
            bytes: Bytes { up, down },
        }
    }

    fn measured(kassa_backlog_ms: u64, kassa_initial_ms: u64) -> Measured {
        Measured {
            terminals: 10,
            sales: 10_000,
            backlog: Pair {
                kassa: phase(kassa_backlog_ms, 2_000_000, 100_000),
                pouch: phase(10_000, 9_000_000, 3_000_000),
            },
            stock_ready: (Duration::from_secs(20), Duration::from_secs(12)),
            products: 50_000,
            initial: Pair {
                kassa: phase(kassa_initial_ms, 10_000, 9_000_000),
                pouch: phase(30_000, 2_000_000, 20_000_000),
            },
            kassa_process_hwm: 100 << 20,
            pouch_server_hwm: Some(200 << 20),
            pouch_client_hwm: None,
            fanout: None,
            pouch_fanout: None,
        }
    }

    fn verdicts(m: &Measured) -> Vec<String> {
        lines(m).into_iter().map(|l| l.verdict).collect()
    }

    #[test]
    fn targets_pass_and_fail_on_the_ratios() {
        // Backlog 5× faster exactly, bytes 2.1 MB vs 12 MB (< 1/3), initial 6× faster.
        let good = measured(2_000, 5_000);
        assert_eq!(
            verdicts(&good),
            [
                "info", "pass", "info", "info", "pass", "pass", "pass", "pass", "info", "info"
            ]
        );
        let l = lines(&good);
        assert_eq!(l[1].kassa, "5000/s");
        assert_eq!(l[1].ratio, "5.00×");
        assert!(
            l[2].metric.contains("stock reflects every sale"),
            "{:?}",
            l[2]
        );
        assert_eq!(
            (l[2].kassa.as_str(), l[2].ratio.as_str()),
            ("20.0 s", "0.60×")
        );
        assert_eq!(l[4].kassa, "210 B", "bytes per sale count both directions");
        // Slower than 5× on backlog, over 10 s and under 5× on the initial sync.
        let slow = measured(2_500, 12_000);
        assert_eq!(
            verdicts(&slow),
            [
                "info", "FAIL", "info", "info", "pass", "FAIL", "FAIL", "pass", "info", "info"
            ]
        );
        assert!(lines(&slow)[9].pouch.starts_with("not measured"));
    }

    #[test]
    fn fan_out_passes_on_its_p99() {
        let ms = Duration::from_millis;
        let mut m = measured(2_000, 5_000);
        let at = |p99| FanoutSummary {
            terminals: 50,
            changes: 20,
            latency: Summary {
                p50: ms(40),
                p99,
                max: ms(400),
                n: 1000,
            },
        };
        m.fanout = Some(at(ms(250)));
        let row = &lines(&m)[8];
        assert!(row.metric.starts_with("fan-out"), "{row:?}");
        assert_eq!(row.verdict, "pass");
        m.fanout = Some(at(ms(251)));
        assert_eq!(lines(&m)[8].verdict, "FAIL");
    }

    #[test]
    fn ratios_survive_zero() {
        assert_eq!(ratio(1.0, 0.0), f64::INFINITY);
        assert!(table(&lines(&measured(0, 0))).contains("inf×"));
    }
}
