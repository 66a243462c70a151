//! The audit page: filter by actor, object and time; export what is shown.

use super::audit_change::change_text;
use super::i18n::Tr;
use super::{PageUser, Pager, Shell, render};
use crate::AppState;
use crate::api::audit::{AuditQuery, attachment, export_table, show_time};
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiceng_core::requests::Action;
use jiceng_core::role::Permission;
use jiceng_store::Page;
use jiceng_store::audit;

pub struct Row {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub change: String,
    pub ip: String,
}

/// The filter values as typed, for re-filling the form.
#[derive(Default)]
pub struct Filled {
    pub actor: String,
    pub object_type: String,
    pub object_id: String,
    pub from: String,
    pub to: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    shell: Shell,
    q: Filled,
    query: String,
    items: Vec<Row>,
    pager: Pager,
}

fn filter_query(q: &AuditQuery) -> (Filled, String) {
    let f = Filled {
        actor: q.actor.clone().unwrap_or_default(),
        object_type: q.object_type.clone().unwrap_or_default(),
        object_id: q.object_id.clone().unwrap_or_default(),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
    };
    let pairs = [
        ("actor", &f.actor),
        ("object_type", &f.object_type),
        ("object_id", &f.object_id),
        ("from", &f.from),
        ("to", &f.to),
    ];
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    (f, query)
}

/// A request's step (`request.accept`, `request.dispatch` …) in the state machine's own words;
/// any other action from the string table.
fn action_label(t: &Tr, code: &str) -> String {
    match code.strip_prefix("request.").and_then(Action::parse) {
        Some(a) => super::requests::label!(t.lang, a).to_owned(),
        None => t.label("action", code),
    }
}

pub async fn list(State(s): State<AppState>, u: PageUser, Query(q): Query<AuditQuery>) -> Response {
    let page = Page::new(q.page, q.page_size);
    let r = async {
        let scope = u.p.scope(Permission::ViewAudit)?;
        Ok::<_, AppError>(audit::list(&s.db, &scope, &q.filter()?, page.offset(), page.size).await?)
    }
    .await;
    let (filled, query) = filter_query(&q);
    match r {
        Ok((items, total)) => {
            let base = if query.is_empty() {
                "/audit?".to_owned()
            } else {
                format!("/audit?{query}&")
            };
            let t = u.tr();
            render(&AuditPage {
                shell: u.shell("audit.title", "/audit"),
                pager: Pager::with_total(&base, page, total.count, total.exact, items.len()),
                q: filled,
                query,
                items: items
                    .into_iter()
                    .map(|e| Row {
                        at: show_time(e.at),
                        actor: e.actor_login,
                        action: action_label(&t, &e.action),
                        object: format!("{}#{}", t.label("object", &e.object_type), e.object_id),
                        change: change_text(
                            &t,
                            &e.object_type,
                            e.before_json.as_deref(),
                            e.after_json.as_deref(),
                        ),
                        ip: e.ip.unwrap_or_default(),
                    })
                    .collect(),
            })
        }
        Err(e) => u.err(e).into_response(),
    }
}

pub async fn export_xlsx(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<AuditQuery>,
) -> Response {
    let r = async {
        let t = export_table(&s, &u.p, &q).await?;
        jiceng_io::to_xlsx(&t).map_err(|e| {
            tracing::error!(error = %e, "xlsx export failed");
            AppError::internal()
        })
    }
    .await;
    match r {
        Ok(bytes) => attachment(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "审计日志.xlsx",
        ),
        Err(e) => u.err(e).into_response(),
    }
}

pub async fn export_csv(
    State(s): State<AppState>,
    u: PageUser,
    Query(q): Query<AuditQuery>,
) -> Response {
    match export_table(&s, &u.p, &q).await {
        Ok(t) => attachment(
            jiceng_io::to_csv(&t).into_bytes(),
            "text/csv; charset=utf-8",
            "审计日志.csv",
        ),
        Err(e) => u.err(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::i18n::Lang;
    use super::*;

    #[test]
    fn every_kind_of_request_write_reads_as_words_in_the_log() {
        let zh = Tr::new(Lang::Zh);
        assert_eq!(
            action_label(&zh, "request.accept"),
            Action::Accept.label_zh()
        );
        assert_eq!(action_label(&zh, "request.submit"), "提交诉求");
        assert_eq!(action_label(&zh, "whistle.check_in"), "部门报到");
        let en = Tr::new(Lang::En);
        assert_eq!(
            action_label(&en, "request.dispatch"),
            Action::Dispatch.label_en()
        );
        // A code with no label yet is shown as it is, never blank.
        assert_eq!(action_label(&zh, "something.new"), "something.new");
    }
}
