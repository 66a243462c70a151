//! The command line: every subcommand and its flags, as clap parses them.

use crate::config::DEFAULT_LISTEN;
use crate::open311_cmd;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "jiceng",
    version,
    about = "基层治理平台 Jiceng — 党建引领城市基层治理"
)]
pub(crate) struct Cli {
    /// Database: sqlite://PATH (default sqlite://./jiceng-data/jiceng.db) or postgres://…
    #[arg(long, global = true, env = "JICENG_DATABASE_URL")]
    pub(crate) database_url: Option<String>,
    /// Optional TOML configuration file (keys: database_url, listen, secure_cookies).
    #[arg(long, global = true, env = "JICENG_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Holiday calendar (TOML, the format of data/calendar/cn-holidays.toml) to use instead of
    /// the built-in one, e.g. with next year's State Council notice added.
    #[arg(long, global = true, env = "JICENG_CALENDAR")]
    pub(crate) calendar: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run the web server.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, env = "JICENG_LISTEN")]
        listen: Option<String>,
        /// Mark cookies Secure (serve behind HTTPS).
        #[arg(long, env = "JICENG_SECURE_COOKIES")]
        secure_cookies: Option<bool>,
    },
    /// Build a fresh demo database with a real county, print one login per role, and serve it.
    Demo {
        /// County code of one of the eight shipped counties (default 371722, 单县).
        #[arg(long, default_value = "371722")]
        county: String,
        /// Where the demo database lives; it is rebuilt on every run.
        #[arg(long, default_value = "./jiceng-demo")]
        dir: PathBuf,
        #[arg(long, env = "JICENG_LISTEN", default_value = DEFAULT_LISTEN)]
        listen: String,
        /// Only build the database.
        #[arg(long)]
        no_serve: bool,
        /// How much to build: `small` fills one street and writes 20,000 requests (under a
        /// minute); `district` the whole county, over 100,000 residents and 200,000 requests;
        /// `city` every shipped county of the county's city, each as `district` (for 单县:
        /// 菏泽市's 单县, 牡丹区 and 成武县).
        #[arg(long, value_enum, default_value_t = crate::demo_scale::Scale::District)]
        scale: crate::demo_scale::Scale,
        /// The same seed builds the same county, people and history (dated back from today).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// About how many residents each grid gets, instead of the scale's 60 (60 gives 单县
        /// over 100,000).
        #[arg(long)]
        residents_per_grid: Option<usize>,
        /// Requests in each county's year of history, instead of the scale's.
        #[arg(long)]
        requests: Option<usize>,
    },
    /// Measure the request loop under load at a realistic size (docs/BENCHMARKS.md).
    Bench(jiceng_bench::BenchArgs),
    /// Create or update the database schema, then exit.
    Migrate,
    /// Recount every figure of docs/RATES.md from the records and compare with the counters
    /// (exit code 1 on any difference); `--rebuild` replaces the counters with the recount.
    Recount {
        #[arg(long)]
        rebuild: bool,
    },
    /// Administer accounts from the server's shell.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print a new random key for JICENG_ID_KEY (PostgreSQL deployments).
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Write a consistent copy of the SQLite database to FILE, even while the server runs.
    Backup { file: PathBuf },
    /// Import reference data.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Open311 GeoReport v2: API keys of integrating systems (docs/OPEN311.md).
    Open311 {
        #[command(subcommand)]
        command: open311_cmd::Open311Command,
    },
    /// Working-day arithmetic on the holiday calendar.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
}

#[derive(Subcommand)]
pub(crate) enum CalendarCommand {
    /// Print the date N working days after DATE (DATE itself does not count).
    AddWorkingDays {
        /// The start date, e.g. 2026-09-30.
        #[arg(value_parser = parse_date)]
        date: chrono::NaiveDate,
        /// How many working days.
        n: u32,
    },
}

/// A YYYY-MM-DD date, with the error in Chinese.
pub(crate) fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("日期「{s}」无效，应形如 2026-09-30"))
}

#[derive(Subcommand)]
pub(crate) enum KeyCommand {
    /// Print a new key (base64 of 32 random bytes).
    Generate,
}

#[derive(Subcommand)]
pub(crate) enum ImportCommand {
    /// Import one county's streets/towns and committees from statistical division files: the
    /// one-file format (code,name,level,parent_code) or the national files (gzip accepted).
    Divisions {
        /// The county (district) code, 6 digits, e.g. 371722 for 单县.
        #[arg(long)]
        county: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
pub(crate) enum AdminCommand {
    /// Create a district administrator at the root of the trees.
    Create {
        #[arg(long)]
        login: String,
        /// The password; if omitted, the first line of standard input is read.
        #[arg(long)]
        password: Option<String>,
        #[arg(long, default_value = "系统管理员")]
        name: String,
    },
}
