//! `GET requests`, `GET requests/{id}` and `GET tokens/{token}`. Public, as the spec has them,
//! and as careful as the public board (公示): anyone sees category, status, the area down to the
//! grid, times and the unit in charge, with the unit's result scrubbed of numbers and names;
//! never the requester's name or phone. The resident's own words — description, address text,
//! coordinates — go only to the system that submitted them, when it passes its `api_key`.

use super::{Doc, Failure, Format, respond, w3c};
use crate::AppState;
use crate::pages::board_scrub::scrub;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use jiceng_core::node::NodeKind;
use jiceng_core::requests::Status;
use jiceng_store::Page;
use jiceng_store::open311::{self, Key, PublicQuery, PublicRequest};
use jiceng_store::requests::{RequestRow, board};
use std::collections::{HashMap, HashSet};

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
    let result = scrub(r.result.trim(), &[r.requester_name.as_str()]);
    match (status, result.trim()) {
        (Status::Resolved | Status::Verified | Status::Closed, res) if !res.is_empty() => {
            format!("{}：{res}", status.label_zh())
        }
        _ => status.label_zh().to_owned(),
    }
}

/// The request's area as the public may read it: street, community and grid above its place
/// (never the estate, building or home below), and the code of the deepest of them.
struct Area {
    names: String,
    code: String,
}

async fn areas(s: &AppState, rows: &[PublicRequest]) -> Result<HashMap<String, Area>, Failure> {
    let mut wanted: Vec<String> = rows
        .iter()
        .flat_map(|r| jiceng_core::node::ancestor_paths(&r.row.place_path))
        .collect();
    wanted.sort();
    wanted.dedup();
    let places = board::places_at(&s.db, wanted).await?;
    let mut out = HashMap::new();
    for r in rows {
        let mut above: Vec<_> = places
            .iter()
            .filter(|n| r.row.place_path.starts_with(&n.path))
            .filter(|n| {
                matches!(
                    NodeKind::parse(&n.kind),
                    Some(NodeKind::Street | NodeKind::Community | NodeKind::Grid)
                )
            })
            .collect();
        above.sort_by_key(|n| n.path.len());
        let area = Area {
            names: above
                .iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            code: above.last().map(|n| n.code.clone()).unwrap_or_default(),
        };
        out.insert(r.row.place_path.clone(), area);
    }
    Ok(out)
}

fn request_doc(p: &PublicRequest, area: Option<&Area>, own: bool) -> Doc {
    let r = &p.row;
    let status = r.status();
    // Only the resolve stage's deadline promises when it will be done; the earlier stages' are
    // the desk's and the unit's own.
    let expected = r.due_at.filter(|_| r.stage.as_deref() == Some("resolve"));
    let area_names = area.map(|a| a.names.clone()).unwrap_or_default();
    let address = match r.address.trim() {
        a if own && !a.is_empty() => format!("{a}（{area_names}）"),
        _ => area_names,
    };
    let mine = |d: Doc| if own { d } else { Doc::Null };
    Doc::Obj(vec![
        ("service_request_id", Doc::str(r.id.to_string())),
        (
            "status",
            Doc::str(if status.is_open() { "open" } else { "closed" }),
        ),
        ("status_notes", Doc::str(status_notes(r))),
        ("service_name", Doc::str(r.category_name.clone())),
        ("service_code", Doc::str(p.category_code.clone())),
        ("description", mine(Doc::str(r.description.clone()))),
        ("agency_responsible", Doc::opt(r.lead_org_name.clone())),
        ("service_notice", Doc::str(notice(r))),
        ("requested_datetime", Doc::str(w3c(r.submitted_at))),
        ("updated_datetime", Doc::str(w3c(p.updated_at))),
        ("expected_datetime", Doc::opt(expected.map(w3c))),
        ("address", Doc::opt(Some(address))),
        ("address_id", Doc::opt(area.map(|a| a.code.clone()))),
        ("zipcode", Doc::Null),
        ("lat", mine(r.latitude.map_or(Doc::Null, Doc::Float))),
        ("long", mine(r.longitude.map_or(Doc::Null, Doc::Float))),
        ("media_url", Doc::Null),
    ])
}

/// The reader's key, when it passes one: a wrong or revoked key is refused like on a POST.
async fn reader(s: &AppState, pairs: &[(String, String)]) -> Result<Option<Key>, Failure> {
    match param(pairs, "api_key") {
        None => Ok(None),
        Some(k) => match super::keys::authenticate(&s.db, k).await? {
            Some(key) => Ok(Some(key)),
            None => Err(Failure::new(
                StatusCode::FORBIDDEN,
                "invalid_api_key",
                "api_key 无效或已吊销；不带 api_key 可读取公开信息",
            )),
        },
    }
}

/// The documents of `rows` as `key` (if any) may read them.
async fn docs(
    s: &AppState,
    rows: &[PublicRequest],
    key: Option<&Key>,
) -> Result<Vec<Doc>, Failure> {
    let own: HashSet<i64> = match key {
        Some(k) => open311::submitted_by(&s.db, k.id, rows.iter().map(|r| r.row.id).collect())
            .await?
            .into_iter()
            .collect(),
        None => HashSet::new(),
    };
    let areas = areas(s, rows).await?;
    Ok(rows
        .iter()
        .map(|r| request_doc(r, areas.get(&r.row.place_path), own.contains(&r.row.id)))
        .collect())
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

fn pairs_of(raw: Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

async fn list(s: &AppState, raw: Option<String>) -> Result<Doc, Failure> {
    let pairs = pairs_of(raw);
    let key = reader(s, &pairs).await?;
    let q = query(&pairs, s.clock.now())?;
    let rows = open311::requests(&s.db, &q).await?;
    Ok(Doc::list("request", docs(s, &rows, key.as_ref()).await?))
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

pub async fn one(
    State(s): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some((id, fmt)) = Format::split(&file) else {
        return respond(Format::Json, "errors", Err(Failure::not_found("该资源")));
    };
    let r = async {
        let key = reader(&s, &pairs_of(raw)).await?;
        let p = find(&s, id).await?;
        Ok(Doc::list("request", docs(&s, &[p], key.as_ref()).await?))
    }
    .await;
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
