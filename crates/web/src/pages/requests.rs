//! Request pages (诉求): the list with its role tabs and filters, its Excel download, and the
//! labels and times the other request pages share. The form is in `requests_new`, the detail
//! and its steps in `requests_detail`, the inbox in `requests_inbox`.

use super::i18n::Lang;
use super::place_labels::PlaceLabels;
use super::{PageUser, Pager, Shell, render};
use crate::AppState;
use crate::api::requests::list::{RequestQuery, export_xlsx, filter_of};
use crate::auth::Principal;
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use jiceng_core::requests::Status;
use jiceng_core::requests::sla::{Light, local};
use jiceng_core::role::Permission;
use jiceng_store::Page;
use jiceng_store::requests::categories;
use jiceng_store::requests::{RequestRow, Viewer};
use jiceng_store::requests::{inbox, list};
use serde::Deserialize;

/// The label of a `labelled!` value in the page's language.
macro_rules! label {
    ($lang:expr, $v:expr) => {
        match $lang {
            $crate::pages::i18n::Lang::Zh => $v.label_zh(),
            $crate::pages::i18n::Lang::En => $v.label_en(),
        }
    };
}
pub(crate) use label;

/// Beijing wall-clock time, to the minute: how every request time is shown.
pub fn when(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%d %H:%M").to_string()
}

pub fn status_label(lang: Lang, raw: &str) -> String {
    Status::parse(raw).map_or_else(|| raw.to_owned(), |s| label!(lang, s).to_owned())
}

/// A traffic light as the pages draw it: its code (for the dot's colour) and its label.
pub struct Dot {
    pub code: &'static str,
    pub label: &'static str,
}

pub fn dot(lang: Lang, light: Option<Light>) -> Option<Dot> {
    light.map(|l| Dot {
        code: l.as_str(),
        label: label!(lang, l),
    })
}

/// The user's own place for requests: the node of their first grant that may submit.
pub fn home_grant(u: &PageUser) -> Option<&jiceng_core::scope::Grant> {
    u.p.grants
        .iter()
        .find(|g| g.role.permits(Permission::SubmitRequests))
}

/// The list a user opens by default: the desk's queue, the unit's inbox, everything, or their own.
pub fn default_view(u: &PageUser) -> &'static str {
    if u.p.can(Permission::DispatchRequests) {
        "queue"
    } else if u.p.can(Permission::HandleRequests) {
        "inbox"
    } else if u.p.can(Permission::ViewRequests) {
        "all"
    } else {
        "mine"
    }
}

/// The tabs this user has: (view, label key), in a fixed order.
pub fn tabs_of(u: &PageUser) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if u.p.can(Permission::SubmitRequests) {
        out.push(("mine", "nav.requests_mine"));
    }
    if u.p.can(Permission::DispatchRequests) {
        out.push(("queue", "nav.requests_queue"));
    }
    if u.p.can(Permission::HandleRequests) {
        out.push(("inbox", "nav.requests_inbox"));
    }
    if u.p.can(Permission::ViewRequests) {
        out.push(("all", "requests.tab.all"));
    }
    out
}

/// Who receives messages about requests: the people who submit, dispatch or handle them.
pub fn gets_messages(p: &Principal) -> bool {
    p.can(Permission::SubmitRequests)
        || p.can(Permission::DispatchRequests)
        || p.can(Permission::HandleRequests)
}

/// The unread messages for the badge beside 消息: one count, only for pages (GET) of users who
/// get messages; a failed count just shows no badge.
pub async fn unread_badge(s: &AppState, p: &Principal, method: &Method) -> i64 {
    if method != Method::GET || !gets_messages(p) {
        return 0;
    }
    inbox::unread(&s.db, &p.request_viewer()).await.unwrap_or(0)
}

/// The request entries of the navigation, (href, label key): submitting, the one list the user
/// works from (the list page has tabs for the others), and the messages.
pub fn nav_entries(p: &Principal) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if p.can(Permission::SubmitRequests) {
        out.push(("/requests/new", "nav.request_new"));
    }
    if p.can(Permission::DispatchRequests) {
        out.push(("/requests?view=queue", "nav.requests_queue"));
    } else if p.can(Permission::HandleRequests) {
        out.push(("/requests?view=inbox", "nav.requests_inbox"));
    } else if p.can(Permission::ViewRequests) {
        out.push(("/requests?view=all", "nav.requests_all"));
    } else if p.can(Permission::SubmitRequests) {
        out.push(("/requests?view=mine", "nav.requests_mine"));
    }
    if gets_messages(p) {
        out.push(("/notifications", "nav.notifications"));
    }
    if p.can(Permission::ViewRequests) {
        out.push(("/dashboard", "nav.dashboard"));
    }
    out
}

