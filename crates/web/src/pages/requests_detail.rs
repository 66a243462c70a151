//! One request: what was asked, where, by whom, who handles it, its clock, its whole timeline,
//! and one small form for each step the user may take now. A step posts to `/requests/{id}/act`
//! (`requests_act`) and comes back here; a refused step comes back with the reason in Chinese.

use super::place_labels::PlaceLabels;
use super::requests::{Dot, Row, dot, label, row, status_label, when};
use super::{PageUser, Shell, Tr, render};
use crate::AppState;
use crate::api::requests::act::{RequestDetail, load};
use crate::error::AppError;
use crate::extract::{PathId, Query};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiceng_core::requests::sla::Light;
use jiceng_core::requests::{Action, Channel, Rating, Severity, Status};
use jiceng_store::requests::categories;
use jiceng_store::requests::intake;
use jiceng_store::requests::timeline::TimelineEntry;
use serde::Deserialize;

/// Steps whose form asks for a reason or result, and steps where a remark is optional.
const NOTE_REQUIRED: &[Action] = &[
    Action::Decline,
    Action::Return,
    Action::Resolve,
    Action::SendBack,
    Action::Suspend,
    Action::RequestExtension,
    Action::RejectExtension,
    Action::Note,
    Action::Supervise,
    Action::Escalate,
];
const NOTE_OPTIONAL: &[Action] = &[
    Action::Dispatch,
    Action::Verify,
    Action::Rate,
    Action::Close,
];

/// One step's form.
pub struct ActForm {
    pub action: &'static str,
    pub label: String,
    /// `required`, `optional` or empty (a bare button).
    pub note: &'static str,
    pub note_label: String,
    pub note_value: String,
    pub error: String,
}

/// One line of the timeline.
pub struct Entry {
    pub at: String,
    pub actor: String,
    pub unit: String,
    pub action: String,
    pub code: String,
    pub from: String,
    pub to: String,
    pub note: String,
    pub extra: String,
}

#[derive(Template)]
#[template(path = "request.html")]
pub(super) struct DetailPage {
    shell: Shell,
    id: i64,
    category: String,
    severity: String,
    status: String,
    dot: Option<Dot>,
    due: String,
    description: String,
    answers: Vec<(String, String)>,
    place: String,
    address: String,
    channel: String,
    requester: String,
    phone: String,
    submitted: String,
    units: Vec<(String, String)>,
    result: String,
    rating: String,
    /// "评价", or "上次评价" while the request is open again: the stored rating is then the one
    /// that reopened it, and a new one is still to come.
    rating_caption: &'static str,
    extension_pending: String,
    merged_into: Option<i64>,
    timeline: Vec<Entry>,
    forms: Vec<ActForm>,
    ratings: Vec<(&'static str, &'static str)>,
    /// Under the rating choices: what 不满意 will do, reopen or close (`SlaPolicy::reopen_limit`).
    rating_hint: &'static str,
    dispatch_units: Vec<(String, String)>,
    suggested: String,
    duplicates: Vec<Row>,
    whistles: super::whistles::RequestWhistles,
    /// Ids of the request's photos, and whether the viewer may add one now.
    photos: Vec<i64>,
    can_add_photo: bool,
}

fn action_label(t: Tr, code: &str) -> String {
    match code {
        "submit" => t.s("requests.event.submit").to_owned(),
        "overdue" => t.s("requests.event.overdue").to_owned(),
        "merged_in" => t.s("requests.event.merged_in").to_owned(),
        _ => Action::parse(code).map_or_else(|| code.to_owned(), |a| label!(t.lang, a).to_owned()),
    }
}

