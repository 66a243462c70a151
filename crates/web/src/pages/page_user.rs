//! The extractors of page handlers: `PageUser` (signed in, or sent to the login page) and
//! `CsrfForm` (a posted form with its CSRF token checked).

use super::error::PageError;
use super::{Lang, Tr, lang_of, requests};
use crate::AppState;
use crate::auth::Principal;
use crate::auth::token::constant_time_eq;
use crate::error::AppError;
use crate::extract::parse_form;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

/// A signed-in user on a page; anyone else is sent to the login page and brought back after.
pub struct PageUser {
    pub p: Principal,
    pub lang: Lang,
    pub path: String,
    /// Unread messages, counted once for a page that shows the navigation (GET); else 0.
    pub unread: i64,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = lang_of(&parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        match Principal::from_request_parts(parts, state).await {
            Ok(p) => {
                let unread = requests::unread_badge(state, &p, &parts.method).await;
                Ok(PageUser {
                    p,
                    lang,
                    path,
                    unread,
                })
            }
            Err(e) if e.status == StatusCode::UNAUTHORIZED => {
                let next = urlencoding::encode(&path).into_owned();
                Err(Redirect::to(&format!("/login?next={next}")).into_response())
            }
            Err(e) => Err(PageError::new(e, lang).into_response()),
        }
    }
}

impl PageUser {
    pub fn tr(&self) -> Tr {
        Tr::new(self.lang)
    }

    pub fn err(&self, e: impl Into<AppError>) -> PageError {
        PageError::new(e.into(), self.lang)
    }
}

/// A form posted from one of our pages by a signed-in user, with its CSRF token checked.
pub struct CsrfForm<T> {
    pub user: PageUser,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = PageUser::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            user.err(AppError::bad_request(
                "body_too_large",
                "body",
                "提交的内容过大",
            ))
            .into_response()
        })?;
        let sent = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if !constant_time_eq(&sent, &user.p.csrf_token) {
            let e = AppError::new(
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "页面已过期，请刷新后重试",
            );
            return Err(user.err(e).into_response());
        }
        let form = parse_form::<T>(&bytes).map_err(|e| user.err(e).into_response())?;
        Ok(CsrfForm { user, form })
    }
}
