//! Photos on a request: uploaded by the requester or the lead unit, shown to whoever sees it.

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::PathId;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiceng_store::requests::photos::{self, MAX_BYTES, PhotoInfo};

fn unreadable() -> AppError {
    AppError::bad_request("invalid_photo", "photo", "无法读取上传的照片")
}

/// The photo's bytes: the `photo` field of a multipart form (pages), or the raw body with an
/// image content type (API clients).
async fn photo_bytes(s: &AppState, req: Request) -> Result<Vec<u8>, AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let body = axum::body::to_bytes(req.into_body(), MAX_BYTES + 1)
            .await
            .map_err(|_| AppError::bad_request("photo_too_large", "photo", "照片不能超过5MB"))?;
        return Ok(body.to_vec());
    }
    let mut form = Multipart::from_request(req, s)
        .await
        .map_err(|_| unreadable())?;
    while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("photo") {
            return Ok(field.bytes().await.map_err(|_| unreadable())?.to_vec());
        }
    }
    Err(AppError::bad_request(
        "missing_photo",
        "photo",
        "请选择照片",
    ))
}

/// Add a photo (JPEG, PNG or WebP, up to 5 MB, at most 9 per request). The requester may add
/// until the request is resolved; the lead unit while it handles it. The type is read from the
/// file itself.
#[utoipa::path(post, path = "/api/v1/requests/{id}/photos", tag = "requests", params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 201, body = PhotoInfo), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn add(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
    req: Request,
) -> ApiResult<(StatusCode, axum::Json<PhotoInfo>)> {
    let bytes = photo_bytes(&s, req).await?;
    let info = photos::add(&s.db, &p.request_viewer(), &p.actor(), id, bytes).await?;
    Ok((StatusCode::CREATED, axum::Json(info)))
}

/// The photos of a request. Whoever may see the request.
#[utoipa::path(get, path = "/api/v1/requests/{id}/photos", tag = "requests", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PhotoInfo>), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    p: Principal,
    PathId(id): PathId,
) -> ApiResult<axum::Json<Vec<PhotoInfo>>> {
    Ok(axum::Json(
        photos::list(&s.db, &p.request_viewer(), id).await?,
    ))
}

/// One photo. Whoever may see the request.
#[utoipa::path(get, path = "/api/v1/requests/{id}/photos/{photo_id}", tag = "requests",
    params(("id" = i64, Path), ("photo_id" = i64, Path)),
    responses((status = 200, description = "the image"), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(s): State<AppState>,
    p: Principal,
    Path((id, photo_id)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    let (content_type, bytes) = photos::bytes(&s.db, &p.request_viewer(), id, photo_id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=3600".into()),
        ],
        bytes,
    )
        .into_response())
}
