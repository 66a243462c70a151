//! Configuration: flags override environment (`JICENG_*`), which overrides an optional TOML file,
//! which overrides defaults. Unknown `JICENG_*` variables are warned about: a typo should not
//! silently run the server against the wrong database.

use serde::Deserialize;
use std::path::Path;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./jiceng-data/jiceng.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Environment variables this program reads; clap reads most of them through `env = …`.
pub const KNOWN_ENV: &[&str] = &[
    "JICENG_DATABASE_URL",
    "JICENG_LISTEN",
    "JICENG_CONFIG",
    "JICENG_SECURE_COOKIES",
    "JICENG_LOG",
    "JICENG_ID_KEY",
    "JICENG_CALENDAR",
    "JICENG_BENCH_PG",
];

/// The optional configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
    /// base64 of the 32-byte key that seals personal identifiers.
    pub id_key: Option<String>,
}

impl FileConfig {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("无法读取配置文件 {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("配置文件 {} 有误: {e}", path.display()))
    }
}

/// `JICENG_*` variables that this program does not know.
pub fn unknown_env_keys(vars: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = vars
        .filter(|k| k.starts_with("JICENG_") && !KNOWN_ENV.contains(&k.as_str()))
        .collect();
    v.sort();
    v
}

/// The first value that is set: flag/env (clap already merged those), then file, then default.
pub fn pick(cli: Option<String>, file: Option<String>, default: &str) -> String {
    cli.or(file).unwrap_or_else(|| default.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_jiceng_variables_are_reported() {
        let vars = ["JICENG_LISTEN", "JICENG_DATABSE_URL", "PATH", "JICENG_X"].map(String::from);
        assert_eq!(
            unknown_env_keys(vars.into_iter()),
            ["JICENG_DATABSE_URL", "JICENG_X"]
        );
    }

    #[test]
    fn flags_beat_the_file_which_beats_the_default() {
        assert_eq!(pick(Some("a".into()), Some("b".into()), "c"), "a");
        assert_eq!(pick(None, Some("b".into()), "c"), "b");
        assert_eq!(pick(None, None, "c"), "c");
    }

    #[test]
    fn the_file_rejects_unknown_keys() {
        let dir = std::env::temp_dir().join(format!("jiceng-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("bad.toml");
        std::fs::write(&f, "databse_url = 'x'\n").unwrap();
        assert!(FileConfig::load(&f).unwrap_err().contains("databse_url"));
        std::fs::write(&f, "listen = '0.0.0.0:9000'\n").unwrap();
        assert_eq!(
            FileConfig::load(&f).unwrap().listen.as_deref(),
            Some("0.0.0.0:9000")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
