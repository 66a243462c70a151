//! Extractors whose rejections are our error envelope: malformed JSON, a missing field and a
//! wrong type each get their own code and name the field, in Chinese. Handlers use these instead
//! of axum's own, whose rejections are plain text.

use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// Query string parameters. A bad one is the JSON error envelope under `/api/`, and the error
/// page elsewhere: someone who edits a page's address gets a page back, not JSON. An empty
/// value (`o=`) is no value, as a GET form with an empty field or a link with nothing to carry
/// sends it: `?o=` for a number was a 400 (the two-trees page's own links).
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let raw = parts.uri.query().unwrap_or("");
        // Rebuilt only when some value is empty: the API's calls (bench S3/S4) carry none.
        let q = if raw.split('&').any(|p| p.ends_with('=')) {
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form_urlencoded::parse(raw.as_bytes()).filter(|(_, v)| !v.is_empty()))
                .finish()
        } else {
            raw.to_owned()
        };
        parse_form(q.as_bytes()).map(Query).map_err(|e| {
            if parts.uri.path().starts_with("/api/") {
                e.into_response()
            } else {
                let lang = crate::pages::lang_of(&parts.headers);
                crate::pages::error::PageError::new(e, lang).into_response()
            }
        })
    }
}

/// `application/x-www-form-urlencoded` pairs into `T`, naming the field at fault.
pub fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.into_inner().to_string();
        let named = |prefix: &str| {
            msg.strip_prefix(prefix)
                .and_then(|r| r.split('`').next())
                .map(str::to_owned)
        };
        if let Some(name) = named("missing field `") {
            AppError::bad_request("missing_field", &name, format!("缺少必填参数「{name}」"))
        } else if let Some(name) = named("unknown field `") {
            AppError::bad_request("unknown_field", &name, format!("未知参数「{name}」"))
        } else {
            AppError::bad_request("invalid_type", &path, format!("参数「{path}」的取值不正确"))
        }
    })
}

/// A numeric id in the URL path; anything else is a 400 naming `id`.
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| AppError::not_found())?;
        raw.parse::<i64>()
            .map(PathId)
            .map_err(|_| AppError::bad_request("invalid_type", "id", "编号须为整数"))
    }
}

/// A JSON request body.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // The body is read as JSON whatever its Content-Type says: clients such as `curl -d`
        // label JSON as a form. Cookie-authenticated writes need the CSRF header, so this opens
        // no cross-site hole.
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "请求体过大",
            )
        })?;
        parse(&bytes).map(Json)
    }
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        // "." is serde's name for the whole document.
        let path = match e.path().to_string() {
            p if p == "." => "body".to_owned(),
            p => p,
        };
        let inner = e.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => AppError::bad_request(
                "invalid_json",
                "body",
                format!(
                    "请求体不是有效的 JSON（第 {} 行第 {} 列）",
                    inner.line(),
                    inner.column()
                ),
            ),
            Category::Data => {
                let msg = inner.to_string();
                if let Some(name) = msg
                    .strip_prefix("missing field `")
                    .and_then(|r| r.split('`').next())
                {
                    let field = if path == "body" {
                        name.to_owned()
                    } else {
                        format!("{path}.{name}")
                    };
                    AppError::bad_request(
                        "missing_field",
                        &field,
                        format!("缺少必填字段「{field}」"),
                    )
                } else if msg.starts_with("unknown field") {
                    AppError::bad_request("unknown_field", &path, format!("未知字段「{path}」"))
                } else {
                    AppError::bad_request(
                        "invalid_type",
                        &path,
                        format!("字段「{path}」的类型或取值不正确"),
                    )
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        login: String,
        n: i64,
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse::<T>(br#"{"login":"a"}"#).unwrap_err();
        assert_eq!(
            (e.code, e.details["field"].as_str()),
            ("missing_field", Some("n"))
        );
        let e = parse::<T>(br#"{"login":5,"n":1}"#).unwrap_err();
        assert_eq!(
            (e.code, e.details["field"].as_str()),
            ("invalid_type", Some("login"))
        );
        let e = parse::<T>(br#"{"login":"#).unwrap_err();
        assert_eq!(e.code, "invalid_json");
    }
}
