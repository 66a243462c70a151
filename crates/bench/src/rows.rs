//! Report rows shared by the SQLite and PostgreSQL runs: the latency rows per level (S3, S4)
//! and the recount row.

use crate::loop_http;
use crate::report::{Report, group, ms, ratio};
use crate::stats;
use jiceng_store::Db;
use std::time::Instant;

/// Targets of S3 in milliseconds of server time, by level.
pub fn s3_target(level: &str) -> f64 {
    match level {
        "community" => 1.0,
        "street" | loop_http::S3_QUEUE => 2.0,
        _ => 5.0,
    }
}

/// The target of S4 in milliseconds of server time, at every level.
pub fn s4_target(_level: &str) -> f64 {
    1.0
}

/// One row per level of a latency scenario (S3, S4, and the same on PostgreSQL), judged on the
/// median server time.
pub fn level_rows(
    report: &mut Report,
    id: &str,
    what: &str,
    levels: Vec<loop_http::S3Level>,
    point: Option<&stats::Summary>,
    target: impl Fn(&str) -> f64,
) {
    let noun = if id.ends_with("S4") {
        "counted"
    } else {
        "visible"
    };
    for l in levels {
        let s = l.outcome.server.summary(l.outcome.elapsed);
        let c = l.outcome.client.summary(l.outcome.elapsed);
        let t = target(l.level);
        let (reference, r) = match point {
            Some(p) => (
                format!("raw point read p50 {}", ms(p.p50_ms)),
                ratio(s.p50_ms, p.p50_ms),
            ),
            None => ("—".to_owned(), "—".to_owned()),
        };
        report.row(
            &format!("{id} {}", l.level),
            &if l.level == loop_http::S3_QUEUE {
                "a street dispatch desk's queue (open requests by deadline), first page".to_owned()
            } else {
                format!("{what}, {} level", l.level)
            },
            format!(
                "server p50 {} / p99 {}; client p50 {}; {} {noun}{}",
                ms(s.p50_ms),
                ms(s.p99_ms),
                ms(c.p50_ms),
                group(l.visible.max(0) as u64),
                l.outcome.errors_note()
            ),
            reference,
            r,
            &format!("< {t} ms server (p50)"),
            Some(c.count > 0 && s.p50_ms < t && c.errors == 0),
        );
        report.detail(
            &format!("{}_{}", id.to_lowercase().replace('·', "_"), l.level),
            serde_json::json!({"server": s, "client": c, noun: l.visible}),
        );
    }
}

/// One row per page of `loop_http::pages`, next to HTTP plaintext on the same stack. No
/// target: the issue sets none for pages; the rows show what a person waits for.
pub fn page_rows(
    report: &mut Report,
    id: &str,
    pages: Vec<loop_http::S3Level>,
    plain: &stats::Summary,
) {
    for p in pages {
        let s = p.outcome.server.summary(p.outcome.elapsed);
        let c = p.outcome.client.summary(p.outcome.elapsed);
        let (key, what) = if p.level == loop_http::BOARD {
            (
                "board".to_owned(),
                "the public board of everywhere (HTML, signed out)".to_owned(),
            )
        } else {
            (
                format!("page {}", p.level),
                format!("dashboard page (HTML), {} level", p.level),
            )
        };
        report.row(
            &format!("{id} {key}"),
            &what,
            format!(
                "server p50 {} / p99 {}; client p50 {}; {} KB{}",
                ms(s.p50_ms),
                ms(s.p99_ms),
                ms(c.p50_ms),
                p.bytes.div_ceil(1024),
                p.outcome.errors_note()
            ),
            format!("HTTP plaintext p50 {}", ms(plain.p50_ms)),
            ratio(c.p50_ms, plain.p50_ms),
            "—",
            None,
        );
        report.detail(
            &format!("{}_{}", id.to_lowercase(), key.replace(' ', "_")),
            serde_json::json!({"server": s, "client": c, "bytes": p.bytes}),
        );
    }
}

/// S4's second half: every counter against a recount of the records.
pub async fn recount_row(report: &mut Report, id: &str, db: &Db) -> Result<(), String> {
    let t = Instant::now();
    let diff = jiceng_store::requests::figures::recount(db)
        .await
        .map_err(|e| e.to_string())?;
    let secs = t.elapsed().as_secs_f64();
    report.detail(
        &format!("{}_recount", id.to_lowercase().replace('·', "_")),
        serde_json::json!({"differences": diff.len(), "seconds": stats::round1(secs)}),
    );
    report.row(
        &format!("{id} recount"),
        "dashboard counters = recount of the records, after every scenario above",
        format!(
            "{} differences (recount took {secs:.1} s){}",
            diff.len(),
            diff.first()
                .map(|m| format!(
                    "; first: {} {} {} {} counted {} recounted {}",
                    m.kind, m.key, m.month, m.metric, m.counted, m.recounted
                ))
                .unwrap_or_default()
        ),
        "—".into(),
        "—".into(),
        "0 differences",
        Some(diff.is_empty()),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_targets_follow_the_level() {
        assert_eq!(s3_target("community"), 1.0);
        assert_eq!(s3_target("street"), 2.0);
        assert_eq!(s3_target(loop_http::S3_QUEUE), 2.0);
        assert_eq!(s3_target("district"), 5.0);
        assert_eq!(s4_target("street"), 1.0);
    }
}