/// What the step's data adds: the rating, the units dispatched to, the days asked, the target.
fn extra(t: Tr, data: Option<&str>) -> String {
    let Some(v) = data.and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok()) else {
        return String::new();
    };
    let mut parts = Vec::new();
    if let Some(r) = v["rating"].as_str().and_then(Rating::parse) {
        parts.push(format!("{}：{}", t.s("requests.rating"), label!(t.lang, r)));
    }
    if let Some(lead) = v["lead"].as_str() {
        parts.push(format!("{}：{lead}", t.s("requests.unit.lead")));
    }
    if let Some(a) = v["assist"].as_array().filter(|a| !a.is_empty()) {
        let names: Vec<&str> = a.iter().filter_map(|x| x.as_str()).collect();
        parts.push(format!(
            "{}：{}",
            t.s("requests.unit.assist"),
            names.join("、")
        ));
    }
    if let Some(n) = v["reopens_spent"].as_i64() {
        parts.push(format!("{}：{n}", t.s("requests.rating.closed_after")));
    }
    if let Some(d) = v["days"].as_i64() {
        parts.push(format!("{d} {}", t.s("requests.working_days")));
    }
    if let Some(into) = v["into"].as_i64() {
        parts.push(format!("{} #{into}", t.s("requests.merged_into")));
    }
    parts.join("；")
}

fn entry(t: Tr, e: TimelineEntry) -> Entry {
    let status = |s: Option<String>| s.map(|s| status_label(t.lang, &s)).unwrap_or_default();
    Entry {
        at: when(e.at),
        action: action_label(t, &e.action),
        extra: extra(t, e.data_json.as_deref()),
        code: e.action,
        actor: e.actor_name,
        unit: e.actor_unit,
        from: status(e.from_status),
        to: status(e.to_status),
        note: e.note,
    }
}

fn answer_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// What the form of a refused step still held.
pub struct Refused {
    pub action: String,
    pub note: String,
    pub error: AppError,
}

