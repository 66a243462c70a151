//! The options of `jiceng bench` and the sizes, durations and scenarios of one run.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

/// The scenarios `--only` can name.
pub const SCENARIOS: [&str; 8] = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"];

/// Options of `jiceng bench`.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Requests in the dataset (default 1,000,000; 20,000 with --quick).
    #[arg(long)]
    pub requests: Option<u64>,
    /// A short run of about a minute: 20,000 requests and short durations.
    #[arg(long)]
    pub quick: bool,
    /// Run only these scenarios, e.g. `--only s3,s4` (the dataset and the references always
    /// run). S2 brings S1 (it steps S1's requests), S7 brings S6 (memory after the load). With a
    /// PostgreSQL server, S8 runs the PostgreSQL side of the S1, S3 and S4 named; `s8` runs all
    /// of S8.
    #[arg(long, value_delimiter = ',', value_parser = scenario, value_name = "S1,S4,…")]
    pub only: Vec<String>,
    /// Also write the results as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write the markdown table to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Where the benchmark database is built; removed afterwards unless --keep.
    #[arg(long, default_value = "./jiceng-bench")]
    pub dir: PathBuf,
    /// Keep the benchmark database.
    #[arg(long)]
    pub keep: bool,
    /// Concurrent HTTP clients for S1 and S2.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Arrivals per second of the mixed load (S6). The default is several times the peak a
    /// district with a million requests sees (docs/BENCHMARKS.md).
    #[arg(long, default_value_t = 50.0)]
    pub mixed_rate: f64,
    /// A PostgreSQL server for S8 (a database is created on it and dropped afterwards);
    /// TEST_DATABASE_URL is used when this is not given. Without either, S8 is skipped.
    #[arg(long, env = "JICENG_BENCH_PG", value_name = "URL")]
    pub pg: Option<String>,
    /// Requests in the PostgreSQL dataset (default: as many as for SQLite, at most 100,000).
    #[arg(long)]
    pub pg_requests: Option<u64>,
    /// The `jiceng` binary S5–S7 start as a server (default: this executable).
    #[arg(long, value_name = "FILE")]
    pub server_exe: Option<PathBuf>,
}

/// A scenario name for `--only`: `s4` or `S4`.
fn scenario(s: &str) -> Result<String, String> {
    let s = s.trim().to_lowercase();
    if SCENARIOS.contains(&s.as_str()) {
        Ok(s)
    } else {
        Err(format!("unknown scenario `{s}`: one of s1 … s8"))
    }
}

/// Sizes and durations of one run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub mode: &'static str,
    pub requests: u64,
    pub clients: usize,
    /// Clients for the latency scenarios (S3): one per core.
    pub list_clients: usize,
    pub reference: Duration,
    pub s1: Duration,
    pub s2: Duration,
    pub s3_per_level: Duration,
    pub s6: Duration,
    pub mixed_rate: f64,
    pub burst: usize,
    pub pg_requests: u64,
    pub pg_burst: usize,
    pub s8_create: Duration,
    pub s8_list: Duration,
    /// The scenarios `--only` chose, with what they need; `None`: all.
    pub only: Option<BTreeSet<&'static str>>,
}

impl Plan {
    pub fn from_args(a: &BenchArgs) -> Self {
        let secs = Duration::from_secs;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let requests = a
            .requests
            .unwrap_or(if a.quick { 20_000 } else { 1_000_000 });
        let mode = match (a.quick, a.requests.is_some()) {
            (true, false) => "quick",
            (false, false) => "default",
            _ => "custom",
        };
        let q = a.quick;
        let only = (!a.only.is_empty()).then(|| {
            let mut set: BTreeSet<&'static str> = SCENARIOS
                .into_iter()
                .filter(|s| a.only.iter().any(|o| o == s))
                .collect();
            if set.contains("s2") {
                set.insert("s1");
            }
            if set.contains("s7") {
                set.insert("s6");
            }
            set
        });
        Self {
            mode,
            requests,
            clients: a.clients.max(1),
            list_clients: cores,
            reference: if q { secs(3) } else { secs(5) },
            s1: if q { secs(8) } else { secs(20) },
            s2: if q { secs(8) } else { secs(20) },
            s3_per_level: if q { secs(3) } else { secs(5) },
            s6: if q { secs(15) } else { secs(120) },
            mixed_rate: a.mixed_rate,
            burst: 10_000,
            pg_requests: a.pg_requests.unwrap_or(requests.min(100_000)),
            pg_burst: if q { 2_000 } else { 10_000 },
            s8_create: if q { secs(5) } else { secs(15) },
            s8_list: if q { secs(2) } else { secs(3) },
            only,
        }
    }

