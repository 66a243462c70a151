//! argon2id password hashes. Hashing is CPU-heavy, so it runs off the async workers.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::sync::LazyLock;

/// A PHC string (`$argon2id$v=19$…`) with a fresh random salt.
pub fn hash_password(password: &str) -> String {
    let h: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 with default parameters cannot fail on in-memory input");
    h.to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// Checked against when the login does not exist, so that unknown and known logins take the
/// same time to refuse (no user enumeration by timing).
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("jiceng-dummy-password-1"));

pub async fn hash_async(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .expect("hashing task panicked")
}

/// Verifies against `phc`, or against a dummy hash when there is no account.
pub async fn verify_async(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match phc {
        Some(h) => verify_password(&password, &h),
        None => {
            let _ = verify_password(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let h = hash_password("正确的密码123");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("正确的密码123", &h));
        assert!(!verify_password("错误的密码123", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
