//! 诉求办理公示: the public board of closed requests, by place and category, at
//! `/public/board?node=<code>&category=<id>&page=<n>` — no sign-in. It prints only what cannot
//! identify a resident: the category, the community and grid (never the estate, building or
//! household), the dates, the lead unit, the unit's result scrubbed by `board_scrub`, and the
//! rating. The resident's description, name, phone and address are not even read.

use super::board_scrub::scrub;
use super::i18n::{Lang, Tr};
use super::{Pager, lang_of, render};
use crate::AppState;
use crate::error::AppError;
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use jiceng_core::node::NodeKind;
use jiceng_core::requests::Rating;
use jiceng_core::requests::sla::local;
use jiceng_store::Page;
use jiceng_store::nodes::Node;
use jiceng_store::requests::board::{self, BoardRow};
use serde::Deserialize;
use std::collections::HashMap;

const PAGE_SIZE: u64 = 20;

#[derive(Deserialize, Default)]
pub struct BoardQ {
    /// A place's code (district, street, community or grid); none: everywhere.
    node: Option<String>,
    /// A category id.
    category: Option<String>,
    page: Option<u64>,
}

pub struct Line {
    pub category: String,
    pub place: String,
    pub submitted: String,
    pub closed: String,
    pub unit: String,
    pub result: String,
    pub rating: String,
}

/// A filter link: label, href, chosen, count (categories only).
pub struct Choice {
    pub label: String,
    pub href: String,
    pub active: bool,
    pub count: Option<i64>,
}

#[derive(Template)]
#[template(path = "public_board.html")]
struct BoardPage {
    t: Tr,
    lang_href: String,
    /// The places above and at the chosen one, as links.
    crumbs: Vec<Choice>,
    places: Vec<Choice>,
    categories: Vec<Choice>,
    lines: Vec<Line>,
    /// More than `MAX_PAGES` pages: only the newest are listed, and the page says so.
    capped: bool,
    pager: Pager,
}

