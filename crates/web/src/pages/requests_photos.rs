//! Adding a photo from a request's page (a phone's camera or a file): a multipart form with the
//! CSRF token, checked like every other form, then 303 back to the page; a refused photo shows
//! its reason on the page.

use super::PageUser;
use super::render;
use super::requests_detail::{Refused, page};
use crate::AppState;
use crate::auth::token::constant_time_eq;
use crate::error::AppError;
use crate::extract::PathId;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_store::requests::photos::{self, MAX_BYTES};

fn unreadable() -> AppError {
    AppError::bad_request("invalid_photo", "photo", "无法读取上传的照片")
}

/// The CSRF token and the photo's bytes from the form.
async fn fields(mut form: Multipart) -> Result<(String, Vec<u8>), AppError> {
    let (mut csrf, mut bytes) = (String::new(), None);
    while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.map_err(|_| unreadable())?,
            Some("photo") => {
                let b = field.bytes().await.map_err(|_| unreadable())?;
                if b.len() > MAX_BYTES {
                    return Err(AppError::bad_request(
                        "photo_too_large",
                        "photo",
                        "照片不能超过5MB",
                    ));
                }
                bytes = Some(b.to_vec());
            }
            _ => {}
        }
    }
    let bytes = bytes.filter(|b| !b.is_empty());
    Ok((
        csrf,
        bytes.ok_or_else(|| AppError::bad_request("missing_photo", "photo", "请选择照片"))?,
    ))
}

pub async fn upload(
    State(s): State<AppState>,
    u: PageUser,
    PathId(id): PathId,
    form: Multipart,
) -> Response {
    let r = async {
        let (csrf, bytes) = fields(form).await?;
        if !constant_time_eq(&csrf, &u.p.csrf_token) {
            return Err(AppError::new(
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "页面已过期，请刷新后重试",
            ));
        }
        photos::add(&s.db, &u.p.request_viewer(), &u.p.actor(), id, bytes).await?;
        Ok(())
    }
    .await;
    match r {
        Ok(()) => Redirect::to(&format!("/requests/{id}?done=photo")).into_response(),
        Err(e) if matches!(e.status.as_u16(), 400 | 403) => {
            let status = e.status;
            let refused = Refused {
                action: "photo".into(),
                note: String::new(),
                error: e,
            };
            match page(&s, &u, id, Some(refused)).await {
                Ok(p) => {
                    let mut resp = render(&p);
                    *resp.status_mut() = status;
                    resp
                }
                Err(e2) => u.err(e2).into_response(),
            }
        }
        Err(e) => u.err(e).into_response(),
    }
}
