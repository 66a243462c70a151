//! The import page of every roster (residents, party members, grid staff, organisations,
//! places): an ordinary multipart upload (no JavaScript), the result with every problem listed,
//! and the problem report as xlsx. The report is stateless: its button posts the same form to another
//! address (`formaction`), so nothing about an import is kept on the server.

use super::{PageUser, Shell, render};
use crate::AppState;
use crate::api::roster::{
    ImportMode, ImportSummary, Issue, Roster, file_limit, report_file, template_file, too_large,
};
use crate::auth::token::constant_time_eq;
use crate::error::AppError;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// The form, the upload, the report and the template of each roster, under its base path.
pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for roster in Roster::ALL {
        let base = roster.base();
        router = router
            .route(
                &format!("{base}/import"),
                get(move |u: PageUser| form(u, roster))
                    .post(move |s: State<AppState>, u: PageUser, mp: UploadBody| {
                        submit(s, u, mp, roster)
                    })
                    .layer(file_limit()),
            )
            .route(
                &format!("{base}/import/report.xlsx"),
                post(move |s: State<AppState>, u: PageUser, mp: UploadBody| {
                    report(s, u, mp, roster)
                })
                .layer(file_limit()),
            )
            .route(
                &format!("{base}/template.xlsx"),
                get(move |u: PageUser| template(u, roster)),
            );
    }
    router
}

/// The multipart body as the extractor gives it, rejection included, so that a broken upload
/// re-shows the form instead of axum's plain text.
type UploadBody = Result<Multipart, MultipartRejection>;

/// Where the page sits in the navigation, and where its "back" button leads.
fn home_of(roster: Roster) -> &'static str {
    match roster {
        Roster::Residents => "/residents",
        Roster::Organisations => "/organisations",
        // Places fill the coverage figures' denominators (grids, estates): imported from there.
        Roster::PartyMembers | Roster::GridStaff | Roster::Places => "/coverage",
    }
}

/// The page lists this many problems; the report holds them all.
const SHOWN_ISSUES: usize = 500;

pub struct Outcome {
    /// An i18n key: applied, dry run, or refused.
    pub status: &'static str,
    pub ok: bool,
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub issues: Vec<Issue>,
    /// Problems not listed on the page.
    pub more: usize,
}

impl From<ImportSummary> for Outcome {
    fn from(s: ImportSummary) -> Self {
        let (status, ok) = match (s.dry_run, s.applied) {
            (true, _) => ("import.result.dry_run", true),
            (false, true) => ("import.result.applied", true),
            (false, false) => ("import.result.rejected", false),
        };
        let more = s.issues.len().saturating_sub(SHOWN_ISSUES);
        let mut issues = s.issues;
        issues.truncate(SHOWN_ISSUES);
        Outcome {
            status,
            ok,
            rows: s.rows,
            created: s.created,
            updated: s.updated,
            unchanged: s.unchanged,
            skipped: s.skipped,
            issues,
            more,
        }
    }
}

#[derive(Template)]
#[template(path = "roster_import.html")]
struct ImportPage {
    shell: Shell,
    /// The roster's base path: the form posts to `{base}/import`.
    base: &'static str,
    /// The i18n key of the roster's introduction.
    intro: String,
    back: &'static str,
    valid_rows: bool,
    dry_run: bool,
    result: Option<Outcome>,
}

fn page(u: &PageUser, roster: Roster, up: Option<&Upload>, result: Option<Outcome>) -> ImportPage {
    ImportPage {
        shell: u.shell(&format!("{}.title", roster.key()), home_of(roster)),
        base: roster.base(),
        intro: format!("{}.intro", roster.key()),
        back: home_of(roster),
        valid_rows: up.is_some_and(|up| up.mode == ImportMode::ValidRows),
        dry_run: up.is_some_and(|up| up.dry_run),
        result,
    }
}

async fn form(u: PageUser, roster: Roster) -> Response {
    match u.p.scope(roster.permission()) {
        Ok(_) => render(&page(&u, roster, None, None)),
        Err(e) => u.err(e).into_response(),
    }
}

/// The template as a download, or an error page.
async fn template(u: PageUser, roster: Roster) -> Response {
    let r =
        u.p.scope(roster.permission())
            .and_then(|_| template_file(roster));
    r.unwrap_or_else(|e| u.err(e).into_response())
}

