//! Photos on a request: the requester's (what is wrong) and the lead unit's (what was done).
//! Kept in the database beside the request, so a backup holds them too.

use super::Requests;
use super::writes::{RequestEvents, event};
use super::{Viewer, get};
use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::error::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use jiceng_core::DomainError;
use jiceng_core::requests::Party;
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use serde::Serialize;

#[derive(Iden, Clone, Copy)]
enum RequestPhotos {
    Table,
    Id,
    RequestId,
    EventId,
    ContentType,
    Bytes,
    CreatedAt,
}

/// At most this many photos per request, each at most [`MAX_BYTES`].
pub const MAX_PHOTOS: i64 = 9;
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PhotoInfo {
    pub id: i64,
    pub content_type: String,
    pub created_at: DateTime<Utc>,
}

/// The image type from the file's first bytes: what the browser sent is not trusted.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Who may add a photo now: the requester until the request is resolved, the lead unit while it
/// handles it.
pub fn may_add(parties: &[Party], status: jiceng_core::requests::Status) -> bool {
    use jiceng_core::requests::Status::*;
    (parties.contains(&Party::Requester)
        && matches!(
            status,
            Submitted | Accepted | Dispatched | Returned | Claimed | InProgress
        ))
        || (parties.contains(&Party::LeadUnit)
            && matches!(status, Claimed | InProgress | Suspended))
}

/// Adds a photo. The requester may add while the request is open and not yet resolved; the
/// lead unit while it handles it. Anyone else who can see the request gets `not_your_step`.
pub async fn add(
    db: &Db,
    viewer: &Viewer,
    actor: &Actor,
    request_id: i64,
    bytes: Vec<u8>,
) -> StoreResult<PhotoInfo> {
    let r = get(db, viewer, request_id).await?;
    let units = super::units(db, request_id).await?;
    let assisting: Vec<i64> = units
        .iter()
        .filter(|u| u.role == "assist")
        .map(|u| u.org_id)
        .collect();
    let parties = viewer.parties(&r, &assisting);
    let may = may_add(&parties, r.status());
    if !may {
        return Err(DomainError::new(
            "not_your_step",
            "photo",
            "只有诉求人（办结前）或承办单位（办理中）可以上传照片",
        )
        .into());
    }
    if bytes.len() > MAX_BYTES {
        return Err(DomainError::new("photo_too_large", "photo", "照片不能超过5MB").into());
    }
    let content_type = sniff(&bytes).ok_or_else(|| {
        DomainError::new("invalid_photo", "photo", "只能上传 JPEG、PNG 或 WebP 图片")
    })?;
    let n = db
        .scalar(
            &Query::select()
                .expr(Expr::col(RequestPhotos::Id).count())
                .from(RequestPhotos::Table)
                .and_where(Expr::col(RequestPhotos::RequestId).eq(request_id))
                .to_owned(),
        )
        .await?;
    if n >= MAX_PHOTOS {
        return Err(DomainError::new(
            "too_many_photos",
            "photo",
            format!("每件诉求最多{MAX_PHOTOS}张照片"),
        )
        .into());
    }
    let mut tx = db.begin().await?;
    event(
        &mut tx,
        request_id,
        viewer,
        actor.at,
        "photo",
        None,
        None,
        "上传照片",
        None,
    )
    .await?;
    let event_id = tx
        .scalar(
            &Query::select()
                .expr(Expr::col(RequestEvents::Id).max())
                .from(RequestEvents::Table)
                .and_where(Expr::col(RequestEvents::RequestId).eq(request_id))
                .to_owned(),
        )
        .await?;
    let id = tx
        .scalar(
            &Query::insert()
                .into_table(RequestPhotos::Table)
                .columns([
                    RequestPhotos::RequestId,
                    RequestPhotos::EventId,
                    RequestPhotos::ContentType,
                    RequestPhotos::Bytes,
                    RequestPhotos::CreatedAt,
                ])
                .values_panic([
                    request_id.into(),
                    event_id.into(),
                    content_type.into(),
                    bytes.into(),
                    actor.at.into(),
                ])
                .returning_col(RequestPhotos::Id)
                .to_owned(),
        )
        .await?;
    tx.execute(
        &Query::update()
            .table(Requests::Table)
            .value(Requests::UpdatedAt, actor.at)
            .and_where(Expr::col(Requests::Id).eq(request_id))
            .to_owned(),
    )
    .await?;
    let change = Change {
        action: "request.photo",
        object_type: "request",
        object_id: request_id.to_string(),
        object_path: &r.place_path,
        before: None,
        after: Some(serde_json::json!({ "photo_id": id, "content_type": content_type })),
    };
    audit::record(&mut tx, actor, change).await?;
    tx.commit().await?;
    Ok(PhotoInfo {
        id,
        content_type: content_type.into(),
        created_at: actor.at,
    })
}

/// The photos of a request the viewer can see.
pub async fn list(db: &Db, viewer: &Viewer, request_id: i64) -> StoreResult<Vec<PhotoInfo>> {
    get(db, viewer, request_id).await?;
    db.all(
        &Query::select()
            .columns([
                RequestPhotos::Id,
                RequestPhotos::ContentType,
                RequestPhotos::CreatedAt,
            ])
            .from(RequestPhotos::Table)
            .and_where(Expr::col(RequestPhotos::RequestId).eq(request_id))
            .order_by(RequestPhotos::Id, Order::Asc)
            .to_owned(),
    )
    .await
}

/// One photo's bytes and type, if the viewer can see its request.
pub async fn bytes(
    db: &Db,
    viewer: &Viewer,
    request_id: i64,
    photo_id: i64,
) -> StoreResult<(String, Vec<u8>)> {
    get(db, viewer, request_id).await?;
    let row: Option<(String, Vec<u8>)> = db
        .optional(
            &Query::select()
                .columns([RequestPhotos::ContentType, RequestPhotos::Bytes])
                .from(RequestPhotos::Table)
                .and_where(Expr::col(RequestPhotos::RequestId).eq(request_id))
                .and_where(Expr::col(RequestPhotos::Id).eq(photo_id))
                .to_owned(),
        )
        .await?;
    row.ok_or(StoreError::NotFound)
}