pub(super) async fn page(
    s: &AppState,
    u: &PageUser,
    id: i64,
    refused: Option<Refused>,
) -> Result<DetailPage, AppError> {
    let t = u.tr();
    let RequestDetail {
        request: r,
        units,
        timeline,
        actions,
        dispatch_units,
        parties,
        ..
    } = load(s, &u.p, id).await?;
    let photos = jiceng_store::requests::photos::list(&s.db, &u.p.request_viewer(), id)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let parties: Vec<jiceng_core::requests::Party> = parties
        .iter()
        .filter_map(|p| jiceng_core::requests::Party::parse(p))
        .collect();
    let can_add_photo = jiceng_store::requests::photos::may_add(
        &parties,
        jiceng_core::requests::Status::parse(&r.status)
            .unwrap_or(jiceng_core::requests::Status::Closed),
    );
    let questions = categories::get(&s.db, r.category_id)
        .await
        .map(|c| c.questions)
        .unwrap_or_default();
    let answers = match &r.answers {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                let q = questions.iter().find(|q| &q.key == k);
                (
                    q.map_or_else(|| k.clone(), |q| q.label.clone()),
                    answer_text(v),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut forms = Vec::new();
    for a in actions.iter().filter_map(|a| Action::parse(&a.action)) {
        let note = if NOTE_REQUIRED.contains(&a) {
            "required"
        } else if NOTE_OPTIONAL.contains(&a) {
            "optional"
        } else {
            ""
        };
        let mine = refused.as_ref().filter(|f| f.action == a.as_str());
        forms.push(ActForm {
            action: a.as_str(),
            label: label!(u.lang, a).to_owned(),
            note,
            note_label: t.s(&format!("requests.note.{}", a.as_str())).to_owned(),
            note_value: mine.map(|f| f.note.clone()).unwrap_or_default(),
            error: mine.map(|f| f.error.message.clone()).unwrap_or_default(),
        });
    }
    let duplicates = if forms.iter().any(|f| f.action == Action::Merge.as_str()) {
        let viewer = u.p.request_viewer();
        let rows =
            intake::duplicates(&s.db, &viewer, r.category_id, r.place_node_id, Some(id)).await?;
        let places =
            PlaceLabels::for_list(&s.db, &viewer, rows.iter().map(|d| d.place_path.as_str()))
                .await?;
        rows.into_iter()
            .map(|d| row(u.lang, d, u.p.at, &places))
            .collect()
    } else {
        Vec::new()
    };
    // The request's own page names its place from the street down, whoever reads it.
    let place = PlaceLabels::whole(&s.db, [r.place_path.as_str()])
        .await?
        .of(&r.place_path, "");
    let rating_hint = match s.sla_env().await?.policy.reopens_spent(r.reopen_count) {
        true => t.s("requests.rating.hint_final"),
        false => t.s("requests.rating.hint_reopens"),
    };
    let active = super::requests::nav_href(super::requests::default_view(u));
    let mut shell = u.shell("requests.detail.title", active);
    shell.title = format!("{} #{}", shell.title, r.id);
    if let Some(f) = refused {
        shell.error = Some(f.error.message);
    }
    let lang = u.lang;
    let title = format!("{}（{place}）", r.category_name);
    let whistles = super::whistles::of_request(s, u, r.id, r.place_node_id, &title).await?;
    Ok(DetailPage {
        shell,
        whistles,
        photos,
        can_add_photo,
        id: r.id,
        severity: Severity::parse(&r.severity)
            .map_or("", |s| label!(lang, s))
            .to_owned(),
        status: status_label(lang, &r.status),
        dot: dot(lang, r.light.as_deref().and_then(Light::parse)),
        due: r.due_at.map(when).unwrap_or_default(),
        answers,
        channel: Channel::parse(&r.channel)
            .map_or("", |c| label!(lang, c))
            .to_owned(),
        phone: r.requester_phone.unwrap_or_default(),
        submitted: when(r.submitted_at),
        units: units
            .into_iter()
            .map(|un| {
                let role = match un.role.as_str() {
                    "lead" => t.s("requests.unit.lead"),
                    _ => t.s("requests.unit.assist"),
                };
                (un.name, role.to_owned())
            })
            .collect(),
        rating: r
            .rating
            .as_deref()
            .and_then(Rating::parse)
            .map_or("", |x| label!(lang, x))
            .to_owned(),
        rating_caption: match Status::parse(&r.status).is_some_and(Status::is_open) {
            true => t.s("requests.rating.earlier"),
            false => t.s("requests.rating"),
        },
        extension_pending: r
            .extension_pending_days
            .map(|d| format!("{d} {}", t.s("requests.working_days")))
            .unwrap_or_default(),
        merged_into: r.merged_into_id,
        timeline: timeline.into_iter().map(|e| entry(t, e)).collect(),
        ratings: Rating::ALL
            .iter()
            .map(|x| (x.as_str(), label!(lang, x)))
            .collect(),
        rating_hint,
        suggested: r
            .suggested_org_id
            .map(|o| o.to_string())
            .unwrap_or_default(),
        dispatch_units: dispatch_units
            .into_iter()
            .map(|d| (d.id.to_string(), d.name))
            .collect(),
        duplicates,
        category: r.category_name,
        description: r.description,
        place,
        address: r.address,
        requester: r.requester_name,
        result: r.result,
        forms,
    })
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn show(
    State(s): State<AppState>,
    u: PageUser,
    PathId(id): PathId,
    Query(q): Query<Done>,
) -> Response {
    match page(&s, &u, id, None).await {
        Ok(mut p) => {
            let t = u.tr();
            p.shell.flash = match q.done.as_deref() {
                Some("submit") => Some(t.s("requests.submitted").to_owned()),
                Some("photo") => Some(t.s("requests.photo_added").to_owned()),
                Some(code) => Action::parse(code)
                    .map(|a| format!("{}「{}」", t.s("requests.done"), label!(u.lang, a))),
                None => None,
            };
            render(&p)
        }
        Err(e) => u.err(e).into_response(),
    }
}
