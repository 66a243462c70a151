//! Open311 GeoReport v2 at `/open311/v2`: discovery, services and their attributes, POST with
//! and without a key, the spec's error bodies, and the public reads with their filters, 90-day
//! window and paging.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;
use jiceng_core::scope::Scope;
use jiceng_store::requests::categories;
use serde_json::{Value, json};

pub struct Setup {
    pub key: String,
    pub grid_code: &'static str,
    pub desk: String,
}

pub async fn setup(app: &TestApp) -> Setup {
    let t = town(app).await;
    app.node(t.a, NodeKind::Grid, "371722001001G01", "第一网格")
        .await;
    // Another district: outside the key's territory.
    let far = app.node(1, NodeKind::District, "371702", "牡丹区").await;
    app.node(far, NodeKind::Street, "371702001", "东城街道")
        .await;
    categories::seed_if_empty(&app.db, &app.actor())
        .await
        .unwrap();
    let issued = jiceng_web::open311::keys::issue(
        &app.db,
        &Scope::everything(),
        &app.actor(),
        "市民通App",
        t.street,
    )
    .await
    .unwrap();
    Setup {
        key: issued.secret,
        grid_code: "371722001001G01",
        desk: app.token_for("paidan", Role::Dispatcher, t.street).await,
    }
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

pub async fn post(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> Resp {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(pairs)))
        .unwrap();
    app.send(req).await
}

pub async fn get(app: &TestApp, path: &str) -> Resp {
    app.send(Request::builder().uri(path).body(Body::empty()).unwrap())
        .await
}

/// The spec's error body with `status` as HTTP status and code.
pub fn assert_error(r: &Resp, status: StatusCode, mentions: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    let body = r.json();
    let errors = body.as_array().expect("an array of errors");
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["code"], json!(status.as_u16()), "{body}");
    let d = errors[0]["description"].as_str().unwrap();
    assert!(d.contains(mentions), "{d} should mention {mentions}");
}

/// A good submission of 路面积水 in the grid, plus `extra`.
pub async fn submit(app: &TestApp, s: &Setup, extra: &[(&str, &str)]) -> Resp {
    let mut pairs = vec![
        ("api_key", s.key.as_str()),
        ("service_code", "waterlogging"),
        ("address_id", s.grid_code),
        ("attribute[depth]", "没过脚踝"),
        ("description", "小区门口路面积水严重，老人出行不便"),
    ];
    pairs.extend_from_slice(extra);
    post(app, "/open311/v2/requests.json", &pairs).await
}

