//! Authentication (who is this?) and the scope extractor (what may they see?).

pub mod login;
pub mod password;
pub mod principal;
pub mod token;

pub use password::{hash_async, hash_password, verify_async};
pub use principal::{Principal, client_ip};

pub const SESSION_COOKIE: &str = "jiceng_session";
pub const LOGIN_CSRF_COOKIE: &str = "jiceng_login_csrf";
pub const LANG_COOKIE: &str = "jiceng_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";
