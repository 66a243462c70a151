//! Server-rendered pages: the shell (left navigation, top bar with unit and scope), zh-CN first
//! with an English switch. Forms carry the session's CSRF token; `CsrfForm` checks it.

pub mod account;
pub mod audit;
pub mod board_scrub;
pub mod coverage;
pub mod dashboard;
pub mod dashboard_charts;
pub mod error;
pub mod exports;
pub mod home;
pub mod i18n;
pub mod i18n_dashboard;
pub mod i18n_open311;
pub mod i18n_requests;
pub mod i18n_rosters;
pub mod i18n_setup;
pub mod i18n_whistles;
pub mod login;
pub mod node_links;
pub mod nodes;
pub mod organisations;
mod pager;
pub mod party_members;
pub mod public_board;
pub mod requests;
pub mod requests_act;
pub mod requests_detail;
pub mod requests_inbox;
pub mod requests_new;
pub mod requests_photos;
pub mod residents;
pub mod roster_import;
pub mod settings_categories;
pub mod settings_category_form;
pub mod settings_open311;
pub mod settings_routing;
pub mod trees;
pub mod users;
pub mod whistles;
pub mod whistles_detail;
pub mod whistles_new;

pub use pager::Pager;

use crate::AppState;
use crate::auth::token::constant_time_eq;
use crate::auth::{LANG_COOKIE, Principal};
use crate::error::AppError;
use crate::extract::parse_form;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use error::PageError;
pub use i18n::{Lang, Tr};
use jiceng_core::role::Permission;
use serde::de::DeserializeOwned;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang/{code}", get(switch_lang))
        .route("/static/app.css", get(css))
        .route("/static/import.js", get(import_js))
        .route("/nodes", get(nodes::roots))
        .route("/nodes/{id}", get(nodes::show).post(nodes::create_child))
        .route("/nodes/{id}/anchors", post(node_links::anchor))
        .route("/nodes/{id}/move", post(nodes::move_node))
        .route("/nodes/{id}/staff", post(node_links::staff))
        .route("/nodes/{id}/members", post(node_links::enrol))
        .route("/trees", get(trees::show))
        .route("/coverage", get(coverage::show))
        .route("/coverage/list", get(coverage::list))
        .route("/coverage/list/export.xlsx", get(coverage::list_xlsx))
        .route("/party-members", get(party_members::list))
        .route("/party-members/export.xlsx", get(party_members::export))
        .route("/residents", get(residents::list))
        .route(
            "/residents/new",
            get(residents::new_form).post(residents::create),
        )
        // Import form, upload, report and template of every roster.
        .merge(roster_import::routes())
        .merge(settings_open311::routes())
        .route("/organisations", get(organisations::list))
        .route("/organisations/export.xlsx", get(exports::organisations))
        .route("/residents/export.xlsx", get(exports::residents))
        .route("/nodes/export.xlsx", get(exports::nodes))
        .route("/users/export.xlsx", get(exports::users))
        .route("/residents/{id}", get(residents::show))
        .route("/residents/{id}/reveal", post(residents::reveal))
        .route("/users", get(users::list))
        .route("/users/new", get(users::new_form).post(users::create))
        .route("/users/{id}", get(users::show))
        .route("/requests", get(requests::list))
        .route("/requests/export.xlsx", get(requests::export))
        .route(
            "/requests/new",
            get(requests_new::form).post(requests_new::submit),
        )
        .route("/requests/{id}", get(requests_detail::show))
        .route("/requests/{id}/act", post(requests_act::act))
        .route(
            "/requests/{id}/photos",
            post(requests_photos::upload)
                .layer(axum::extract::DefaultBodyLimit::max(6 * 1024 * 1024)),
        )
        .route("/notifications", get(requests_inbox::show))
        .merge(dashboard::routes())
        // The public board: no sign-in (it never shows personal data).
        .route("/public/board", get(public_board::show))
        .route("/settings/categories", get(settings_categories::list))
        .route(
            "/settings/categories/new",
            get(settings_categories::new_form).post(settings_categories::create),
        )
        .route(
            "/settings/categories/{id}",
            get(settings_categories::edit_form).post(settings_categories::update),
        )
        .route(
            "/settings/routing",
            get(settings_routing::show).post(settings_routing::create),
        )
        .merge(whistles::routes())
        .route("/audit", get(audit::list))
        .route("/audit/export.xlsx", get(audit::export_xlsx))
        .route("/audit/export.csv", get(audit::export_csv))
        .route(
            "/account/password",
            get(account::form).post(account::submit),
        )
}

pub fn lang_of(parts_headers: &axum::http::HeaderMap) -> Lang {
    let jar = CookieJar::from_headers(parts_headers);
    Lang::from_cookie(jar.get(LANG_COOKIE).map(|c| c.value()))
}

/// Everything the layout needs around a page's content.
pub struct Shell {
    pub t: Tr,
    pub title: String,
    pub user_name: String,
    pub unit: String,
    pub scope_label: String,
    pub nav: Vec<NavGroup>,
    pub csrf: String,
    pub lang_href: String,
    pub flash: Option<String>,
    pub error: Option<String>,
}

pub struct NavGroup {
    pub label: &'static str,
    pub items: Vec<NavItem>,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
    /// A count beside the label (unread messages).
    pub badge: Option<i64>,
}

