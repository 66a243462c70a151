//! `GET services` and `GET services/{code}`: the active request categories as services, their
//! questions as attributes.

use super::{Doc, Failure, Format, respond};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use jiceng_core::requests::questions::{Question, QuestionKind};
use jiceng_store::requests::categories::{self, Category};

/// The attribute datatype a question kind is asked with. Text answers are short (one line of at
/// most 500 characters), so they are `string`, not the multi-line `text`.
pub fn datatype(kind: QuestionKind) -> &'static str {
    match kind {
        QuestionKind::Text => "string",
        QuestionKind::Number => "number",
        QuestionKind::Date => "datetime",
        QuestionKind::Single => "singlevaluelist",
        QuestionKind::Multi => "multivaluelist",
    }
}

fn datatype_description(kind: QuestionKind) -> Doc {
    match kind {
        QuestionKind::Text => Doc::str("文字，不超过500字"),
        QuestionKind::Number => Doc::str("数字"),
        QuestionKind::Date => Doc::str("日期，如 2026-03-08（带时间时取北京时间的日期）"),
        QuestionKind::Single => Doc::str("从 values 中选一项，填其 key"),
        QuestionKind::Multi => Doc::str("从 values 中选一项或多项，填其 key"),
    }
}

fn service(c: &Category) -> Doc {
    Doc::Obj(vec![
        ("service_code", Doc::str(c.code.clone())),
        ("service_name", Doc::str(c.name.clone())),
        ("description", Doc::str(c.hint.clone())),
        ("metadata", Doc::Bool(!c.questions.is_empty())),
        ("type", Doc::str("realtime")),
        ("keywords", Doc::str(format!("{}, {}", c.name, c.group))),
        ("group", Doc::str(c.group.clone())),
    ])
}

fn attribute(order: usize, q: &Question) -> Doc {
    let mut fields = vec![
        ("variable", Doc::Bool(true)),
        ("code", Doc::str(q.key.clone())),
        ("datatype", Doc::str(datatype(q.kind))),
        ("required", Doc::Bool(q.required)),
        ("datatype_description", datatype_description(q.kind)),
        ("order", Doc::Int(order as i64)),
        ("description", Doc::str(q.label.clone())),
    ];
    // An option's text is its key: stable while options are reordered or added, and what the
    // form and the stored answer use.
    if matches!(q.kind, QuestionKind::Single | QuestionKind::Multi) {
        let values = q
            .options
            .iter()
            .map(|o| {
                Doc::Obj(vec![
                    ("key", Doc::str(o.clone())),
                    ("name", Doc::str(o.clone())),
                ])
            })
            .collect();
        fields.push(("values", Doc::list("value", values)));
    }
    Doc::Obj(fields)
}

/// The active category with `code`.
pub async fn by_code(s: &AppState, code: &str) -> Result<Option<Category>, Failure> {
    Ok(categories::list(&s.db, true)
        .await?
        .into_iter()
        .find(|c| c.code == code))
}

async fn list(s: &AppState) -> Result<Doc, Failure> {
    let cats = categories::list(&s.db, true).await?;
    Ok(Doc::list("service", cats.iter().map(service).collect()))
}

pub async fn list_json(State(s): State<AppState>) -> Response {
    respond(Format::Json, "services", list(&s).await)
}

pub async fn list_xml(State(s): State<AppState>) -> Response {
    respond(Format::Xml, "services", list(&s).await)
}

pub async fn definition(State(s): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((code, fmt)) = Format::split(&file) else {
        return respond(
            Format::Json,
            "errors",
            Err(Failure::not_found("该服务定义")),
        );
    };
    let r = async {
        let c = by_code(&s, code)
            .await?
            .ok_or_else(|| Failure::not_found(&format!("服务「{code}」")))?;
        let attributes = c
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| attribute(i + 1, q))
            .collect();
        Ok(Doc::Obj(vec![
            ("service_code", Doc::str(c.code.clone())),
            ("attributes", Doc::list("attribute", attributes)),
        ]))
    }
    .await;
    respond(fmt, "service_definition", r)
}