/// The navigation entry a request page highlights.
pub fn nav_href(view: &str) -> &'static str {
    match view {
        "queue" => "/requests?view=queue",
        "inbox" => "/requests?view=inbox",
        "all" => "/requests?view=all",
        _ => "/requests?view=mine",
    }
}

/// A request as a list row.
pub struct Row {
    pub id: i64,
    pub category: String,
    pub place: String,
    pub status: String,
    pub unit: String,
    pub due: String,
    pub dot: Option<Dot>,
    pub submitted: String,
}

pub fn row(lang: Lang, r: RequestRow, now: DateTime<Utc>, places: &PlaceLabels) -> Row {
    let place = places.of(&r.place_path, &r.address);
    Row {
        id: r.id,
        dot: dot(lang, r.light(now)),
        status: status_label(lang, &r.status),
        due: r.due_at.map(when).unwrap_or_default(),
        submitted: when(r.submitted_at),
        category: r.category_name,
        place,
        unit: r.lead_org_name.unwrap_or_default(),
    }
}

/// The list's filters as typed into the form: empty fields are "any".
#[derive(Deserialize, Default)]
pub struct ListQ {
    view: Option<String>,
    status: Option<String>,
    category_id: Option<String>,
    light: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// The list behind a dashboard figure: place, figure, months, unit.
    node_id: Option<String>,
    metric: Option<String>,
    month_from: Option<String>,
    month_to: Option<String>,
    unit_id: Option<String>,
    page: Option<u64>,
    page_size: Option<u64>,
}

fn blank(v: &Option<String>) -> String {
    v.as_deref().map(str::trim).unwrap_or("").to_owned()
}

fn date(v: &str, field: &str) -> Result<Option<NaiveDate>, AppError> {
    if v.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::bad_request("invalid_date", field, "日期格式须为 2026-03-08"))
}

/// The filters, cleaned, with the view the user gets when none is named.
struct Filters {
    view: String,
    status: String,
    category_id: String,
    light: String,
    from: String,
    to: String,
    node_id: String,
    metric: String,
    month_from: String,
    month_to: String,
    unit_id: String,
}

impl Filters {
    fn of(u: &PageUser, q: &ListQ) -> Self {
        let view = blank(&q.view);
        Filters {
            view: if view.is_empty() {
                default_view(u).to_owned()
            } else {
                view
            },
            status: blank(&q.status),
            category_id: blank(&q.category_id),
            light: blank(&q.light),
            from: blank(&q.from),
            to: blank(&q.to),
            node_id: blank(&q.node_id),
            metric: blank(&q.metric),
            month_from: blank(&q.month_from),
            month_to: blank(&q.month_to),
            unit_id: blank(&q.unit_id),
        }
    }

    /// No filter typed in (the view aside): a phone may fold the form away.
    pub fn is_plain(&self) -> bool {
        [
            &self.status,
            &self.category_id,
            &self.light,
            &self.from,
            &self.to,
        ]
        .iter()
        .all(|v| v.is_empty())
    }

