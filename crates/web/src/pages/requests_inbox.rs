//! The message inbox (消息): what was sent to the user, their unit or their desk, newest first,
//! each linking to its request. Opening the page marks everything shown as read.

use super::requests::when;
use super::{PageUser, Shell, render};
use crate::AppState;
use crate::error::AppError;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiceng_store::requests::inbox;

/// How many messages the page shows.
const SHOWN: u64 = 100;

pub struct Message {
    pub at: String,
    pub kind: String,
    pub message: String,
    pub request_id: Option<i64>,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "request_inbox.html")]
struct InboxPage {
    shell: Shell,
    unread: i64,
    items: Vec<Message>,
}

pub async fn show(State(s): State<AppState>, mut u: PageUser) -> Response {
    let viewer = u.p.request_viewer();
    let r = async {
        let unread = inbox::unread(&s.db, &viewer).await?;
        let items = inbox::list(&s.db, &viewer, SHOWN).await?;
        if let Some(newest) = items.first() {
            inbox::mark_seen(&s.db, &viewer, newest.id).await?;
        }
        Ok::<_, AppError>((unread, items))
    }
    .await;
    let (unread, items) = match r {
        Ok(x) => x,
        Err(e) => return u.err(e).into_response(),
    };
    // Read now: the badge beside 消息 goes away on this very page.
    u.unread = 0;
    let t = u.tr();
    let fresh = usize::try_from(unread).unwrap_or(0);
    render(&InboxPage {
        shell: u.shell("nav.notifications", "/notifications"),
        unread,
        items: items
            .into_iter()
            .enumerate()
            .map(|(i, n)| Message {
                at: when(n.created_at),
                kind: t.label("requests.notice", &n.kind),
                message: n.message,
                request_id: n.request_id,
                unread: i < fresh,
            })
            .collect(),
    })
}