/// The fields of the upload form.
pub struct Upload {
    file: Bytes,
    mode: ImportMode,
    dry_run: bool,
}

fn broken(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        AppError::bad_request("invalid_upload", "file", "文件未能完整上传，请重试")
    }
}

/// Reads the form, refusing it unless it carries the session's CSRF token.
async fn read_upload(u: &PageUser, mp: UploadBody) -> Result<Upload, AppError> {
    let mut mp =
        mp.map_err(|_| AppError::bad_request("invalid_upload", "file", "请通过导入页面上传文件"))?;
    let (mut csrf, mut file) = (String::new(), Bytes::new());
    let mut mode = ImportMode::AllOrNothing;
    let mut dry_run = false;
    while let Some(field) = mp.next_field().await.map_err(broken)? {
        match field.name().unwrap_or_default() {
            "_csrf" => csrf = field.text().await.map_err(broken)?,
            "file" => file = field.bytes().await.map_err(broken)?,
            "mode" => {
                mode = match field.text().await.map_err(broken)?.as_str() {
                    "valid_rows" => ImportMode::ValidRows,
                    _ => ImportMode::AllOrNothing,
                }
            }
            "dry_run" => dry_run = !field.text().await.map_err(broken)?.is_empty(),
            _ => {}
        }
    }
    if !constant_time_eq(&csrf, &u.p.csrf_token) {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "页面已过期，请刷新后重试",
        ));
    }
    if file.is_empty() {
        return Err(AppError::bad_request(
            "missing_file",
            "file",
            "请选择要导入的花名册文件",
        ));
    }
    Ok(Upload {
        file,
        mode,
        dry_run,
    })
}

/// A mistake the user can fix re-shows the form with the message; anything else is an error page.
fn refused(u: &PageUser, roster: Roster, up: Option<&Upload>, e: AppError) -> Response {
    if matches!(e.status.as_u16(), 400 | 413) {
        let mut p = page(u, roster, up, None);
        p.shell.error = Some(e.message);
        let mut resp = render(&p);
        *resp.status_mut() = e.status;
        resp
    } else {
        u.err(e).into_response()
    }
}

async fn submit(
    State(s): State<AppState>,
    u: PageUser,
    mp: UploadBody,
    roster: Roster,
) -> Response {
    let scope = match u.p.scope(roster.permission()) {
        Ok(sc) => sc,
        Err(e) => return u.err(e).into_response(),
    };
    let up = match read_upload(&u, mp).await {
        Ok(up) => up,
        Err(e) => return refused(&u, roster, None, e),
    };
    let file = up.file.clone();
    match roster
        .run(&s, &u.p, &scope, file, up.mode, up.dry_run)
        .await
    {
        Ok(summary) => {
            let status = if summary.applied || summary.dry_run {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut resp = render(&page(&u, roster, Some(&up), Some(summary.into())));
            *resp.status_mut() = status;
            resp
        }
        Err(e) => refused(&u, roster, Some(&up), e),
    }
}

/// The problem report of the uploaded file, which is checked but never written.
async fn report(
    State(s): State<AppState>,
    u: PageUser,
    mp: UploadBody,
    roster: Roster,
) -> Response {
    let scope = match u.p.scope(roster.permission()) {
        Ok(sc) => sc,
        Err(e) => return u.err(e).into_response(),
    };
    let up = match read_upload(&u, mp).await {
        Ok(up) => up,
        Err(e) => return refused(&u, roster, None, e),
    };
    let r = async {
        let file = up.file.clone();
        let summary = roster.run(&s, &u.p, &scope, file, up.mode, true).await?;
        report_file(roster, &summary)
    }
    .await;
    r.unwrap_or_else(|e| refused(&u, roster, Some(&up), e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::Tr;
    use crate::pages::i18n::Lang;

    #[test]
    fn every_roster_has_its_title_intro_and_link_text() {
        let t = Tr::new(Lang::En);
        for roster in Roster::ALL {
            for key in [
                roster.key().to_owned(),
                format!("{}.title", roster.key()),
                format!("{}.intro", roster.key()),
            ] {
                assert_ne!(t.s(&key), key, "missing string {key}");
            }
        }
    }
}