    /// The dashboard figure this list stands behind, if it was opened from one.
    pub fn figure(&self, lang: Lang) -> Option<&'static str> {
        jiceng_core::requests::rates::Metric::parse(&self.metric).map(|m| label!(lang, m))
    }

    fn query(&self, q: &ListQ) -> Result<RequestQuery, AppError> {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let category_id = match self.category_id.as_str() {
            "" => None,
            c => Some(c.parse().map_err(|_| {
                AppError::bad_request("invalid_category", "category_id", "诉求分类不正确")
            })?),
        };
        let id = |v: &str, field: &'static str| match v {
            "" => Ok(None),
            v => v
                .parse()
                .map(Some)
                .map_err(|_| AppError::bad_request("invalid_id", field, "编号不正确")),
        };
        Ok(RequestQuery {
            view: some(&self.view),
            status: some(&self.status),
            open: None,
            category_id,
            light: some(&self.light),
            node_id: id(&self.node_id, "node_id")?,
            from: date(&self.from, "from")?,
            to: date(&self.to, "to")?,
            metric: some(&self.metric),
            month_from: some(&self.month_from),
            month_to: some(&self.month_to),
            unit_id: id(&self.unit_id, "unit_id")?,
            page: q.page,
            page_size: q.page_size,
        })
    }

    /// The query string of these filters (without paging), for links.
    fn qs(&self) -> String {
        let e = |s: &str| urlencoding::encode(s).into_owned();
        format!(
            "view={}&status={}&category_id={}&light={}&from={}&to={}&node_id={}&metric={}&month_from={}&month_to={}&unit_id={}",
            e(&self.view),
            e(&self.status),
            e(&self.category_id),
            e(&self.light),
            e(&self.from),
            e(&self.to),
            e(&self.node_id),
            e(&self.metric),
            e(&self.month_from),
            e(&self.month_to),
            e(&self.unit_id)
        )
    }
}

pub struct Tab {
    pub label: String,
    pub href: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "requests.html")]
struct ListPage {
    shell: Shell,
    tabs: Vec<Tab>,
    f: Filters,
    statuses: Vec<(&'static str, &'static str)>,
    lights: Vec<(&'static str, &'static str)>,
    categories: Vec<(String, String)>,
    rows: Vec<Row>,
    pager: Pager,
    export_href: String,
    can_submit: bool,
}

pub async fn list(State(s): State<AppState>, u: PageUser, Query(q): Query<ListQ>) -> Response {
    let f = Filters::of(&u, &q);
    let r = async {
        let rq = f.query(&q)?;
        let filter = filter_of(&s, &u.p, &rq).await?;
        let page = Page::new(q.page, q.page_size);
        let viewer: Viewer = u.p.request_viewer();
        let (rows, total) = list::list(&s.db, &viewer, &filter, page, u.p.at).await?;
        let cats = categories::list(&s.db, false).await?;
        let places =
            PlaceLabels::for_list(&s.db, &viewer, rows.iter().map(|r| r.place_path.as_str()))
                .await?;
        Ok::<_, AppError>((rows, total, page, cats, places))
    }
    .await;
    let (rows, total, page, cats, places) = match r {
        Ok(x) => x,
        Err(e) => return u.err(e).into_response(),
    };
    let t = u.tr();
    let qs = f.qs();
    let tabs = tabs_of(&u)
        .into_iter()
        .map(|(v, key)| Tab {
            label: t.s(key).to_owned(),
            href: format!("/requests?view={v}"),
            active: v == f.view,
        })
        .collect();
    render(&ListPage {
        shell: u.shell("requests.title", nav_href(default_view(&u))),
        tabs,
        statuses: Status::ALL
            .iter()
            .map(|s| (s.as_str(), label!(u.lang, s)))
            .collect(),
        lights: Light::ALL
            .iter()
            .map(|l| (l.as_str(), label!(u.lang, l)))
            .collect(),
        categories: cats
            .into_iter()
            .map(|c| (c.id.to_string(), format!("{} · {}", c.group, c.name)))
            .collect(),
        pager: Pager::with_total(
            &format!("/requests?{qs}&"),
            page,
            total.count,
            total.exact,
            rows.len(),
        ),
        rows: rows
            .into_iter()
            .map(|r| row(u.lang, r, u.p.at, &places))
            .collect(),
        export_href: format!("/requests/export.xlsx?{qs}"),
        can_submit: u.p.can(Permission::SubmitRequests),
        f,
    })
}

/// The list as Excel, with the list's filters: the API's file, with error pages instead of JSON.
pub async fn export(State(s): State<AppState>, u: PageUser, Query(q): Query<ListQ>) -> Response {
    let f = Filters::of(&u, &q);
    let rq = match f.query(&q) {
        Ok(rq) => rq,
        Err(e) => return u.err(e).into_response(),
    };
    match export_xlsx(State(s), u.p.clone(), Query(rq)).await {
        Ok(resp) => resp,
        Err(e) => u.err(e).into_response(),
    }
}
