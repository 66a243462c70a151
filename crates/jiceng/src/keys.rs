//! The master key that seals 身份证 numbers and phones at rest.
//!
//! From `JICENG_ID_KEY` or `id_key` in the config file (base64 of 32 bytes). Without one, a
//! single-box SQLite installation keeps a key file beside its database, created on first start
//! with owner-only permissions; PostgreSQL deployments must configure the same key on every
//! instance, so there it is required.

use jiceng_store::vault::Vault;
use std::path::PathBuf;

pub const KEY_FILE: &str = "jiceng.key";

/// The key file beside a SQLite database, or `None` for PostgreSQL.
pub fn key_file_for(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    let dir = std::path::Path::new(path)
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    Some(dir.join(KEY_FILE))
}

pub fn load(url: &str, configured: Option<String>) -> Result<Vault, String> {
    if let Some(k) = configured.filter(|k| !k.trim().is_empty()) {
        return Vault::from_base64(&k).map_err(|e| format!("JICENG_ID_KEY / id_key：{e}"));
    }
    let Some(file) = key_file_for(url) else {
        return Err(
            "PostgreSQL 部署须配置 JICENG_ID_KEY（或配置文件 id_key），各实例相同；\
            可用 `jiceng key generate` 生成"
                .into(),
        );
    };
    if file.exists() {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("无法读取密钥文件 {}：{e}", file.display()))?;
        return Vault::from_base64(&text).map_err(|e| format!("密钥文件 {}：{e}", file.display()));
    }
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("无法创建 {}：{e}", dir.display()))?;
    }
    let key = Vault::generate_key();
    write_private(&file, &key).map_err(|e| format!("无法写入密钥文件 {}：{e}", file.display()))?;
    eprintln!(
        "已生成身份证加密密钥 {}，请与数据库一起备份；丢失后已加密的证件号无法恢复。",
        file.display()
    );
    Vault::from_base64(&key).map_err(|e| e.to_string())
}

#[cfg(unix)]
fn write_private(file: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(file: &std::path::Path, text: &str) -> std::io::Result<()> {
    std::fs::write(file, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_keeps_its_key_beside_the_database_and_postgres_must_be_told() {
        assert_eq!(
            key_file_for("sqlite://./jiceng-data/jiceng.db"),
            Some(PathBuf::from("./jiceng-data/jiceng.key"))
        );
        assert_eq!(
            key_file_for("sqlite:///var/lib/j/x.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/j/jiceng.key"))
        );
        assert!(key_file_for("postgres://u@h/db").is_none());
        assert!(
            load("postgres://u@h/db", None)
                .unwrap_err()
                .contains("JICENG_ID_KEY")
        );
    }

    #[test]
    fn a_created_key_file_is_reused() {
        let dir = std::env::temp_dir().join(format!("jiceng-key-{}", std::process::id()));
        let url = format!("sqlite://{}/x.db", dir.display());
        let a = load(&url, None).unwrap();
        let b = load(&url, None).unwrap();
        assert_eq!(a.index("x"), b.index("x"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
