//! `GET requests`, `GET requests/{id}` and `GET tokens/{token}`. Public, as the spec has them:
//! what the reads show is what a 公示 board would — category, status, place, times, the unit in
//! charge — and never the requester's name, phone or answers.

use super::{Doc, Failure, Format, respond, w3c};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use jiceng_core::requests::Status;
use jiceng_store::Page;
use jiceng_store::open311::{self, PublicQuery, PublicRequest};
use jiceng_store::requests::RequestRow;

/// The longest window one query may span, and the default window: the most recent 90 days.
const WINDOW_DAYS: i64 = 90;
/// The spec's default volume: at most 1000 requests per answer.
const MAX_PAGE_SIZE: u64 = 1000;

/// The spec's `service_notice`: what to expect.
pub fn notice(r: &RequestRow) -> String {
    format!("受理后{}个工作日内办结", r.resolve_days + r.extension_days)
}

fn status_notes(r: &RequestRow) -> String {
    let status = r.status();
    match (status, r.result.trim()) {
        (Status::Resolved | Status::Verified | Status::Closed, res) if !res.is_empty() => {
            format!("{}：{res}", status.label_zh())
        }
        _ => status.label_zh().to_owned(),
    }
}

fn request_doc(p: &PublicRequest) -> Doc {
    let r = &p.row;
    let status = r.status();
    // Only the resolve stage's deadline promises when it will be done; the earlier stages' are
    // the desk's and the unit's own.
    let expected = r.due_at.filter(|_| r.stage.as_deref() == Some("resolve"));
    let address = match r.address.trim() {
        "" => r.place_name.clone(),
        a => format!("{a}（{}）", r.place_name),
    };
    Doc::Obj(vec![
        ("service_request_id", Doc::str(r.id.to_string())),
        (
            "status",
            Doc::str(if status.is_open() { "open" } else { "closed" }),
        ),
        ("status_notes", Doc::str(status_notes(r))),
        ("service_name", Doc::str(r.category_name.clone())),
        ("service_code", Doc::str(p.category_code.clone())),
        ("description", Doc::str(r.description.clone())),
        ("agency_responsible", Doc::opt(r.lead_org_name.clone())),
        ("service_notice", Doc::str(notice(r))),
        ("requested_datetime", Doc::str(w3c(r.submitted_at))),
        ("updated_datetime", Doc::str(w3c(p.updated_at))),
        ("expected_datetime", Doc::opt(expected.map(w3c))),
        ("address", Doc::str(address)),
        ("address_id", Doc::str(p.place_code.clone())),
        ("zipcode", Doc::Null),
        ("lat", r.latitude.map_or(Doc::Null, Doc::Float)),
        ("long", r.longitude.map_or(Doc::Null, Doc::Float)),
        ("media_url", Doc::Null),
    ])
}

/// A query parameter, the first non-empty one.
fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .find(|v| !v.is_empty())
}

/// Comma-separated values of every occurrence of `name`.
fn list_param(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(','))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

fn instant(raw: Option<&str>, name: &str) -> Result<Option<DateTime<Utc>>, Failure> {
    raw.map(|r| {
        DateTime::parse_from_rfc3339(r)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                Failure::bad_request(
                    "invalid_date",
                    format!("{name}：「{r}」须为带时区的 W3C 时间，如 2026-03-08T00:00:00+08:00"),
                )
            })
    })
    .transpose()
}

fn number(raw: Option<&str>, name: &str, max: u64) -> Result<Option<u64>, Failure> {
    raw.map(|r| {
        r.parse::<u64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                Failure::bad_request("invalid_number", format!("{name}：须为 1 到 {max} 的整数"))
            })
    })
    .transpose()
}