fn day(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|a| local(a).format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// "东关社区 · 第一网格": the community and grid above (or at) a request's place; the deepest
/// board place when it lies above any community.
fn place_name(path: &str, names: &HashMap<String, (String, String)>) -> String {
    let above: Vec<&(String, String)> = jiceng_core::node::ancestor_paths(path)
        .iter()
        .filter_map(|p| names.get(p))
        .collect();
    let picked: Vec<&str> = above
        .iter()
        .filter(|(k, _)| k == NodeKind::Community.as_str() || k == NodeKind::Grid.as_str())
        .map(|(_, n)| n.as_str())
        .collect();
    if picked.is_empty() {
        above.last().map(|(_, n)| n.clone()).unwrap_or_default()
    } else {
        picked.join(" · ")
    }
}

fn line(lang: Lang, t: Tr, r: BoardRow, names: &HashMap<String, (String, String)>) -> Line {
    let rating = r.rating.as_deref().and_then(Rating::parse).map_or_else(
        || t.s("board.unrated").to_owned(),
        |x| match lang {
            Lang::Zh => x.label_zh().to_owned(),
            Lang::En => x.label_en().to_owned(),
        },
    );
    Line {
        place: place_name(&r.place_path, names),
        submitted: day(Some(r.submitted_at)),
        closed: day(r.closed_at),
        unit: r.lead_org_name.unwrap_or_default(),
        result: scrub(&r.result, &[r.requester_name.as_str()]),
        category: r.category_name,
        rating,
    }
}

fn href(node: Option<&str>, category: Option<i64>) -> String {
    let mut q = Vec::new();
    if let Some(n) = node {
        q.push(format!("node={}", urlencoding::encode(n)));
    }
    if let Some(c) = category {
        q.push(format!("category={c}"));
    }
    if q.is_empty() {
        "/public/board".into()
    } else {
        format!("/public/board?{}", q.join("&"))
    }
}

pub async fn show(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<BoardQ>,
) -> Response {
    let lang = lang_of(&headers);
    let t = Tr::new(lang);
    let r = async {
        let node: Option<Node> = match q.node.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => Some(
                board::place(&s.db, code)
                    .await?
                    .ok_or_else(AppError::not_found)?,
            ),
            None => None,
        };
        let category = match q
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(c) => Some(c.parse::<i64>().map_err(|_| {
                AppError::bad_request("invalid_category", "category", "诉求分类不正确")
            })?),
            None => None,
        };
        let path = node.as_ref().map_or("/", |n| n.path.as_str()).to_owned();
        // The counts come from the counters; the page is cut at `MAX_PAGES` (see there).
        let cats = board::categories(&s.db, &path).await?;
        let total: i64 = cats
            .iter()
            .filter(|(id, _, _)| category.is_none_or(|c| c == *id))
            .map(|(_, _, n)| n)
            .sum();
        // A page past the last listed one shows the last (an old link, a hand-typed number).
        let last = u64::try_from(total)
            .unwrap_or(0)
            .div_ceil(PAGE_SIZE)
            .clamp(1, board::MAX_PAGES);
        let page = Page::new(q.page.map(|p| p.min(last)), Some(PAGE_SIZE));
        let rows = board::closed(&s.db, &path, category, page).await?;
        let mut wanted: Vec<String> = rows
            .iter()
            .flat_map(|r| jiceng_core::node::ancestor_paths(&r.place_path))
            .collect();
        wanted.extend(jiceng_core::node::ancestor_paths(&path));
        wanted.sort();
        wanted.dedup();
        let known = board::places_at(&s.db, wanted).await?;
        let kids = board::children(&s.db, node.as_ref()).await?;
        Ok::<_, AppError>((node, category, page, rows, total, known, kids, cats))
    }
    .await;
    let (node, category, page, rows, total, known, kids, cats) = match r {
        Ok(x) => x,
        Err(e) => return super::error::PageError::new(e, lang).into_response(),
    };
    let code = node.as_ref().map(|n| n.code.as_str());
    let names: HashMap<String, (String, String)> = known
        .iter()
        .map(|n| (n.path.clone(), (n.kind.clone(), n.name.clone())))
        .collect();
    let mut crumbs = vec![Choice {
        label: t.s("board.all_places").to_owned(),
        href: href(None, category),
        active: node.is_none(),
        count: None,
    }];
    if let Some(n) = &node {
        let mut above: Vec<&Node> = known
            .iter()
            .filter(|k| n.path.starts_with(&k.path))
            .collect();
        above.sort_by_key(|k| k.path.len());
        crumbs.extend(above.into_iter().map(|k| Choice {
            label: k.name.clone(),
            href: href(Some(&k.code), category),
            active: k.id == n.id,
            count: None,
        }));
    }
    let mut categories = vec![Choice {
        label: t.s("board.all").to_owned(),
        href: href(code, None),
        active: category.is_none(),
        count: None,
    }];
    categories.extend(cats.into_iter().map(|(id, name, n)| Choice {
        label: name,
        href: href(code, Some(id)),
        active: category == Some(id),
        count: Some(n),
    }));
    let here = href(code, category);
    let base = if here.contains('?') {
        format!("{here}&")
    } else {
        format!("{here}?")
    };
    render(&BoardPage {
        t,
        lang_href: format!(
            "/lang/{}?next={}",
            lang.other().code(),
            urlencoding::encode(&href(code, category))
        ),
        crumbs,
        places: kids
            .into_iter()
            .map(|k| Choice {
                href: href(Some(&k.code), category),
                label: k.name,
                active: false,
                count: None,
            })
            .collect(),
        categories,
        lines: rows.into_iter().map(|r| line(lang, t, r, &names)).collect(),
        capped: total > (board::MAX_PAGES * PAGE_SIZE) as i64,
        pager: Pager::listed(&base, page, total, board::MAX_PAGES),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_capped_note_names_the_rows_listed() {
        // `board.capped` says "1000": the pages listed times the rows on each.
        assert_eq!(super::board::MAX_PAGES * super::PAGE_SIZE, 1000);
    }
}
