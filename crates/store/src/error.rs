use jiceng_core::DomainError;
use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Error)]
pub enum StoreError {
    /// No such object *in the caller's scope*: objects outside it are reported the same way, so
    /// their existence does not leak.
    #[error("not found")]
    NotFound,
    /// A unique value is already taken; `field` names it.
    #[error("conflict on {field}")]
    Conflict { field: &'static str },
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The caller holds no role that permits this action at the target.
    #[error("forbidden")]
    Forbidden,
    /// The object changed between reading and writing it (someone else acted first).
    #[error("stale")]
    Stale,
    #[error("configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Database(sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                let m = d.message();
                // Both engines name the column or index in the message.
                let field = if m.contains("login") {
                    "login"
                } else if m.contains("code") || m.contains("path") {
                    "code"
                } else {
                    "id"
                };
                StoreError::Conflict { field }
            }
            _ => StoreError::Database(e),
        }
    }
}