/// A signed-in user on a page; anyone else is sent to the login page and brought back after.
pub struct PageUser {
    pub p: Principal,
    pub lang: Lang,
    pub path: String,
    /// Unread messages, counted once for a page that shows the navigation (GET); else 0.
    pub unread: i64,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = lang_of(&parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        match Principal::from_request_parts(parts, state).await {
            Ok(p) => {
                let unread = requests::unread_badge(state, &p, &parts.method).await;
                Ok(PageUser {
                    p,
                    lang,
                    path,
                    unread,
                })
            }
            Err(e) if e.status == StatusCode::UNAUTHORIZED => {
                let next = urlencoding::encode(&path).into_owned();
                Err(Redirect::to(&format!("/login?next={next}")).into_response())
            }
            Err(e) => Err(PageError::new(e, lang).into_response()),
        }
    }
}

impl PageUser {
    pub fn tr(&self) -> Tr {
        Tr::new(self.lang)
    }

    pub fn err(&self, e: impl Into<AppError>) -> PageError {
        PageError::new(e.into(), self.lang)
    }

    /// The shell for a page titled by the string `title_key`, with `active` highlighted.
    pub fn shell(&self, title_key: &str, active: &str) -> Shell {
        let t = self.tr();
        let p = &self.p;
        let item = |href: &'static str, key: &'static str| NavItem {
            href,
            label: t.s(key),
            active: href == active,
            badge: None,
        };
        let mut governance = vec![item("/", "nav.home")];
        if p.can(Permission::ViewNodes) {
            governance.push(item("/nodes", "nav.nodes"));
            governance.push(item("/trees", "nav.trees"));
        }
        if p.can(Permission::ViewResidents) {
            governance.push(item("/residents", "nav.residents"));
        }
        if p.can(Permission::ViewPartyMembers) {
            governance.push(item("/party-members", "nav.party_members"));
        }
        if p.can(Permission::ViewNodes) {
            governance.push(item("/coverage", "nav.coverage"));
            governance.push(item("/organisations", "nav.organisations"));
        }
        let mut work: Vec<NavItem> = requests::nav_entries(p)
            .into_iter()
            .map(|(href, key)| item(href, key))
            .collect();
        work.extend(
            whistles::nav_entries(p)
                .into_iter()
                .map(|(h, k)| item(h, k)),
        );
        if let Some(inbox) = work.iter_mut().find(|i| i.href == "/notifications") {
            inbox.badge = (self.unread > 0).then_some(self.unread);
        }
        let settings: Vec<NavItem> = settings_categories::nav_entries(p)
            .into_iter()
            .map(|(href, key)| item(href, key))
            .collect();
        let mut system = Vec::new();
        if p.can(Permission::ViewUsers) {
            system.push(item("/users", "nav.users"));
        }
        if p.can(Permission::ViewAudit) {
            system.push(item("/audit", "nav.audit"));
        }
        if p.can(Permission::ManageRequestSetup) {
            system.push(item("/settings/open311", "nav.open311"));
        }
        let mut nav = vec![NavGroup {
            label: t.s("nav.group.governance"),
            items: governance,
        }];
        if !work.is_empty() {
            nav.push(NavGroup {
                label: t.s("nav.group.requests"),
                items: work,
            });
        }
        if !settings.is_empty() {
            nav.push(NavGroup {
                label: t.s("nav.group.settings"),
                items: settings,
            });
        }
        if !system.is_empty() {
            nav.push(NavGroup {
                label: t.s("nav.group.system"),
                items: system,
            });
        }
        nav.push(NavGroup {
            label: t.s("nav.group.me"),
            items: vec![item("/account/password", "nav.password")],
        });
        let scope_label = p
            .grants
            .iter()
            .map(|g| format!("{}·{}", g.node_name, t.role(g.role)))
            .collect::<Vec<_>>()
            .join("，");
        Shell {
            t,
            title: t.s(title_key).to_owned(),
            user_name: p.user.display_name.clone(),
            unit: p.unit(),
            scope_label,
            nav,
            csrf: p.csrf_token.clone(),
            lang_href: format!(
                "/lang/{}?next={}",
                self.lang.other().code(),
                urlencoding::encode(&self.path)
            ),
            flash: None,
            error: None,
        }
    }
}

/// Renders a template to a response; a template error is a logged 500.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            PageError::new(AppError::internal(), Lang::Zh).into_response()
        }
    }
}

/// A form posted from one of our pages by a signed-in user, with its CSRF token checked.
pub struct CsrfForm<T> {
    pub user: PageUser,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = PageUser::from_request_parts(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            user.err(AppError::bad_request(
                "body_too_large",
                "body",
                "提交的内容过大",
            ))
            .into_response()
        })?;
        let sent = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if !constant_time_eq(&sent, &user.p.csrf_token) {
            let e = AppError::new(
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "页面已过期，请刷新后重试",
            );
            return Err(user.err(e).into_response());
        }
        let form = parse_form::<T>(&bytes).map_err(|e| user.err(e).into_response())?;
        Ok(CsrfForm { user, form })
    }
}

/// Sets the interface language and goes back where the user was.
async fn switch_lang(
    jar: CookieJar,
    axum::extract::Path(code): axum::extract::Path<String>,
    crate::extract::Query(q): crate::extract::Query<NextQuery>,
) -> (CookieJar, Redirect) {
    let lang = Lang::from_cookie(Some(code.as_str()));
    let cookie = Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(time_year())
        .build();
    (jar.add(cookie), Redirect::to(&safe_next(q.next.as_deref())))
}

fn time_year() -> time::Duration {
    time::Duration::days(365)
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// Only same-site paths: `//evil.example` or `https://…` would make us an open redirect.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

async fn import_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/import.js"),
    )
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}
