//! The results: one table row per scenario (measured, its reference from the same run, the
//! ratio, the target and whether it was met), the details behind every row, and the machine.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: String,
    pub scenario: String,
    pub measured: String,
    pub reference: String,
    pub ratio: String,
    pub target: String,
    /// `None`: no target, or nothing measured.
    pub met: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Machine {
    pub nproc: usize,
    pub cpu: String,
    pub ram_gib: f64,
    pub kernel: String,
    /// The block device and file system the data directory lives on.
    pub disk: String,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub jiceng_version: &'static str,
    pub started_at: DateTime<Utc>,
    pub mode: String,
    pub requests: u64,
    pub clients: usize,
    pub machine: Machine,
    pub rows: Vec<Row>,
    /// What each row was computed from, by scenario.
    pub details: BTreeMap<String, serde_json::Value>,
    pub notes: Vec<String>,
    pub total_seconds: f64,
}

impl Report {
    pub fn new(mode: &str, requests: u64, clients: usize, dir: &Path) -> Self {
        Self {
            jiceng_version: env!("CARGO_PKG_VERSION"),
            started_at: Utc::now(),
            mode: mode.to_owned(),
            requests,
            clients,
            machine: machine(dir),
            rows: Vec::new(),
            details: BTreeMap::new(),
            notes: Vec::new(),
            total_seconds: 0.0,
        }
    }

    pub fn detail(&mut self, key: &str, v: impl Serialize) {
        self.details.insert(
            key.to_owned(),
            serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub fn row(
        &mut self,
        id: &str,
        scenario: &str,
        measured: String,
        reference: String,
        ratio: String,
        target: &str,
        met: Option<bool>,
    ) {
        self.rows.push(Row {
            id: id.into(),
            scenario: scenario.into(),
            measured,
            reference,
            ratio,
            target: target.into(),
            met,
        });
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "jiceng {} bench, {} mode, {} requests in the dataset, {} clients, {} ({} s)\n\n",
            self.jiceng_version,
            self.mode,
            group(self.requests),
            self.clients,
            self.started_at.format("%Y-%m-%d %H:%M UTC"),
            self.total_seconds.round()
        ));
        s.push_str(
            "| # | scenario | measured | reference (same run, same machine) | ratio | target | met |\n",
        );
        s.push_str("|---|---|---|---|---|---|---|\n");
        // In scenario order, whatever order they ran in (S5 runs last on SQLite).
        let mut rows: Vec<&Row> = self.rows.iter().collect();
        rows.sort_by_key(|r| r.id.chars().nth(1).and_then(|c| c.to_digit(10)));
        for r in rows {
            let met = match r.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "—",
            };
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                r.id, r.scenario, r.measured, r.reference, r.ratio, r.target, met
            ));
        }
        s.push_str(&format!(
            "\nMachine: {} × {}, {:.1} GiB RAM, {}, Linux {}\n",
            self.machine.nproc,
            self.machine.cpu,
            self.machine.ram_gib,
            self.machine.disk,
            self.machine.kernel
        ));
        for n in &self.notes {
            s.push_str(&format!("\n- {n}"));
        }
        if !self.notes.is_empty() {
            s.push('\n');
        }
        s
    }
}

/// 1234567 → "1,234,567".
pub fn group(n: u64) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "0.42×".
pub fn ratio(a: f64, b: f64) -> String {
    if b <= 0.0 || !a.is_finite() {
        return "—".into();
    }
    let r = a / b;
    if r >= 10.0 {
        format!("{r:.0}×")
    } else if r >= 0.1 {
        format!("{r:.2}×")
    } else {
        format!("{r:.3}×")
    }
}

/// Milliseconds, with sensible precision.
pub fn ms(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0} ms")
    } else if x >= 1.0 {
        format!("{x:.1} ms")
    } else {
        format!("{x:.2} ms")
    }
}

fn machine(dir: &Path) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let ram_kib: f64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    Machine {
        nproc: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu,
        ram_gib: (ram_kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        disk: disk_of(dir),
    }
}

/// The mount holding `dir`: device, file system, and whether the kernel calls it rotational.
fn disk_of(dir: &Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let best = mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 3 && dir.starts_with(f[1])).then(|| (f[0], f[1], f[2]))
        })
        .max_by_key(|(_, mp, _)| mp.len());
    let Some((dev, mp, fs)) = best else {
        return "unknown disk".into();
    };
    let name = dev.trim_start_matches("/dev/");
    let base: String = name
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .to_owned();
    let read = |n: &str| std::fs::read_to_string(format!("/sys/block/{n}/queue/rotational")).ok();
    let kind = read(&base)
        .or_else(|| read(name))
        .map(|v| {
            if v.trim() == "1" {
                "the kernel reports it rotational"
            } else {
                "non-rotational (SSD or virtual)"
            }
        })
        .unwrap_or("type unknown");
    format!("{dev} ({fs} on {mp}, {kind})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(group(1_000_000), "1,000,000");
        assert_eq!(group(999), "999");
        assert_eq!(ratio(1.0, 4.0), "0.25×");
        assert_eq!(ratio(30.0, 2.0), "15×");
        assert_eq!(ratio(1.0, 0.0), "—");
        assert_eq!(ms(0.456), "0.46 ms");
        assert_eq!(ms(12.34), "12.3 ms");
    }

    #[test]
    fn the_table_marks_missed_targets() {
        let mut r = Report::new("quick", 20_000, 64, Path::new("."));
        r.row(
            "S1",
            "create",
            "10/s".into(),
            "20/s".into(),
            ratio(10.0, 20.0),
            "≥ 1.5×",
            Some(false),
        );
        r.row(
            "S4",
            "dashboard",
            "not yet available".into(),
            "—".into(),
            "—".into(),
            "< 1 ms",
            None,
        );
        r.row(
            "S2",
            "steps",
            "5/s".into(),
            "—".into(),
            "—".into(),
            "—",
            None,
        );
        let md = r.markdown();
        assert!(
            md.contains("| S1 | create | 10/s | 20/s | 0.50× | ≥ 1.5× | **no** |"),
            "{md}"
        );
        assert!(md.contains("| S4 | dashboard | not yet available | — | — | < 1 ms | — |"));
        assert!(md.contains("20,000 requests"));
        let (s2, s4) = (md.find("| S2 |").unwrap(), md.find("| S4 |").unwrap());
        assert!(
            md.find("| S1 |").unwrap() < s2 && s2 < s4,
            "rows in scenario order"
        );
    }
}
