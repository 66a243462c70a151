//! The message inbox (消息): what was sent to the user, their unit or their desk, newest first,
//! each linking to its request or whistle. A busy unit gets thousands a month, so the page is
//! read a page at a time, can be narrowed to one kind, and says how many of each kind are
//! unread. Opening the unfiltered newest page marks everything up to it as read; a filtered or
//! older page leaves the mark alone, so what was not shown is not silently read.

use super::requests::when;
use super::{PageUser, Shell, render};
use crate::AppState;
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiceng_store::requests::inbox::{self, InboxQuery, KINDS};
use serde::Deserialize;

/// How many messages a page shows.
const SHOWN: u64 = 50;

#[derive(Deserialize, Default)]
pub struct InboxQ {
    #[serde(default)]
    pub kind: String,
    pub before: Option<i64>,
}

pub struct Message {
    pub at: String,
    pub kind: String,
    pub message: String,
    pub href: Option<String>,
    pub unread: bool,
}

/// A kind in the filter: its code, label and how many of it are unread.
pub struct KindOption {
    pub code: &'static str,
    pub label: String,
    pub unread: i64,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "request_inbox.html")]
struct InboxPage {
    shell: Shell,
    unread: i64,
    kinds: Vec<KindOption>,
    /// The unread kinds as links: `(label, count, href)`.
    unread_kinds: Vec<(String, i64, String)>,
    items: Vec<Message>,
    newer_href: Option<String>,
    older_href: Option<String>,
}

fn href(kind: &str, before: Option<i64>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if !kind.is_empty() {
        q.append_pair("kind", kind);
    }
    if let Some(b) = before {
        q.append_pair("before", &b.to_string());
    }
    match q.finish() {
        s if s.is_empty() => "/notifications".to_owned(),
        s => format!("/notifications?{s}"),
    }
}

pub async fn show(State(s): State<AppState>, mut u: PageUser, Query(q): Query<InboxQ>) -> Response {
    let viewer = u.p.request_viewer();
    let kind = (!q.kind.is_empty()).then(|| q.kind.clone());
    let r = async {
        let iq = InboxQuery::new(kind, q.before, SHOWN)?;
        let seen = inbox::seen(&s.db, viewer.user_id).await?;
        let by_kind = inbox::unread_by_kind(&s.db, &viewer, seen).await?;
        let items = inbox::list(&s.db, &viewer, &iq).await?;
        if iq.is_newest()
            && let Some(newest) = items.first()
        {
            inbox::mark_seen(&s.db, &viewer, newest.id).await?;
        }
        Ok::<_, AppError>((iq, seen, by_kind, items))
    }
    .await;
    let (iq, seen, by_kind, items) = match r {
        Ok(x) => x,
        Err(e) => return u.err(e).into_response(),
    };
    let unread = by_kind.iter().map(|(_, n)| n).sum();
    if iq.is_newest() {
        // Read now: the badge beside 消息 goes away on this very page.
        u.unread = 0;
    }
    let t = u.tr();
    let count_of = |k: &str| by_kind.iter().find(|(c, _)| c == k).map_or(0, |(_, n)| *n);
    let older_href = iq.next_before(&items).map(|b| href(&q.kind, Some(b)));
    let newer_href = q.before.map(|_| href(&q.kind, None));
    render(&InboxPage {
        shell: u.shell("nav.notifications", "/notifications"),
        unread,
        kinds: KINDS
            .iter()
            .map(|k| KindOption {
                code: k,
                label: t.label("requests.notice", k),
                unread: count_of(k),
                selected: q.kind == *k,
            })
            .collect(),
        unread_kinds: by_kind
            .iter()
            .map(|(k, n)| (t.label("requests.notice", k), *n, href(k, None)))
            .collect(),
        items: items
            .into_iter()
            .map(|n| Message {
                at: when(n.created_at),
                kind: t.label("requests.notice", &n.kind),
                message: n.message,
                href: n
                    .request_id
                    .map(|id| format!("/requests/{id}"))
                    .or_else(|| n.whistle_id.map(|id| format!("/whistles/{id}"))),
                unread: n.id > seen,
            })
            .collect(),
        newer_href,
        older_href,
    })
}

#[cfg(test)]
mod tests {
    use super::super::i18n::{Lang, Tr};
    use super::*;

    #[test]
    fn every_kind_the_filter_offers_has_its_name_in_both_languages() {
        for lang in [Lang::Zh, Lang::En] {
            let t = Tr::new(lang);
            for k in KINDS {
                assert_ne!(t.label("requests.notice", k), *k, "{k} has no label");
            }
        }
    }
}