/// The query a `GET requests` asks, checked.
fn query(pairs: &[(String, String)], now: DateTime<Utc>) -> Result<PublicQuery, Failure> {
    let window = Duration::days(WINDOW_DAYS);
    let start = instant(param(pairs, "start_date"), "start_date")?;
    let end = instant(param(pairs, "end_date"), "end_date")?;
    let (from, to) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, s + window),
        (None, Some(e)) => (e - window, e),
        (None, None) => (now - window, now),
    };
    if from > to {
        return Err(Failure::bad_request(
            "invalid_date_range",
            "start_date 不能晚于 end_date",
        ));
    }
    if to - from > window {
        return Err(Failure::bad_request(
            "date_range_too_long",
            format!("start_date 到 end_date 不能超过 {WINDOW_DAYS} 天"),
        ));
    }
    let open = match list_param(pairs, "status").as_slice() {
        [] => None,
        statuses => {
            let (mut open, mut closed) = (false, false);
            for s in statuses {
                match s.as_str() {
                    "open" => open = true,
                    "closed" => closed = true,
                    other => {
                        return Err(Failure::bad_request(
                            "invalid_status",
                            format!("status：「{other}」无效，可选 open、closed"),
                        ));
                    }
                }
            }
            (open != closed).then_some(open)
        }
    };
    let ids = match list_param(pairs, "service_request_id").as_slice() {
        [] => None,
        raw => Some(
            raw.iter()
                .map(|v| {
                    v.parse::<i64>().map_err(|_| {
                        Failure::bad_request(
                            "invalid_service_request_id",
                            format!("service_request_id：「{v}」不是诉求编号"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let page = number(param(pairs, "page"), "page", 1_000_000)?.unwrap_or(1);
    let size =
        number(param(pairs, "page_size"), "page_size", MAX_PAGE_SIZE)?.unwrap_or(MAX_PAGE_SIZE);
    Ok(PublicQuery {
        ids,
        codes: list_param(pairs, "service_code"),
        open,
        // `end_date` is "the latest datetime to include".
        from,
        to: to + Duration::microseconds(1),
        page: Page { page, size },
    })
}

async fn list(s: &AppState, raw: Option<String>) -> Result<Doc, Failure> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let q = query(&pairs, s.clock.now())?;
    let rows = open311::requests(&s.db, &q).await?;
    Ok(Doc::list("request", rows.iter().map(request_doc).collect()))
}

pub async fn list_json(State(s): State<AppState>, RawQuery(q): RawQuery) -> Response {
    respond(Format::Json, "service_requests", list(&s, q).await)
}

pub async fn list_xml(State(s): State<AppState>, RawQuery(q): RawQuery) -> Response {
    respond(Format::Xml, "service_requests", list(&s, q).await)
}

/// The request `raw` names, or the spec's 404.
async fn find(s: &AppState, raw: &str) -> Result<PublicRequest, Failure> {
    let missing = || Failure::not_found(&format!("诉求「{raw}」"));
    let id: i64 = raw.parse().map_err(|_| missing())?;
    match open311::request(&s.db, id).await {
        Err(jiceng_store::StoreError::NotFound) => Err(missing()),
        r => Ok(r?),
    }
}

pub async fn one(State(s): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((id, fmt)) = Format::split(&file) else {
        return respond(Format::Json, "errors", Err(Failure::not_found("该资源")));
    };
    let r = find(&s, id)
        .await
        .map(|p| Doc::list("request", vec![request_doc(&p)]));
    respond(fmt, "service_requests", r)
}

/// Every request gets its id at once (services are `realtime`), so a request's token is its
/// id: clients that always go through the token endpoint still work.
pub async fn token(State(s): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((token, fmt)) = Format::split(&file) else {
        return respond(Format::Json, "errors", Err(Failure::not_found("该资源")));
    };
    let r = find(&s, token).await.map(|p| {
        Doc::list(
            "request",
            vec![Doc::Obj(vec![
                ("service_request_id", Doc::str(p.row.id.to_string())),
                ("token", Doc::str(token.to_owned())),
            ])],
        )
    });
    respond(fmt, "service_requests", r)
}
