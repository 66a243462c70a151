use thiserror::Error;

/// A rule of the domain was broken by the input. `field` names what the user must fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct DomainError {
    /// Stable snake_case code, e.g. `invalid_code`.
    pub code: &'static str,
    /// The input field at fault (JSON name).
    pub field: &'static str,
    /// Message for the user, in Chinese.
    pub message: String,
}

impl DomainError {
    pub fn new(code: &'static str, field: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            field,
            message: message.into(),
        }
    }
}
