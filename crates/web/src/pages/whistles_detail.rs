//! One whistle: what it is about, where, who blew it, the deadline with its countdown, each
//! summoned unit with its check-in and rating, and the forms the user may use now — check in
//! (staff of a summoned unit), rate a unit's response and close (the whistler's side). A step
//! posts to `/whistles/{id}/act` and comes back here; a refused step comes back with the reason.

use super::place_labels::PlaceLabels;
use super::requests::{label, when};
use super::whistles::{Chip, chip, countdown};
use super::{CsrfForm, PageUser, Shell, Tr, render};
use crate::AppState;
use crate::api::whistles::{UnitView, WhistleDetail, load, viewer};
use crate::error::AppError;
use crate::extract::{PathId, Query};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_core::requests::Rating;
use jiceng_store::whistles::steps;
use serde::Deserialize;

pub struct UnitLine {
    pub org_id: i64,
    pub chip: Chip,
    pub at: String,
    pub by: String,
    pub note: String,
    pub rating: String,
    pub rating_note: String,
    /// The whistler's side may rate this unit now.
    pub rateable: bool,
}

fn line(t: Tr, u: UnitView, rateable: &[i64]) -> UnitLine {
    UnitLine {
        org_id: u.org_id,
        chip: chip(t, &u),
        at: u.checked_in_at.map(when).unwrap_or_default(),
        rating: u
            .rating
            .as_deref()
            .and_then(Rating::parse)
            .map(|r| label!(t.lang, r).to_owned())
            .unwrap_or_default(),
        rateable: rateable.contains(&u.org_id),
        by: u.checked_in_by,
        note: u.check_in_note,
        rating_note: u.rating_note,
    }
}

#[derive(Template)]
#[template(path = "whistle.html")]
struct DetailPage {
    shell: Shell,
    id: i64,
    title: String,
    status: String,
    open: bool,
    description: String,
    place: String,
    whistler: String,
    created: String,
    deadline: String,
    remaining: i64,
    countdown: String,
    request_id: Option<i64>,
    closed: String,
    close_note: String,
    units: Vec<UnitLine>,
    can_check_in: bool,
    can_rate: bool,
    can_close: bool,
    ratings: Vec<(&'static str, &'static str)>,
    /// The step that was refused, the note typed and why.
    refused: String,
    refused_org: i64,
    note: String,
}

/// A refused step: shown beside its form with what was typed.
pub struct Refused {
    pub action: String,
    pub org: i64,
    pub note: String,
    pub error: AppError,
}

async fn page(
    s: &AppState,
    u: &PageUser,
    id: i64,
    done: Option<&str>,
    refused: Option<Refused>,
) -> Result<DetailPage, AppError> {
    let v = viewer(&u.p)?;
    let WhistleDetail {
        whistle: w,
        actions,
        rateable,
        ..
    } = load(s, &v, id, u.p.at).await?;
    let t = u.tr();
    let mut shell = u.shell("whistles.detail.title", "/whistles");
    shell.title = format!("{} #{id}", t.s("whistles.detail.title"));
    if let Some(d) = done {
        shell.flash = Some(t.label("whistles.done", d));
    }
    let open = w.status == "open";
    let place = PlaceLabels::whole(&s.db, [w.place_path.as_str()])
        .await?
        .of(&w.place_path, "");
    // The reason goes to the top of the page: the refused step's form may be gone by now (a
    // unit that checked in from another tab has no check-in form any more).
    let (refused, refused_org, note) = match refused {
        Some(r) => {
            shell.error = Some(r.error.message);
            (r.action, r.org, r.note)
        }
        None => Default::default(),
    };
    Ok(DetailPage {
        shell,
        id,
        status: t.s(&format!("whistles.status.{}", w.status)).to_owned(),
        open,
        countdown: countdown(t, w.remaining_seconds),
        remaining: w.remaining_seconds,
        deadline: when(w.deadline_at),
        created: when(w.created_at),
        closed: w.closed_at.map(when).unwrap_or_default(),
        whistler: format!("{}（{}）", w.whistler_name, w.whistler_unit),
        units: w.units.into_iter().map(|x| line(t, x, &rateable)).collect(),
        can_check_in: actions.iter().any(|a| a == "check_in"),
        can_rate: !rateable.is_empty(),
        can_close: actions.iter().any(|a| a == "close"),
        ratings: Rating::ALL
            .iter()
            .map(|r| (r.as_str(), label!(t.lang, r)))
            .collect(),
        title: w.title,
        description: w.description,
        place,
        request_id: w.request_id,
        close_note: w.close_note,
        refused,
        refused_org,
        note,
    })
}

#[derive(Deserialize)]
pub struct ShowQ {
    done: Option<String>,
}

pub async fn show(
    State(s): State<AppState>,
    u: PageUser,
    PathId(id): PathId,
    Query(q): Query<ShowQ>,
) -> Response {
    match page(&s, &u, id, q.done.as_deref(), None).await {
        Ok(p) => render(&p),
        Err(e) => u.err(e).into_response(),
    }
}

fn one(form: &[(String, String)], k: &str) -> String {
    form.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

async fn step(
    s: &AppState,
    u: &PageUser,
    id: i64,
    form: &[(String, String)],
) -> Result<String, AppError> {
    let v = viewer(&u.p)?;
    let actor = u.p.actor();
    let note = one(form, "note");
    let action = one(form, "action");
    match action.as_str() {
        "check_in" => {
            steps::check_in(&s.db, &v, &actor, id, &note).await?;
        }
        "rate" => {
            let org = one(form, "org_id").parse().map_err(|_| {
                AppError::bad_request("invalid_type", "org_id", "请选择要评价的部门")
            })?;
            let rating = Rating::parse(&one(form, "rating")).ok_or_else(|| {
                AppError::bad_request("invalid_rating", "rating", "评价须为满意、基本满意或不满意")
            })?;
            steps::rate(&s.db, &v, &actor, id, org, rating, &note).await?;
        }
        "close" => steps::close(&s.db, &v, &actor, id, &note).await?,
        _ => {
            return Err(AppError::bad_request(
                "invalid_action",
                "action",
                "未知的操作",
            ));
        }
    }
    Ok(action)
}

pub async fn act(
    State(s): State<AppState>,
    PathId(id): PathId,
    f: CsrfForm<Vec<(String, String)>>,
) -> Response {
    let u = &f.user;
    match step(&s, u, id, &f.form).await {
        Ok(action) => Redirect::to(&format!("/whistles/{id}?done={action}")).into_response(),
        Err(e) if matches!(e.status.as_u16(), 400 | 403 | 409) => {
            let status = e.status;
            let refused = Refused {
                action: one(&f.form, "action"),
                org: one(&f.form, "org_id").parse().unwrap_or(0),
                note: one(&f.form, "note"),
                error: e,
            };
            match page(&s, u, id, None, Some(refused)).await {
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