pub async fn submitted_id(app: &TestApp, s: &Setup, extra: &[(&str, &str)]) -> String {
    let r = submit(app, s, extra).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn discovery_and_services_answer_in_json_and_xml() {
    let app = TestApp::new().await;
    setup(&app).await;
    let d = get(&app, "/open311/discovery.json").await;
    assert_eq!(d.status, StatusCode::OK);
    let ep = &d.json()["endpoints"][0];
    assert_eq!(ep["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert!(ep["url"].as_str().unwrap().ends_with("/open311/v2"));
    assert_eq!(ep["formats"], json!(["text/xml", "application/json"]));
    let x = get(&app, "/open311/v2/discovery.xml").await;
    assert!(x.text().contains("<discovery><changeset>"), "{}", x.text());

    let r = get(&app, "/open311/v2/services.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers[header::CONTENT_TYPE],
        "application/json; charset=utf-8"
    );
    let services = r.json();
    let water = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "water_supply")
        .expect("供水 is a service");
    assert_eq!(water["service_name"], "供水");
    assert_eq!(water["metadata"], true);
    assert_eq!(water["type"], "realtime");
    let parking = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "parking_shortage")
        .unwrap();
    assert_eq!(parking["metadata"], false, "停车难 asks no questions");

    let x = get(&app, "/open311/v2/services.xml").await;
    assert_eq!(x.headers[header::CONTENT_TYPE], "text/xml; charset=utf-8");
    let text = x.text();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    assert!(text.contains("<services><service><service_code>"), "{text}");
    assert!(text.contains("<service_name>供水</service_name>"));
}

#[tokio::test]
async fn a_service_definition_lists_the_category_questions_as_attributes() {
    let app = TestApp::new().await;
    setup(&app).await;
    let r = get(&app, "/open311/v2/services/water_supply.json").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!(d["service_code"], "water_supply");
    let a = &d["attributes"][0];
    assert_eq!(a["code"], "problem");
    assert_eq!(a["datatype"], "singlevaluelist");
    assert_eq!(a["required"], true);
    assert_eq!(a["variable"], true);
    assert_eq!(a["order"], 1);
    assert!(a["description"].is_string());
    assert_eq!(a["values"][0], json!({"key": "停水", "name": "停水"}));

    let heating = get(&app, "/open311/v2/services/heating.json").await.json();
    assert_eq!(heating["attributes"][0]["datatype"], "number");
    let property = get(&app, "/open311/v2/services/property_service.json")
        .await
        .json();
    assert_eq!(property["attributes"][0]["datatype"], "multivaluelist");

    let x = get(&app, "/open311/v2/services/water_supply.xml").await;
    assert!(
        x.text().contains(
            "<service_definition><service_code>water_supply</service_code><attributes><attribute>"
        ),
        "{}",
        x.text()
    );
    assert_error(
        &get(&app, "/open311/v2/services/no_such.json").await,
        StatusCode::NOT_FOUND,
        "no_such",
    );
    let x = get(&app, "/open311/v2/services/no_such.xml").await;
    assert_eq!(x.status, StatusCode::NOT_FOUND);
    assert!(
        x.text()
            .contains("<errors><error><code>404</code><description>")
    );
    assert_error(
        &get(&app, "/open311/v2/nothing-here.json").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn bad_submissions_are_400_naming_the_parameter() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let key = s.key.as_str();
    let r = post(
        &app,
        "/open311/v2/requests.json",
        &[
            ("api_key", key),
            ("service_code", "no_such"),
            ("lat", "34.8"),
        ],
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "unknown_service_code");
    let r = post(
        &app,
        "/open311/v2/requests.json",
        &[("api_key", key), ("lat", "34.8")],
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "missing_service_code");
    let r = post(
        &app,
        "/open311/v2/requests.json",
        &[
            ("api_key", key),
            ("service_code", "waterlogging"),
            ("address_id", s.grid_code),
        ],
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "missing_answer");
    assert!(r.text().contains("attribute"), "{}", r.text());
    let r = submit(&app, &s, &[("attribute[depth]", "齐腰")]).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "attribute");
    let r = post(
        &app,
        "/open311/v2/requests.json",
        &[("api_key", key), ("service_code", "parking_shortage")],
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "missing_location");
    let r = post(
        &app,
        "/open311/v2/requests.json",
        &[
            ("api_key", key),
            ("service_code", "parking_shortage"),
            ("address_id", "371702001"),
        ],
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "unknown_address_id");
    let r = post(
        &app,
        "/open311/v2/requests.json",
        &[
            ("api_key", key),
            ("service_code", "parking_shortage"),
            ("lat", "34.8"),
        ],
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid_coordinates");
    assert_eq!(app.count("requests").await, 0);
}

#[tokio::test]
async fn a_submitted_request_reaches_the_desk_and_reads_back_without_personal_data() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let r = submit(
        &app,
        &s,
        &[
            ("first_name", "秀英"),
            ("last_name", "王"),
            ("phone", "13812345678"),
            ("account_id", "app-user-42"),
            ("jurisdiction_id", "shanxian.gov.cn"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let created = &r.json()[0];
    let id = created["service_request_id"].as_str().unwrap().to_owned();
    assert_eq!(created["account_id"], "app-user-42");
    assert!(
        created["service_notice"]
            .as_str()
            .unwrap()
            .contains("工作日")
    );

    // In the dispatcher's queue, recorded for the person the system named.
    let queue = app.get("/api/v1/requests?view=queue", &s.desk).await.json();
    let mine = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == json!(id.parse::<i64>().unwrap()))
        .expect("in the desk's queue");
    assert_eq!(mine["channel"], "open311");
    assert_eq!(mine["requester_name"], "王秀英");
    assert_eq!(mine["requester_phone"], "13812345678");

    let one = get(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text());
    let text = one.text();
    for private in ["秀英", "1381234", "5678", "app-user-42"] {
        assert!(!text.contains(private), "{private} leaked: {text}");
    }
    let req = &one.json()[0];
    assert_eq!(req["status"], "open");
    assert_eq!(req["service_code"], "waterlogging");
    assert_eq!(req["service_name"], "路面积水");
    assert_eq!(req["address_id"], s.grid_code);
    assert_eq!(req["address"], "北城街道 东关社区 第一网格");
    // The resident's own words go only to the system that submitted them.
    assert_eq!(req["description"], Value::Null);
    assert!(!text.contains("积水严重"), "{text}");
    let own = get(
        &app,
        &format!("/open311/v2/requests/{id}.json?api_key={}", s.key),
    )
    .await;
    assert_eq!(
        own.json()[0]["description"],
        "小区门口路面积水严重，老人出行不便"
    );
    assert!(!own.text().contains("秀英"), "{}", own.text());
    assert_error(
        &get(
            &app,
            &format!("/open311/v2/requests/{id}.json?api_key=j311_wrong"),
        )
        .await,
        StatusCode::FORBIDDEN,
        "invalid_api_key",
    );
    assert!(
        req["requested_datetime"]
            .as_str()
            .unwrap()
            .ends_with("+08:00")
    );
    let x = get(&app, &format!("/open311/v2/requests/{id}.xml")).await;
    assert!(x.text().contains(&format!(
        "<service_requests><request><service_request_id>{id}</service_request_id><status>open</status>"
    )));
    let tok = get(&app, &format!("/open311/v2/tokens/{id}.json"))
        .await
        .json();
    assert_eq!(tok, json!([{"service_request_id": id, "token": id}]));
    assert_error(
        &get(&app, "/open311/v2/requests/999999.json").await,
        StatusCode::NOT_FOUND,
        "999999",
    );

    // Several values of a multivaluelist, and a request placed by coordinates only.
    let r = post(
        &app,
        "/open311/v2/requests.json",
        &[
            ("api_key", s.key.as_str()),
            ("service_code", "property_service"),
            ("lat", "34.79"),
            ("long", "116.09"),
            ("attribute[aspects][]", "保洁"),
            ("attribute[aspects][]", "收费"),
            ("description", "楼道无人打扫，物业费却涨了"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let id = r.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let detail = app
        .get(&format!("/api/v1/requests/{id}"), &s.desk)
        .await
        .json();
    assert_eq!(
        detail["request"]["answers"]["aspects"],
        json!(["保洁", "收费"]),
        "{detail}"
    );
    assert_eq!(detail["request"]["place_name"], "北城街道");
}
