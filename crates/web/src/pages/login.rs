//! The login page and sign-out. The login form is protected by a double-submit CSRF cookie,
//! since there is no session yet to hold the token.

use super::i18n::{Lang, Tr};
use super::{CsrfForm, NextQuery, lang_of, render, safe_next};
use crate::AppState;
use crate::auth::login::sign_in;
use crate::auth::principal::ClientIp;
use crate::auth::token::{constant_time_eq, new_token};
use crate::auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::extract::{Query, parse_form};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use jiceng_store::sessions::{self, SessionKind};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    csrf: String,
    next: String,
    login: String,
    error: Option<String>,
    lang_href: String,
}

fn page(
    jar: CookieJar,
    lang: Lang,
    next: String,
    login: String,
    error: Option<String>,
    secure: bool,
) -> Response {
    let csrf = new_token();
    let cookie = Cookie::build((LOGIN_CSRF_COOKIE, csrf.clone()))
        .path("/login")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .build();
    let lang_href = format!(
        "/lang/{}?next={}",
        lang.other().code(),
        urlencoding::encode(&format!("/login?next={}", urlencoding::encode(&next)))
    );
    let status = if error.is_some() {
        axum::http::StatusCode::UNAUTHORIZED
    } else {
        axum::http::StatusCode::OK
    };
    let body = render(&LoginPage {
        t: Tr::new(lang),
        csrf,
        next,
        login,
        error,
        lang_href,
    });
    (status, jar.add(cookie), body).into_response()
}

pub async fn form(
    State(s): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    page(
        jar,
        lang_of(&headers),
        next,
        String::new(),
        None,
        s.config.secure_cookies,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

pub async fn submit(
    State(s): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let secure = s.config.secure_cookies;
    let f: LoginForm = match parse_form(&body) {
        Ok(f) => f,
        Err(e) => {
            return page(
                jar,
                lang,
                "/".into(),
                String::new(),
                Some(e.message),
                secure,
            );
        }
    };
    let next = safe_next(f.next.as_deref());
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(&expected, &f.csrf) {
        let msg = "页面已过期，请重新登录".to_owned();
        return page(jar, lang, next, f.login, Some(msg), secure);
    }
    match sign_in(&s, &f.login, &f.password, &ip, SessionKind::Browser).await {
        Ok(signed) => {
            let cookie = Cookie::build((SESSION_COOKIE, signed.token))
                .path("/")
                .http_only(true)
                .secure(secure)
                .same_site(SameSite::Lax)
                .max_age(time::Duration::seconds(s.config.session_ttl.num_seconds()))
                .build();
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/login"))
                .add(cookie);
            (jar, Redirect::to(&next)).into_response()
        }
        Err(e) => page(jar, lang, next, f.login, Some(e.message), secure),
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(State(s): State<AppState>, jar: CookieJar, f: CsrfForm<Empty>) -> Response {
    let p = &f.user.p;
    if let Err(e) =
        sessions::delete(&s.db, &p.actor(), p.session_id, p.user.id, p.home_path()).await
    {
        return f.user.err(e).into_response();
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    (jar, Redirect::to("/login")).into_response()
}
