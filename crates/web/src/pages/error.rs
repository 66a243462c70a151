//! Friendly error pages: what happened, in Chinese (or English), and the way back.

use super::i18n::{Lang, Tr};
use crate::error::AppError;
use askama::Template;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    status: u16,
    code: &'a str,
    message: &'a str,
    english: &'static str,
}

pub struct PageError {
    pub error: AppError,
    pub lang: Lang,
}

impl PageError {
    pub fn new(error: AppError, lang: Lang) -> Self {
        Self { error, lang }
    }
}

fn english(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "The request was not valid.",
        401 => "Please sign in.",
        403 => "Your role does not allow this.",
        404 => "Not found, or not within your scope.",
        409 => "This already exists.",
        429 => "Too many attempts; try again later.",
        _ => "An internal error occurred; please try again later.",
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = &self.error;
        let page = ErrorPage {
            t: Tr::new(self.lang),
            status: e.status.as_u16(),
            code: e.code,
            message: &e.message,
            english: english(e.status),
        };
        let body = page
            .render()
            .unwrap_or_else(|_| format!("{} {}", e.status.as_u16(), e.message));
        (e.status, Html(body)).into_response()
    }
}

/// Unknown URLs: JSON under `/api/`, a page elsewhere.
pub async fn not_found_fallback(uri: Uri, headers: axum::http::HeaderMap) -> Response {
    if uri.path().starts_with("/api/") {
        return AppError::new(StatusCode::NOT_FOUND, "no_such_endpoint", "接口不存在")
            .into_response();
    }
    let e = AppError::new(StatusCode::NOT_FOUND, "no_such_page", "页面不存在");
    PageError::new(e, super::lang_of(&headers)).into_response()
}
