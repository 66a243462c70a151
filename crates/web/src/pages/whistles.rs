//! 吹哨报到 pages: the whistle board (open whistles with live countdowns, or the whistles behind
//! a ranking figure), the department ranking, the navigation entries and the routes. The form
//! is in `whistles_new`, one whistle and its steps in `whistles_detail`.

use super::place_labels::PlaceLabels;
use super::requests::when;
use super::{PageUser, Pager, Shell, Tr, render};
use crate::AppState;
use crate::api::whistles::ranking::{RankingQuery, UnitRow, rows_of};
use crate::api::whistles::{UnitView, WhistleQuery, WhistleView, filter_of, page_of, viewer};
use crate::auth::Principal;
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiceng_core::role::Permission;
use jiceng_core::whistle::WhistleMetric;
use jiceng_store::Page;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    use super::{whistles_detail as detail, whistles_new as new};
    Router::new()
        .route("/whistles", get(board))
        .route("/whistles/new", get(new::form).post(new::submit))
        .route("/whistles/ranking", get(ranking))
        .route("/whistles/{id}", get(detail::show))
        .route("/whistles/{id}/act", post(detail::act))
}

/// Who sees whistles: those who blow them, see places, or are summoned.
fn sees_whistles(p: &Principal) -> bool {
    p.can(Permission::BlowWhistle)
        || p.can(Permission::ViewRequests)
        || p.can(Permission::HandleRequests)
}

/// The navigation entries (href, label key): the board, and the ranking for the street and
/// community side.
pub fn nav_entries(p: &Principal) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if sees_whistles(p) {
        out.push(("/whistles", "nav.whistles"));
    }
    if p.can(Permission::BlowWhistle) || p.can(Permission::ViewRequests) {
        out.push(("/whistles/ranking", "nav.whistle_ranking"));
    }
    out
}

/// "剩余 3小时12分" / "已超时 5分0秒": what the countdown shows; the script of
/// `whistle_countdown.html` repeats this format as it ticks.
pub fn countdown(t: Tr, secs: i64) -> String {
    let (prefix, s) = if secs >= 0 {
        (t.s("whistles.left"), secs)
    } else {
        (t.s("whistles.over"), -secs)
    };
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    let u = |k: &str| t.s(k).to_owned();
    let body = if d > 0 {
        format!("{d}{}{h}{}", u("whistles.unit.d"), u("whistles.unit.h"))
    } else if h > 0 {
        format!("{h}{}{m}{}", u("whistles.unit.h"), u("whistles.unit.m"))
    } else {
        format!("{m}{}{sec}{}", u("whistles.unit.m"), u("whistles.unit.s"))
    };
    format!("{prefix} {body}")
}

/// A summoned unit as a chip: its name and where its check-in stands.
pub struct Chip {
    pub name: String,
    /// `done`, `late` or `pending`: the chip's colour.
    pub code: &'static str,
    pub label: String,
}

pub fn chip(t: Tr, u: &UnitView) -> Chip {
    let code = match (u.checked_in_at.is_some(), u.late) {
        (true, false) => "done",
        (true, true) => "late",
        (false, _) => "pending",
    };
    Chip {
        name: u.name.clone(),
        code,
        label: t.s(&format!("whistles.check_in.{code}")).to_owned(),
    }
}

/// A whistle as a board row.
pub struct BoardRow {
    pub id: i64,
    pub title: String,
    pub place: String,
    pub whistler: String,
    pub open: bool,
    pub status: String,
    pub deadline: String,
    pub remaining: i64,
    pub countdown: String,
    pub checked_in: usize,
    pub summoned: usize,
    pub chips: Vec<Chip>,
}

fn board_row(t: Tr, w: &WhistleView, places: &PlaceLabels) -> BoardRow {
    let open = w.status == "open";
    BoardRow {
        id: w.id,
        title: w.title.clone(),
        place: places.of(&w.place_path, ""),
        whistler: w.whistler_unit.clone(),
        open,
        status: t.s(&format!("whistles.status.{}", w.status)).to_owned(),
        deadline: when(w.deadline_at),
        remaining: w.remaining_seconds,
        countdown: if open {
            countdown(t, w.remaining_seconds)
        } else {
            String::new()
        },
        checked_in: w.checked_in,
        summoned: w.summoned,
        chips: w.units.iter().map(|u| chip(t, u)).collect(),
    }
}

#[derive(Deserialize, Default)]
pub struct BoardQ {
    status: Option<String>,
    unit_id: Option<String>,
    metric: Option<String>,
    page: Option<u64>,
    page_size: Option<u64>,
}

#[derive(Template)]
#[template(path = "whistles.html")]
struct BoardPage {
    shell: Shell,
    tabs: Vec<(String, &'static str, bool)>,
    figure: String,
    rows: Vec<BoardRow>,
    pager: Pager,
    can_blow: bool,
}

fn opt_id(raw: &Option<String>, field: &str) -> Result<Option<i64>, AppError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad_request("invalid_id", field, "编号不正确")),
    }
}

