//! Adding a photo from the request's page: the requester's form takes a picture, the page shows
//! it; a file that is not an image comes back with its reason; other parties get no form.

use crate::common::*;
use crate::pages::{csrf_of, sign_in};
use crate::requests::{setup, submit};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

const BOUNDARY: &str = "jiceng-photo-boundary";

fn multipart(csrf: &str, file: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n")
            .bytes(),
    );
    b.extend(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n")
            .bytes(),
    );
    b.extend_from_slice(file);
    b.extend(format!("\r\n--{BOUNDARY}--\r\n").bytes());
    b
}

async fn post(app: &TestApp, jar: &[String], id: i64, body: Vec<u8>) -> Resp {
    let req = Request::builder()
        .method("POST")
        .uri(format!("/requests/{id}/photos"))
        .header(header::COOKIE, jar.join("; "))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn the_requester_adds_a_photo_from_the_page_and_sees_it_there() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    let id = submit(&app, &l).await;
    let jar = sign_in(&app, "jumin").await;
    let page = app
        .page("GET", &format!("/requests/{id}"), &jar, None)
        .await
        .text();
    assert!(
        page.contains("id=\"photo-form\""),
        "the requester gets the form"
    );
    let csrf = csrf_of(&page);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let r = post(&app, &jar, id, multipart(&csrf, &png)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app
        .page("GET", &format!("/requests/{id}?done=photo"), &jar, None)
        .await
        .text();
    assert!(page.contains("照片已上传"));
    assert!(page.contains(&format!("/api/v1/requests/{id}/photos/")));
    let r = post(&app, &jar, id, multipart(&csrf, b"not an image at all")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("只能上传 JPEG、PNG 或 WebP 图片"));
    let r = post(&app, &jar, id, multipart("forged", &png)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("request_photos").await,
        1,
        "only the good photo was kept"
    );
    let desk = sign_in(&app, "paidan").await;
    let page = app
        .page("GET", &format!("/requests/{id}"), &desk, None)
        .await
        .text();
    assert!(
        !page.contains("id=\"photo-form\""),
        "the desk sees the photo but adds none"
    );
    assert!(page.contains(&format!("/api/v1/requests/{id}/photos/")));
}
