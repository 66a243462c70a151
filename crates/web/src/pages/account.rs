//! Changing one's own password.

use super::{CsrfForm, PageUser, Shell, render};
use crate::AppState;
use crate::api::auth::change_own_password;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    shell: Shell,
}

pub async fn form(u: PageUser) -> Response {
    render(&PasswordPage {
        shell: u.shell("password.title", "/account/password"),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn submit(State(s): State<AppState>, f: CsrfForm<PasswordForm>) -> Response {
    let u = &f.user;
    let mut shell = u.shell("password.title", "/account/password");
    if f.form.new_password != f.form.confirm_password {
        shell.error = Some(u.tr().s("password.mismatch").to_owned());
        let mut r = render(&PasswordPage { shell });
        *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
        return r;
    }
    match change_own_password(&s, &u.p, &f.form.current_password, &f.form.new_password).await {
        Ok(()) => {
            shell.flash = Some(u.tr().s("password.done").to_owned());
            render(&PasswordPage { shell })
        }
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            shell.error = Some(e.message);
            let mut r = render(&PasswordPage { shell });
            *r.status_mut() = status;
            r
        }
        Err(e) => u.err(e).into_response(),
    }
}
