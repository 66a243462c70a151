//! The one error type of the HTTP layer. JSON clients get `{code, message, details}`; pages get a
//! friendly error page (see `pages::error`). 5xx never carries internals; they are logged once.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiceng_core::DomainError;
use jiceng_store::StoreError;
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
}

/// The error envelope of the JSON API.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable snake_case code, e.g. `missing_field`.
    pub code: String,
    /// Human-readable message in Chinese.
    pub message: String,
    /// Which field or row is at fault, when known: `{"field": "login"}`.
    #[schema(value_type = Object)]
    pub details: Value,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: json!({}),
        }
    }
    pub fn field(mut self, field: &str) -> Self {
        self.details = json!({ "field": field });
        self
    }
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "未找到该对象，或您无权查看",
        )
    }
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录")
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "您的角色无权进行此操作")
    }
    pub fn bad_request(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message).field(field)
    }
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "服务器内部错误，请稍后重试；如持续出现请联系管理员",
        )
    }
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code.to_owned(),
            message: self.message.clone(),
            details: self.details.clone(),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        // A step that is not allowed now conflicts with the record's state; a step that belongs
        // to someone else is forbidden; everything else is bad input.
        let status = match e.code {
            "transition_not_allowed"
            | "whistle_closed"
            | "already_checked_in"
            | "already_rated"
            | "not_checked_in" => StatusCode::CONFLICT,
            "not_your_step" => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        };
        AppError::new(status, e.code, e.message).field(e.field)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::not_found(),
            StoreError::Forbidden => AppError::forbidden(),
            StoreError::Stale => AppError::new(
                StatusCode::CONFLICT,
                "changed_meanwhile",
                "该记录刚被他人处理，请刷新后重试",
            ),
            StoreError::Domain(d) => d.into(),
            StoreError::Conflict { field } => AppError::new(
                StatusCode::CONFLICT,
                "already_exists",
                match field {
                    "login" => "该登录名已被使用",
                    "code" => "该编码已被使用",
                    _ => "记录已存在",
                },
            )
            .field(field),
            other => {
                tracing::error!(error = %other, "store error");
                AppError::internal()
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

pub type ApiResult<T> = Result<T, AppError>;
