//! Login names and password policy.

use crate::DomainError;

/// A login name: 3–64 characters of ASCII letters, digits, `.`, `_`, `-` and `@`, stored lower-case
/// so that `ZhangSan` and `zhangsan` are one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login(String);

impl Login {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim().to_ascii_lowercase();
        let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
        if s.len() < 3 || s.len() > 64 || !s.chars().all(ok_char) {
            return Err(DomainError::new(
                "invalid_login",
                "login",
                "登录名须为 3–64 位英文字母、数字或 . _ - @",
            ));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password that meets the policy: at least 8 characters, with a letter and a digit, at most
/// 128 characters (argon2 cost grows with input; an attacker should not choose it).
#[derive(Clone)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    pub fn parse(raw: &str, field: &'static str) -> Result<Self, DomainError> {
        let n = raw.chars().count();
        let has_letter = raw.chars().any(|c| c.is_alphabetic());
        let has_digit = raw.chars().any(|c| c.is_ascii_digit());
        if !(8..=128).contains(&n) || !has_letter || !has_digit {
            return Err(DomainError::new(
                "weak_password",
                field,
                "密码须为 8–128 位，且同时包含字母和数字",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A display name: 1–64 characters after trimming.
pub fn parse_display_name(raw: &str) -> Result<String, DomainError> {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > 64 {
        return Err(DomainError::new(
            "invalid_name",
            "display_name",
            "姓名不能为空，且不超过 64 个字",
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_case_insensitive_and_restricted() {
        assert_eq!(Login::parse(" ZhangSan ").unwrap().as_str(), "zhangsan");
        for bad in ["ab", "张三", "a b c", "x;drop", &"a".repeat(65)] {
            assert!(Login::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn passwords_need_letters_and_digits() {
        assert!(NewPassword::parse("abcdefg1", "password").is_ok());
        assert!(NewPassword::parse("密码密码密码12", "password").is_ok());
        for bad in ["short1", "abcdefgh", "12345678", ""] {
            let e = NewPassword::parse(bad, "new_password").unwrap_err();
            assert_eq!(e.field, "new_password");
        }
    }

    #[test]
    fn password_debug_never_shows_the_secret() {
        let p = NewPassword::parse("secret-123", "password").unwrap();
        assert!(!format!("{p:?}").contains("secret"));
    }
}
