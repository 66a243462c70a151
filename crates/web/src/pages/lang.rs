//! The interface language: read from its cookie, set by the switch in the top bar, which then
//! returns to a same-site `next` only.

use super::Lang;
use crate::auth::LANG_COOKIE;
use axum::response::Redirect;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

pub fn lang_of(parts_headers: &axum::http::HeaderMap) -> Lang {
    let jar = CookieJar::from_headers(parts_headers);
    Lang::from_cookie(jar.get(LANG_COOKIE).map(|c| c.value()))
}

/// Sets the interface language and goes back where the user was.
pub(super) async fn switch_lang(
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
