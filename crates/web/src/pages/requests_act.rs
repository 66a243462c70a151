//! Taking a step on a request from its page: the step's form, checked and handed to the store,
//! then 303 back to the detail page; a refused step re-renders the page with the reason beside
//! the form and the form as it was filled.

use super::requests_detail::{Refused, page};
use super::{CsrfForm, render};
use crate::AppState;
use crate::error::AppError;
use crate::extract::PathId;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use jiceng_core::requests::{Action, Rating};
use jiceng_store::requests::transition::{self, Step};

fn one(form: &[(String, String)], k: &str) -> String {
    form.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

fn number<T: std::str::FromStr>(
    raw: &str,
    field: &str,
    message: &'static str,
) -> Result<Option<T>, AppError> {
    match raw {
        "" => Ok(None),
        r => r
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad_request("invalid_type", field, message)),
    }
}

fn step_of(form: &[(String, String)]) -> Result<Step, AppError> {
    let action = Action::parse(&one(form, "action"))
        .ok_or_else(|| AppError::bad_request("invalid_action", "action", "未知的办理操作"))?;
    let rating = match one(form, "rating").as_str() {
        "" => None,
        raw => Some(Rating::parse(raw).ok_or_else(|| {
            AppError::bad_request("invalid_rating", "rating", "评价须为满意、基本满意或不满意")
        })?),
    };
    let mut assist = Vec::new();
    for (_, v) in form.iter().filter(|(n, _)| n == "assist_org_ids") {
        if let Some(id) = number(v.trim(), "assist_org_ids", "协办单位不正确")? {
            assist.push(id);
        }
    }
    Ok(Step {
        action: Some(action),
        note: one(form, "note"),
        rating,
        lead_org_id: number(&one(form, "lead_org_id"), "lead_org_id", "承办单位不正确")?,
        assist_org_ids: assist,
        days: number(&one(form, "days"), "days", "延期天数须为1至30个工作日")?,
        merge_into: number(
            &one(form, "merge_into"),
            "merge_into",
            "请填写要合并到的诉求编号",
        )?,
    })
}

pub async fn act(
    State(s): State<AppState>,
    PathId(id): PathId,
    f: CsrfForm<Vec<(String, String)>>,
) -> Response {
    let u = &f.user;
    let r = async {
        let step = step_of(&f.form)?;
        let action = step.action.map(|a| a.as_str()).unwrap_or_default();
        let env = s.sla_env().await?;
        transition::act(&s.db, &env, &u.p.request_viewer(), &u.p.actor(), id, step).await?;
        Ok::<_, AppError>(action)
    }
    .await;
    match r {
        Ok(action) => Redirect::to(&format!("/requests/{id}?done={action}")).into_response(),
        Err(e) if matches!(e.status.as_u16(), 400 | 403 | 409) => {
            let status = e.status;
            let refused = Refused {
                action: one(&f.form, "action"),
                note: one(&f.form, "note"),
                error: e,
            };
            match page(&s, u, id, Some(refused)).await {
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
