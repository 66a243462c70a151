//! The time limits (办理时限) for district administrators (`ManageRequestSetup`): the hour
//! limits of accepting, dispatching and claiming, the "2310" working days to resolve by
//! severity, and how often a 不满意 reopens a request. One form; the store checks every figure
//! and a refused form comes back as typed, with the message beside the field.

use super::i18n::Lang;
use super::{CsrfForm, PageUser, Shell, render};
use crate::AppState;
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_core::calendar::Sla;
use jiceng_core::requests::sla::SlaPolicy;
use jiceng_core::role::Permission;
use jiceng_store::settings;
use serde::Deserialize;

/// The form as typed. Field names are the API's (`resolve_days.general`), so an error from the
/// store lands beside its field.
#[derive(Deserialize, Default)]
pub struct PolicyForm {
    #[serde(default)]
    pub accept_hours: String,
    #[serde(default)]
    pub dispatch_hours: String,
    #[serde(default)]
    pub claim_hours: String,
    #[serde(default, rename = "resolve_days.general")]
    pub general: String,
    #[serde(default, rename = "resolve_days.important")]
    pub important: String,
    #[serde(default, rename = "resolve_days.major")]
    pub major: String,
    #[serde(default)]
    pub reopen_limit: String,
}

impl From<SlaPolicy> for PolicyForm {
    fn from(p: SlaPolicy) -> Self {
        Self {
            accept_hours: p.accept_hours.to_string(),
            dispatch_hours: p.dispatch_hours.to_string(),
            claim_hours: p.claim_hours.to_string(),
            general: p.resolve_days.general.to_string(),
            important: p.resolve_days.important.to_string(),
            major: p.resolve_days.major.to_string(),
            reopen_limit: p.reopen_limit.to_string(),
        }
    }
}

impl PolicyForm {
    fn policy(&self) -> Result<SlaPolicy, AppError> {
        fn n(raw: &str, field: &'static str) -> Result<u32, AppError> {
            raw.trim()
                .parse()
                .map_err(|_| AppError::bad_request("invalid_type", field, "请填写整数"))
        }
        Ok(SlaPolicy {
            accept_hours: n(&self.accept_hours, "accept_hours")?,
            dispatch_hours: n(&self.dispatch_hours, "dispatch_hours")?,
            claim_hours: n(&self.claim_hours, "claim_hours")?,
            resolve_days: Sla {
                general: n(&self.general, "resolve_days.general")?,
                important: n(&self.important, "resolve_days.important")?,
                major: n(&self.major, "resolve_days.major")?,
            },
            reopen_limit: n(&self.reopen_limit, "reopen_limit")?,
        })
    }
}

/// One input of the form: its name (the API's field), caption with its unit, value as typed.
pub struct Field {
    pub name: &'static str,
    pub caption: String,
    pub value: String,
    pub min: u32,
    pub max: u32,
}

#[derive(Template)]
#[template(path = "settings_sla.html")]
struct SlaPage {
    shell: Shell,
    stages: Vec<Field>,
    days: Vec<Field>,
    reopen: Field,
    error_field: String,
    error: String,
}

fn page(u: &PageUser, f: PolicyForm, error: Option<AppError>, flash: Option<String>) -> Response {
    use jiceng_core::requests::sla::policy::{DAYS, HOURS, REOPENS};
    let t = u.tr();
    let field = |name, label: &str, value, unit: &str, (min, max): (u32, u32)| Field {
        name,
        caption: match u.lang {
            Lang::Zh => format!("{}（{}）", t.s(label), t.s(unit)),
            Lang::En => format!("{} ({})", t.s(label), t.s(unit)),
        },
        value,
        min,
        max,
    };
    let h = "setup.sla.hours";
    let d = "setup.sla.days";
    let stages = vec![
        field("accept_hours", "setup.sla.accept", f.accept_hours, h, HOURS),
        field(
            "dispatch_hours",
            "setup.sla.dispatch",
            f.dispatch_hours,
            h,
            HOURS,
        ),
        field("claim_hours", "setup.sla.claim", f.claim_hours, h, HOURS),
    ];
    let days = vec![
        field(
            "resolve_days.general",
            "setup.sla.general",
            f.general,
            d,
            DAYS,
        ),
        field(
            "resolve_days.important",
            "setup.sla.important",
            f.important,
            d,
            DAYS,
        ),
        field("resolve_days.major", "setup.sla.major", f.major, d, DAYS),
    ];
    let reopen = field(
        "reopen_limit",
        "setup.sla.reopen_limit",
        f.reopen_limit,
        "setup.sla.times",
        REOPENS,
    );
    let mut shell = u.shell("setup.sla.title", "/settings/sla");
    shell.flash = flash;
    let (mut error_field, mut message, mut status) = (String::new(), String::new(), StatusCode::OK);
    if let Some(e) = error {
        status = e.status;
        let known = |f: &&str| {
            stages
                .iter()
                .chain(&days)
                .chain([&reopen])
                .any(|x| x.name == *f)
        };
        match e.details["field"].as_str().filter(known) {
            Some(field) => (error_field, message) = (field.to_owned(), e.message),
            None => shell.error = Some(e.message),
        }
    }
    let mut resp = render(&SlaPage {
        shell,
        stages,
        days,
        reopen,
        error_field,
        error: message,
    });
    if resp.status() == StatusCode::OK {
        *resp.status_mut() = status;
    }
    resp
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn show(State(s): State<AppState>, u: PageUser, Query(q): Query<Saved>) -> Response {
    let r = async {
        u.p.scope(Permission::ManageRequestSetup)?;
        Ok::<_, AppError>(settings::sla_policy(&s.db).await?)
    }
    .await;
    match r {
        Ok(policy) => {
            let flash = q.saved.map(|_| u.tr().s("setup.sla.saved").to_owned());
            page(&u, policy.into(), None, flash)
        }
        Err(e) => u.err(e).into_response(),
    }
}

pub async fn save(State(s): State<AppState>, f: CsrfForm<PolicyForm>) -> Response {
    let u = &f.user;
    let r = async {
        u.p.scope(Permission::ManageRequestSetup)?;
        let policy = f.form.policy()?;
        settings::set_sla_policy(&s.db, &u.p.actor(), &policy).await?;
        Ok::<_, AppError>(())
    }
    .await;
    match r {
        Ok(()) => Redirect::to("/settings/sla?saved=1").into_response(),
        Err(e) if e.status == StatusCode::BAD_REQUEST => page(u, f.form, Some(e), None),
        Err(e) => u.err(e).into_response(),
    }
}