pub async fn board(State(s): State<AppState>, u: PageUser, Query(q): Query<BoardQ>) -> Response {
    let t = u.tr();
    let status = q.status.clone().unwrap_or_else(|| "open".into());
    let r = async {
        let v = viewer(&u.p)?;
        let wq = WhistleQuery {
            status: Some(status.clone()),
            unit_id: opt_id(&q.unit_id, "unit_id")?,
            metric: q.metric.clone(),
            page: q.page,
            page_size: q.page_size,
            ..Default::default()
        };
        let f = filter_of(&s, &v, &wq).await?;
        let page = Page::new(q.page, q.page_size);
        let (items, total) = page_of(&s, &v, &f, page, u.p.at).await?;
        // Summoned departments come from all over the district: the whole place, always.
        let places = PlaceLabels::whole(&s.db, items.iter().map(|w| w.place_path.as_str())).await?;
        Ok::<_, AppError>((items, total, page, wq, places))
    }
    .await;
    let (items, total, page, wq, places) = match r {
        Ok(x) => x,
        Err(e) => return u.err(e).into_response(),
    };
    // The whistles behind a ranking figure: say which unit and which figure.
    let figure = match wq.metric.as_deref().and_then(WhistleMetric::parse) {
        Some(m) => {
            let unit = items
                .iter()
                .flat_map(|w| &w.units)
                .find(|x| Some(x.org_id) == wq.unit_id)
                .map(|x| format!("{} · ", x.name))
                .unwrap_or_default();
            format!("{unit}{}", super::requests::label!(u.lang, m))
        }
        None => String::new(),
    };
    let base = format!(
        "/whistles?status={}&unit_id={}&metric={}&",
        urlencoding::encode(&status),
        wq.unit_id.map(|i| i.to_string()).unwrap_or_default(),
        urlencoding::encode(wq.metric.as_deref().unwrap_or(""))
    );
    render(&BoardPage {
        shell: u.shell("whistles.title", "/whistles"),
        tabs: ["open", "closed", "all"]
            .into_iter()
            .map(|k| {
                let key = match k {
                    "open" => "whistles.status.open",
                    "closed" => "whistles.status.closed",
                    _ => "whistles.tab.all",
                };
                (format!("/whistles?status={k}"), t.s(key), k == status)
            })
            .collect(),
        rows: items.iter().map(|w| board_row(t, w, &places)).collect(),
        pager: Pager::new(&base, page, total),
        can_blow: u.p.can(Permission::BlowWhistle),
        figure,
    })
}

/// A ranking row as the page shows it: figures as links to their whistles, rates as percent.
pub struct RankRow {
    pub rank: String,
    pub org_id: i64,
    pub name: String,
    pub figures: Vec<(String, i64, String)>,
    pub rates: Vec<String>,
    pub minutes: String,
}

fn percent(per_mille: Option<i64>) -> String {
    per_mille.map_or_else(|| "—".into(), |p| format!("{}.{}%", p / 10, p % 10))
}

fn rank_row(r: UnitRow) -> RankRow {
    RankRow {
        rank: r.rank.map_or_else(|| "—".into(), |n| n.to_string()),
        org_id: r.org_id,
        figures: r
            .figures
            .into_iter()
            .map(|f| {
                let href = f.list.replacen("/api/v1/whistles", "/whistles", 1);
                (f.metric, f.value, href)
            })
            .collect(),
        rates: r.rates.iter().map(|v| percent(v.per_mille)).collect(),
        minutes: r
            .mean_check_in_minutes
            .map(|m| m.to_string())
            .unwrap_or_else(|| "—".into()),
        name: r.name,
    }
}

#[derive(Template)]
#[template(path = "whistle_ranking.html")]
struct RankingPage {
    shell: Shell,
    metrics: Vec<&'static str>,
    rates: Vec<(&'static str, &'static str)>,
    rank_by: String,
    month_from: String,
    month_to: String,
    rows: Vec<RankRow>,
}

pub async fn ranking(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<RankingQuery>,
) -> Response {
    let r = async {
        let v = viewer(&u.p)?;
        rows_of(&s, &v, &q, u.p.at).await
    }
    .await;
    let (rank_by, rows) = match r {
        Ok(x) => x,
        Err(e) => return u.err(e).into_response(),
    };
    use super::requests::label;
    render(&RankingPage {
        shell: u.shell("whistles.ranking.title", "/whistles/ranking"),
        metrics: WhistleMetric::ALL
            .iter()
            .map(|m| label!(u.lang, m))
            .collect(),
        rates: jiceng_core::whistle::WhistleRate::ALL
            .iter()
            .map(|r| (r.as_str(), label!(u.lang, r)))
            .collect(),
        rank_by: rank_by.as_str().into(),
        month_from: q.month_from.clone().unwrap_or_default(),
        month_to: q.month_to.clone().unwrap_or_default(),
        rows: rows.into_iter().map(rank_row).collect(),
    })
}

/// The whistles blown about a request and the link to blow one, for the request's page.
pub struct RequestWhistles {
    /// (id, title, status label)
    pub items: Vec<(i64, String, String)>,
    /// The form, filled with the request, its place and a title, for those who blow whistles.
    pub new_href: Option<String>,
}

pub async fn of_request(
    s: &AppState,
    u: &PageUser,
    request_id: i64,
    place_node_id: i64,
    title: &str,
) -> Result<RequestWhistles, AppError> {
    let t = u.tr();
    // Someone who sees the request but no whistles (a resident) gets neither list nor link.
    let Ok(v) = viewer(&u.p) else {
        return Ok(RequestWhistles {
            items: Vec::new(),
            new_href: None,
        });
    };
    let items = jiceng_store::whistles::of_request(&s.db, &v, request_id)
        .await?
        .into_iter()
        .map(|w| {
            let status = t.s(&format!("whistles.status.{}", w.status)).to_owned();
            (w.id, w.title, status)
        })
        .collect();
    let new_href = u.p.can(Permission::BlowWhistle).then(|| {
        format!(
            "/whistles/new?request_id={request_id}&place_node_id={place_node_id}&title={}",
            urlencoding::encode(title)
        )
    });
    Ok(RequestWhistles { items, new_href })
}
