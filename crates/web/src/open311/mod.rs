//! Open311 GeoReport v2 at `/open311/v2` (see docs/OPEN311.md): other systems — a city app, a
//! hotline platform, a 12345 bridge — list our categories as services, submit requests with an
//! API key, and follow requests. Bodies and errors are the spec's, not the `/api/v1` envelope:
//! errors are `[{code, description}]` (XML `<errors><error>…`), 404 for a resource that does not
//! exist, 403 for a missing or wrong `api_key`, 400 for everything else.

pub mod doc;
pub mod keys;
mod reads;
mod services;
mod submit;

use crate::AppState;
use crate::error::AppError;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset, Utc};
pub use doc::Doc;

/// Mounted at `/open311`: the discovery document and the v2 endpoint beneath it.
pub fn router() -> Router<AppState> {
    let v2 = Router::new()
        .route("/discovery.json", get(discovery_json))
        .route("/discovery.xml", get(discovery_xml))
        .route("/services.json", get(services::list_json))
        .route("/services.xml", get(services::list_xml))
        .route("/services/{file}", get(services::definition))
        .route(
            "/requests.json",
            get(reads::list_json).post(submit::submit_json),
        )
        .route(
            "/requests.xml",
            get(reads::list_xml).post(submit::submit_xml),
        )
        .route("/requests/{file}", get(reads::one))
        .route("/tokens/{file}", get(reads::token));
    Router::new()
        .route("/discovery.json", get(discovery_json))
        .route("/discovery.xml", get(discovery_xml))
        .nest("/v2", v2)
        .fallback(not_found)
}

/// The format a resource was asked in, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// `("12", Json)` from `12.json`; `None` for any other extension.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        let (stem, ext) = file.rsplit_once('.')?;
        let f = match ext {
            "json" => Format::Json,
            "xml" => Format::Xml,
            _ => return None,
        };
        (!stem.is_empty()).then_some((stem, f))
    }

    /// The format of a path that matched no route: XML if it asked for XML, else JSON.
    fn of_path(path: &str) -> Format {
        match path.ends_with(".xml") {
            true => Format::Xml,
            false => Format::Json,
        }
    }
}

/// A response in the spec's error shape.
#[derive(Debug, Clone)]
pub struct Failure {
    pub status: StatusCode,
    pub description: String,
}

impl Failure {
    /// `code` is the stable snake_case name of the problem, kept at the end of the description
    /// (the spec's `code` field carries the HTTP status).
    pub fn new(status: StatusCode, code: &str, message: impl AsRef<str>) -> Self {
        Self {
            status,
            description: format!("{} ({code})", message.as_ref()),
        }
    }

    pub fn bad_request(code: &str, message: impl AsRef<str>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what}不存在"))
    }

    fn doc(&self) -> Doc {
        Doc::list(
            "error",
            vec![Doc::Obj(vec![
                ("code", Doc::Int(i64::from(self.status.as_u16()))),
                ("description", Doc::str(self.description.clone())),
            ])],
        )
    }
}

impl From<AppError> for Failure {
    /// Store errors keep their code and Chinese message. Open311 has only 404, 403 and 400 for
    /// a client's mistakes, so a conflict is a 400; a 5xx stays one and says nothing inside.
    fn from(e: AppError) -> Self {
        let status = match e.status.as_u16() {
            404 | 403 => e.status,
            s if s >= 500 => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        let field = e.details.get("field").and_then(|f| f.as_str());
        let message = match field {
            Some(f) if status == StatusCode::BAD_REQUEST => {
                format!("{}：{}", param_of(f), e.message)
            }
            _ => e.message,
        };
        Failure::new(status, e.code, message)
    }
}

impl From<jiceng_store::StoreError> for Failure {
    fn from(e: jiceng_store::StoreError) -> Self {
        AppError::from(e).into()
    }
}

/// The Open311 parameter a store field corresponds to, so a client sees its own names.
fn param_of(field: &str) -> &str {
    match field {
        "category_id" => "service_code",
        "answers" => "attribute",
        "place_node_id" => "address_id",
        "longitude" => "long",
        "latitude" => "lat",
        "requester_name" => "first_name",
        "requester_phone" => "phone",
        f => f,
    }
}

/// The body in `fmt`, `root` naming the XML document element.
pub fn respond(fmt: Format, root: &str, r: Result<Doc, Failure>) -> Response {
    let (status, root, doc) = match r {
        Ok(d) => (StatusCode::OK, root, d),
        Err(f) => (f.status, "errors", f.doc()),
    };
    match fmt {
        Format::Json => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            doc.to_json().to_string(),
        )
            .into_response(),
        Format::Xml => (
            status,
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            doc.to_xml(root),
        )
            .into_response(),
    }
}

async fn not_found(uri: Uri) -> Response {
    respond(
        Format::of_path(uri.path()),
        "errors",
        Err(Failure::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "没有这个 Open311 资源；可用的资源见 /open311/discovery.json",
        )),
    )
}

/// A W3C date-time with its offset, in Beijing time (what the people reading it live by).
pub fn w3c(t: DateTime<Utc>) -> String {
    let beijing = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    t.with_timezone(&beijing)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// This server's address as the client reached it, for the discovery document.
fn base_url(s: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .unwrap_or(if s.config.secure_cookies {
            "https"
        } else {
            "http"
        });
    format!("{proto}://{host}")
}

async fn discovery(s: &AppState, headers: &HeaderMap) -> Result<Doc, Failure> {
    // Clients refresh cached service definitions when the changeset moves: it is the last
    // change to the catalogue.
    let cats = jiceng_store::requests::categories::list(&s.db, false).await?;
    let changeset = cats
        .iter()
        .map(|c| c.updated_at)
        .max()
        .map(w3c)
        .unwrap_or_default();
    let endpoint = Doc::Obj(vec![
        (
            "specification",
            Doc::str("http://wiki.open311.org/GeoReport_v2"),
        ),
        (
            "url",
            Doc::str(format!("{}/open311/v2", base_url(s, headers))),
        ),
        ("changeset", Doc::str(changeset.clone())),
        ("type", Doc::str("production")),
        (
            "formats",
            Doc::list(
                "format",
                vec![Doc::str("text/xml"), Doc::str("application/json")],
            ),
        ),
    ]);
    Ok(Doc::Obj(vec![
        ("changeset", Doc::str(changeset)),
        (
            "contact",
            Doc::str("请联系本平台的区级管理员（设置 → Open311 接入）"),
        ),
        (
            "key_service",
            Doc::str(
                "API 密钥由区级管理员在「Open311 接入」页面签发，或在服务器上运行 \
                 jiceng open311 key create --name 系统名称",
            ),
        ),
        ("endpoints", Doc::list("endpoint", vec![endpoint])),
    ]))
}

async fn discovery_json(State(s): State<AppState>, headers: HeaderMap) -> Response {
    respond(Format::Json, "discovery", discovery(&s, &headers).await)
}

async fn discovery_xml(State(s): State<AppState>, headers: HeaderMap) -> Response {
    respond(Format::Xml, "discovery", discovery(&s, &headers).await)
}
