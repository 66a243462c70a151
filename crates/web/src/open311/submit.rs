//! `POST requests`: a request from another system, through the same intake as every other
//! (category answers checked, routing, deadlines, the desk notified, audited), recorded as the
//! key's service account on behalf of the person the system names.

use super::{Doc, Failure, Format, reads, respond, services};
use crate::AppState;
use crate::auth::principal::ClientIp;
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, FixedOffset};
use jiceng_core::people::Phone;
use jiceng_core::requests::Channel;
use jiceng_core::requests::questions::{Answer, Answers, Question, QuestionKind};
use jiceng_store::requests::Viewer;
use jiceng_store::requests::intake::{self, NewRequest};
use jiceng_store::{Actor, StoreError};
use std::collections::BTreeMap;

/// The form as sent (body, then query string: some clients put `api_key` in the URL).
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(uri: &Uri, body: &[u8]) -> Self {
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
        if let Some(q) = uri.query() {
            pairs.extend(form_urlencoded::parse(q.as_bytes()).into_owned());
        }
        Form(pairs)
    }

    /// The first non-empty value of `name`, trimmed. An empty parameter counts as absent, as
    /// the spec asks of optional arguments.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .find(|v| !v.is_empty())
    }

    /// `attribute[code]=v` and `attribute[code][]=v1&attribute[code][]=v2`, by code.
    fn attributes(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in &self.0 {
            let Some((code, tail)) = k.strip_prefix("attribute[").and_then(|r| r.split_once(']'))
            else {
                continue;
            };
            // An empty value is an absent one, as for every optional argument.
            if (tail.is_empty() || tail == "[]") && !v.trim().is_empty() {
                out.entry(code.to_owned()).or_default().push(v.clone());
            }
        }
        out
    }
}

/// The answer a question gets from the attribute values sent for it; the store checks it.
fn answer(q: Option<&Question>, mut values: Vec<String>) -> Answer {
    let kind = q.map(|q| q.kind);
    if kind == Some(QuestionKind::Multi) || values.len() > 1 {
        return Answer::Many(values);
    }
    let v = values.pop().unwrap_or_default();
    match kind {
        Some(QuestionKind::Date) => Answer::Text(date_of(&v)),
        _ => Answer::Text(v),
    }
}

/// A `datetime` attribute may be a full W3C date-time; the question wants the date, in Beijing.
fn date_of(v: &str) -> String {
    match DateTime::parse_from_rfc3339(v.trim()) {
        Ok(t) => {
            let beijing = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
            t.with_timezone(&beijing).date_naive().to_string()
        }
        Err(_) => v.to_owned(),
    }
}

fn coordinate(raw: Option<&str>, name: &str) -> Result<Option<f64>, Failure> {
    raw.map(|r| {
        r.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| {
                Failure::bad_request("invalid_coordinates", format!("{name}：「{r}」不是数字"))
            })
    })
    .transpose()
}