    /// Whether scenario `s` (`"s1"` … `"s8"`) runs.
    pub fn runs(&self, s: &str) -> bool {
        self.only.as_ref().is_none_or(|o| o.contains(s))
    }

    /// Whether S8 runs the PostgreSQL side of `s` (`"s1"`, `"s3"` or `"s4"`).
    pub fn runs_on_pg(&self, s: &str) -> bool {
        self.runs("s8") || self.runs(s)
    }

    /// Whether S8 runs at all (given a PostgreSQL server).
    pub fn runs_pg(&self) -> bool {
        ["s1", "s3", "s4"].iter().any(|s| self.runs_on_pg(s))
    }

    /// "S3, S4" when `--only` chose, for the notes.
    pub fn only_note(&self) -> Option<String> {
        self.only.as_ref().map(|o| {
            o.iter()
                .map(|s| s.to_uppercase())
                .collect::<Vec<_>>()
                .join(", ")
        })
    }
}

/// How long an S6 call may take before it counts as failed: the load must end on time.
pub const S6_TIMEOUT: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: BenchArgs,
    }

    fn parse(argv: &[&str]) -> Result<Plan, clap::Error> {
        let cli = Cli::try_parse_from(std::iter::once("bench").chain(argv.iter().copied()))?;
        Ok(Plan::from_args(&cli.args))
    }

    fn plan(argv: &[&str]) -> Plan {
        parse(argv).unwrap()
    }

    #[test]
    fn quick_is_small_and_the_default_is_a_million() {
        let q = plan(&["--quick"]);
        assert_eq!(
            (q.mode, q.requests, q.pg_requests),
            ("quick", 20_000, 20_000)
        );
        let d = plan(&[]);
        assert_eq!(
            (d.mode, d.requests, d.pg_requests),
            ("default", 1_000_000, 100_000)
        );
        assert_eq!(d.s6, Duration::from_secs(120));
        let c = plan(&["--requests", "5000", "--mixed-rate", "20"]);
        assert_eq!((c.mode, c.requests, c.mixed_rate), ("custom", 5_000, 20.0));
    }

    #[test]
    fn without_only_every_scenario_runs() {
        let p = plan(&["--quick"]);
        assert!(SCENARIOS.iter().all(|s| p.runs(s)));
        assert!(p.runs_pg());
        assert_eq!(p.only_note(), None);
    }

    #[test]
    fn only_selects_scenarios_and_what_they_need() {
        let p = plan(&["--only", "S4"]);
        assert!(p.runs("s4"));
        assert!(
            ["s1", "s2", "s3", "s5", "s6", "s7", "s8"]
                .iter()
                .all(|s| !p.runs(s))
        );
        assert!(p.runs_on_pg("s4") && !p.runs_on_pg("s1") && p.runs_pg());
        let p = plan(&["--only", "s2,s7"]);
        assert_eq!(p.only_note().as_deref(), Some("S1, S2, S6, S7"));
        assert!(p.runs("s1") && p.runs_on_pg("s1") && !p.runs_on_pg("s3"));
        let p = plan(&["--only", "s5", "--only", "s8"]);
        assert!(p.runs("s5") && p.runs_on_pg("s3") && !p.runs("s3"));
        assert!(!plan(&["--only", "s6"]).runs_pg());
        assert!(parse(&["--only", "s9"]).is_err());
    }
}
