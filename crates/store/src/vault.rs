//! Personal identifiers at rest: 身份证 numbers and phones are sealed with AES-256-GCM, and a keyed
//! HMAC ("blind index") lets the store find and de-duplicate people by 身份证 without storing it.
//! Both keys derive from one master key from configuration.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("密钥须为 32 字节的 base64 字符串")]
    BadKey,
    #[error("加密数据已损坏，或密钥与写入时不同")]
    Corrupt,
}

#[derive(Clone)]
pub struct Vault {
    cipher: Aes256Gcm,
    index_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(***)")
    }
}

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl Vault {
    pub fn new(master: &[u8; 32]) -> Self {
        let enc = derive(master, b"jiceng:v1:seal");
        Self {
            cipher: Aes256Gcm::new_from_slice(&enc).expect("32-byte key"),
            index_key: derive(master, b"jiceng:v1:index"),
        }
    }

    /// From the base64 form kept in configuration or the key file.
    pub fn from_base64(text: &str) -> Result<Self, VaultError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| VaultError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| VaultError::BadKey)?;
        Ok(Self::new(&key))
    }

    /// A new random master key, base64.
    pub fn generate_key() -> String {
        let mut k = [0u8; 32];
        rand::rng().fill_bytes(&mut k);
        STANDARD.encode(k)
    }

    /// base64(nonce ‖ ciphertext); a fresh random nonce each time, so equal inputs seal differently.
    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let n: Nonce<U12> = nonce.into();
        let ct = self
            .cipher
            .encrypt(&n, plain.as_bytes())
            .expect("AES-GCM encryption of a short string cannot fail");
        let mut out = nonce.to_vec();
        out.extend(ct);
        STANDARD.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<String, VaultError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| VaultError::Corrupt)?;
        if bytes.len() < 12 {
            return Err(VaultError::Corrupt);
        }
        let (nonce, ct) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| VaultError::Corrupt)?;
        let n: Nonce<U12> = nonce.into();
        let plain = self
            .cipher
            .decrypt(&n, ct)
            .map_err(|_| VaultError::Corrupt)?;
        String::from_utf8(plain).map_err(|_| VaultError::Corrupt)
    }

    /// Deterministic keyed hash: equal inputs give equal indexes, which reveal nothing without
    /// the key.
    pub fn index(&self, plain: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.index_key).expect("any key length");
        mac.update(plain.as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key() {
        let v = Vault::from_base64(&Vault::generate_key()).unwrap();
        let s1 = v.seal("371722199001011234");
        let s2 = v.seal("371722199001011234");
        assert_ne!(s1, s2, "random nonces");
        assert_eq!(v.open(&s1).unwrap(), "371722199001011234");
        assert!(!s1.contains("3717221990"));
        let other = Vault::from_base64(&Vault::generate_key()).unwrap();
        assert!(other.open(&s1).is_err());
        assert!(v.open("garbage").is_err());
    }

    #[test]
    fn the_index_is_stable_per_key() {
        let k = Vault::generate_key();
        let (a, b) = (
            Vault::from_base64(&k).unwrap(),
            Vault::from_base64(&k).unwrap(),
        );
        assert_eq!(a.index("x"), b.index("x"));
        assert_ne!(a.index("x"), a.index("y"));
        assert!(Vault::from_base64("c2hvcnQ=").is_err());
    }
}