/// The person's name as the desk will address them: Chinese order unless both parts are
/// Latin letters.
fn person_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    match (first, last) {
        (Some(f), Some(l)) if f.is_ascii() && l.is_ascii() => Some(format!("{f} {l}")),
        (Some(f), Some(l)) => Some(format!("{l}{f}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

async fn submit(s: &AppState, ip: String, uri: &Uri, body: &[u8]) -> Result<Doc, Failure> {
    let form = Form::parse(uri, body);
    let key = match form.get("api_key") {
        Some(k) => super::keys::authenticate(&s.db, k).await?,
        None => None,
    }
    .ok_or_else(|| {
        Failure::new(
            StatusCode::FORBIDDEN,
            "invalid_api_key",
            "api_key 缺失、无效或已吊销，不能提交诉求；请向平台管理员申请密钥",
        )
    })?;
    let code = form.get("service_code").ok_or_else(|| {
        Failure::bad_request("missing_service_code", "service_code：请提供服务代码")
    })?;
    let category = services::by_code(s, code).await?.ok_or_else(|| {
        Failure::bad_request(
            "unknown_service_code",
            format!("service_code：「{code}」不是本平台的服务代码，可用代码见 services.json"),
        )
    })?;
    let scope = key.scope().ok_or_else(AppError::internal)?;
    let lat = coordinate(form.get("lat"), "lat")?;
    let long = coordinate(form.get("long"), "long")?;
    let address = form.get("address_string").unwrap_or("").to_owned();
    let place = match form.get("address_id") {
        Some(id) => match jiceng_store::open311::place_by_code(&s.db, &scope, id).await {
            Ok(node) => node.id,
            Err(StoreError::NotFound) => {
                return Err(Failure::bad_request(
                    "unknown_address_id",
                    format!("address_id：「{id}」不是本密钥接入范围内的区划或网格编码"),
                ));
            }
            Err(e) => return Err(e.into()),
        },
        None if lat.is_none() && long.is_none() && address.is_empty() => {
            return Err(Failure::bad_request(
                "missing_location",
                "请提供位置：lat 和 long、address_string 或 address_id 之一",
            ));
        }
        None => key.node_id,
    };
    let mut answers = Answers::new();
    for (code, values) in form.attributes() {
        let q = category.questions.iter().find(|q| q.key == code);
        answers.insert(code, answer(q, values));
    }
    let phone = form
        .get("phone")
        .map(Phone::parse)
        .transpose()
        .map_err(AppError::from)?;
    let name = person_name(form.get("first_name"), form.get("last_name"))
        .unwrap_or_else(|| format!("{}用户", key.name));
    let mut description = match form.get("description") {
        Some(d) => d.to_owned(),
        None => format!("{}（经{}提交，未附说明）", category.name, key.name),
    };
    // Media stays where the client put it; the desk follows the link. Only web links, so a
    // `javascript:` URL never reaches a page.
    if let Some(url) = form
        .get("media_url")
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    {
        description.push_str(&format!("\n附件：{url}"));
    }
    let now = s.clock.now();
    let actor = Actor {
        user_id: Some(key.user_id),
        login: key.login(),
        ip: Some(ip),
        at: now,
    };
    let viewer = Viewer {
        user_id: key.user_id,
        name: key.name.clone(),
        unit: key.name.clone(),
        places: Some(scope.clone()),
        desks: None,
        unit_id: None,
        supervises: None,
    };
    let new = NewRequest {
        category_id: category.id,
        channel: Channel::Open311,
        description,
        answers,
        place_node_id: Some(place),
        home_node_id: None,
        address,
        longitude: long,
        latitude: lat,
        requester_name: name,
        requester_phone: phone,
    };
    let env = s.sla_env().await?;
    let id = intake::submit(&s.db, &env, &s.vault, &scope, &viewer, &actor, new)
        .await?
        .id;
    let account_id = form.get("account_id");
    // The request is in; failing the call now would make the client submit it again.
    if let Err(e) = jiceng_store::open311::record_submission(&s.db, &key, id, account_id, now).await
    {
        tracing::error!(error = %e, request = id, "open311: recording the submitting key failed");
    }
    let notice = jiceng_store::open311::request(&s.db, id)
        .await
        .map(|r| reads::notice(&r.row))
        .unwrap_or_default();
    Ok(Doc::list(
        "request",
        vec![Doc::Obj(vec![
            ("service_request_id", Doc::str(id.to_string())),
            ("service_notice", Doc::opt(Some(notice))),
            ("account_id", Doc::opt(account_id)),
        ])],
    ))
}

pub async fn submit_json(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    uri: Uri,
    body: Bytes,
) -> Response {
    respond(
        Format::Json,
        "service_requests",
        submit(&s, ip, &uri, &body).await,
    )
}

pub async fn submit_xml(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    uri: Uri,
    body: Bytes,
) -> Response {
    respond(
        Format::Xml,
        "service_requests",
        submit(&s, ip, &uri, &body).await,
    )
}
