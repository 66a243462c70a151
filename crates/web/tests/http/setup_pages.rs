//! The district administrator's settings pages, driven as a browser would: the category
//! catalogue (list, new, edit, refusals beside the field) and routing rules (a rule added on
//! the page dispatches the next request at once); other roles are refused.

use crate::common::*;
use crate::pages::{csrf_of, sign_in};
use crate::requests::{Loop, setup, submit};
use axum::http::StatusCode;
use jiceng_core::requests::questions::QuestionKind;
use jiceng_core::role::Role;
use jiceng_store::requests::categories::{self, Category};

fn enc(s: &str) -> String {
    urlencoding::encode(s).into_owned()
}

/// Posts a form from the page at `from` (for its CSRF token); returns the answer.
pub async fn post(
    app: &TestApp,
    jar: &[String],
    from: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> Resp {
    let page = app.page("GET", from, jar, None).await;
    assert_eq!(page.status, StatusCode::OK, "{from}: {}", page.text());
    let mut body = format!("_csrf={}", csrf_of(&page.text()));
    for (k, v) in fields {
        body.push_str(&format!("&{}={}", enc(k), enc(v)));
    }
    app.page("POST", to, jar, Some(&body)).await
}

/// A 303 back to `prefix…`; returns the page it leads to.
pub async fn followed(app: &TestApp, jar: &[String], r: Resp, prefix: &str) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = r.headers["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with(prefix), "{to}");
    get_ok(app, jar, &to).await
}

async fn admin(app: &TestApp) -> (Loop, Vec<String>) {
    let l = setup(app).await;
    app.user("quadmin", Role::DistrictAdmin, l.district).await;
    (l, sign_in(app, "quadmin").await)
}

async fn category(app: &TestApp, name: &str) -> Option<Category> {
    categories::list(&app.db, false)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == name)
}

/// The fields of a new category with one single-choice question.
fn stray_dogs(options: &str) -> Vec<(&str, &str)> {
    vec![
        ("code", "stray_dogs"),
        ("name", "流浪犬扰民"),
        ("group", "市容环境"),
        ("severity", "important"),
        ("resolve_days", ""),
        ("hint", "请说明出没地点和时间"),
        ("active", "on"),
        ("q.0.label", "犬只数量"),
        ("q.0.key", "dogs"),
        ("q.0.kind", "single"),
        ("q.0.required", "on"),
        ("q.0.options", options),
        ("q.1.label", ""),
        ("q.1.key", ""),
        ("q.1.kind", "text"),
        ("q.1.options", ""),
    ]
}

#[tokio::test]
async fn a_district_admin_gets_the_settings_pages_in_chinese() {
    let app = TestApp::new().await;
    let (_, jar) = admin(&app).await;
    let home = get_ok(&app, &jar, "/").await;
    for entry in ["业务设置", "事项分类", "派单规则", "/settings/routing"] {
        assert!(home.contains(entry), "navigation lacks {entry}");
    }
    let list = get_ok(&app, &jar, "/settings/categories").await;
    for text in [
        "<h1>事项分类</h1>",
        "路面积水",
        "新增分类",
        "按默认时限：2/3/10",
        "启用",
    ] {
        assert!(list.contains(text), "category list lacks {text}");
    }
    let new = get_ok(&app, &jar, "/settings/categories/new").await;
    for text in [
        "代码",
        "紧急程度",
        "重大",
        "补充问题",
        "单选",
        "选项（每行一个）",
    ] {
        assert!(new.contains(text), "category form lacks {text}");
    }
    let routing = get_ok(&app, &jar, "/settings/routing").await;
    for text in [
        "<h1>派单规则</h1>",
        "全部分类",
        "默认（所在街道）",
        "单县综合行政执法局",
        "北城街道",
    ] {
        assert!(routing.contains(text), "routing page lacks {text}");
    }
    let en = app
        .page("GET", "/lang/en?next=/settings/routing", &jar, None)
        .await;
    let mut jar_en = jar.clone();
    jar_en.extend(en.cookies());
    let routing = get_ok(&app, &jar_en, "/settings/routing").await;
    assert!(routing.contains("Routing rules") && routing.contains("All categories"));
}

#[tokio::test]
async fn a_category_with_a_single_choice_question_is_created_and_listed() {
    let app = TestApp::new().await;
    let (_, jar) = admin(&app).await;
    let from = "/settings/categories/new";
    let r = post(&app, &jar, from, from, &stray_dogs("1只\n2只以上\n")).await;
    let list = followed(&app, &jar, r, "/settings/categories?saved=").await;
    assert!(
        list.contains("已保存分类「流浪犬扰民」"),
        "a flash after saving"
    );
    let c = category(&app, "流浪犬扰民").await.expect("saved");
    let row = &list[list.find(&format!("id=\"category-{}\"", c.id)).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    for text in ["stray_dogs", "重要", "按默认时限", "<td>1</td>", "启用"] {
        assert!(row.contains(text), "row lacks {text}: {row}");
    }
    assert_eq!(
        (c.group.as_str(), c.severity.as_str()),
        ("市容环境", "important")
    );
    assert_eq!(c.resolve_days, None);
    assert_eq!(c.questions.len(), 1, "the blank row is dropped");
    let q = &c.questions[0];
    assert_eq!(
        (q.key.as_str(), q.kind, q.required),
        ("dogs", QuestionKind::Single, true)
    );
    assert_eq!(q.options, ["1只", "2只以上"]);
    // Residents now find it on the request form, with its question.
    let form = get_ok(&app, &sign_in(&app, "jumin").await, "/requests/new").await;
    assert!(form.contains("流浪犬扰民"));
}

#[tokio::test]
async fn a_refused_category_comes_back_with_the_message_beside_the_field() {
    let app = TestApp::new().await;
    let (l, jar) = admin(&app).await;
    let before = app.count("request_categories").await;
    let from = "/settings/categories/new";
    // A choice question without options.
    let r = post(&app, &jar, from, from, &stray_dogs("")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let page = r.text();
    assert!(page.contains("问题「犬只数量」的选项不能为空"), "{page}");
    assert!(page.contains("class=\"field-error\""));
    for kept in [
        "value=\"stray_dogs\"",
        "value=\"流浪犬扰民\"",
        "value=\"犬只数量\"",
    ] {
        assert!(page.contains(kept), "the form keeps {kept}");
    }
    assert!(page.contains("<option value=\"important\" selected>"));
    // A code already taken.
    let taken = categories::get(&app.db, l.category).await.unwrap().code;
    let mut fields = stray_dogs("1只\n2只以上");
    fields[0] = ("code", taken.as_str());
    let r = post(&app, &jar, from, from, &fields).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(
        r.text().contains(&format!("分类代码「{taken}」已被使用")),
        "{}",
        r.text()
    );
    // A name already taken, and a malformed code.
    let mut fields = stray_dogs("1只\n2只以上");
    fields[1] = ("name", "路面积水");
    let r = post(&app, &jar, from, from, &fields).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("分类名称「路面积水」已被使用"));
    let mut fields = stray_dogs("1只\n2只以上");
    fields[0] = ("code", "Stray-Dogs");
    let r = post(&app, &jar, from, from, &fields).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("分类代码须为小写字母、数字或下划线"));
    assert_eq!(
        app.count("request_categories").await,
        before,
        "nothing saved"
    );
}

#[tokio::test]
async fn an_admin_changes_a_categorys_severity_and_keeps_its_questions() {
    let app = TestApp::new().await;
    let (l, jar) = admin(&app).await;
    let c = categories::get(&app.db, l.category).await.unwrap();
    assert_ne!(c.severity, "major");
    let at = format!("/settings/categories/{}", c.id);
    let form = get_ok(&app, &jar, &at).await;
    assert!(form.contains(&format!("value=\"{}\"", c.code)) && form.contains("编辑分类"));
    let names: Vec<[String; 5]> = c
        .questions
        .iter()
        .enumerate()
        .map(|(i, _)| ["label", "key", "kind", "required", "options"].map(|f| format!("q.{i}.{f}")))
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![
        ("code", c.code.as_str()),
        ("name", c.name.as_str()),
        ("group", c.group.as_str()),
        ("severity", "major"),
        ("resolve_days", "5"),
        ("hint", c.hint.as_str()),
        ("active", "on"),
    ];
    let options: Vec<String> = c.questions.iter().map(|q| q.options.join("\n")).collect();
    for ((q, n), o) in c.questions.iter().zip(&names).zip(&options) {
        fields.extend([
            (n[0].as_str(), q.label.as_str()),
            (n[1].as_str(), q.key.as_str()),
            (n[2].as_str(), q.kind.as_str()),
        ]);
        if q.required {
            fields.push((n[3].as_str(), "on"));
        }
        fields.push((n[4].as_str(), o.as_str()));
    }
    let r = post(&app, &jar, &at, &at, &fields).await;
    let list = followed(&app, &jar, r, "/settings/categories?saved=").await;
    let after = categories::get(&app.db, c.id).await.unwrap();
    assert_eq!(
        (after.severity.as_str(), after.resolve_days),
        ("major", Some(5))
    );
    assert_eq!(after.questions, c.questions);
    let row = &list[list.find(&format!("id=\"category-{}\"", c.id)).unwrap()..];
    assert!(row[..row.find("</tr>").unwrap()].contains("重大"));
    // A category that does not exist is the error page's 404.
    let r = app
        .page("GET", "/settings/categories/999999", &jar, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_routing_rule_added_on_the_page_dispatches_the_next_request_at_once() {
    let app = TestApp::new().await;
    let (l, jar) = admin(&app).await;
    let at = "/settings/routing";
    let (district, category, dept) = (
        l.district.to_string(),
        l.category.to_string(),
        l.dept_id.to_string(),
    );
    // Auto-dispatch without a unit is refused beside the unit, with the choices kept.
    let bad = [
        ("node_id", district.as_str()),
        ("category_id", category.as_str()),
        ("desk_node_id", ""),
        ("lead_org_id", ""),
        ("auto_dispatch", "on"),
    ];
    let r = post(&app, &jar, at, at, &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.text().contains("自动派单须指定承办单位"));
    assert!(
        r.text()
            .contains(&format!("<option value=\"{category}\" selected>"))
    );
    assert_eq!(app.count("routing_rules").await, 0);
    let good = [
        ("node_id", district.as_str()),
        ("category_id", category.as_str()),
        ("desk_node_id", ""),
        ("lead_org_id", dept.as_str()),
        ("auto_dispatch", "on"),
    ];
    let r = post(&app, &jar, at, at, &good).await;
    let page = followed(&app, &jar, r, "/settings/routing?added=").await;
    assert!(page.contains("已添加派单规则"));
    let row = &page[page.find("<tr id=\"rule-").expect("the rule is listed")..];
    let row = &row[..row.find("</tr>").unwrap()];
    for text in [
        "单县",
        "路面积水",
        "默认（所在街道）",
        "单县综合行政执法局",
        "是",
    ] {
        assert!(row.contains(text), "rule row lacks {text}: {row}");
    }
    let id = submit(&app, &l).await;
    let d = app
        .get(&format!("/api/v1/requests/{id}"), &l.dept)
        .await
        .json();
    assert_eq!(d["request"]["status"], "dispatched");
    assert_eq!(d["request"]["lead_org_id"], l.dept_id);
}

#[tokio::test]
async fn other_roles_are_refused_the_settings_pages() {
    let app = TestApp::new().await;
    let l = setup(&app).await;
    for login in ["paidan", "chengguan", "jumin"] {
        let jar = sign_in(&app, login).await;
        let home = get_ok(&app, &jar, "/").await;
        assert!(
            !home.contains("业务设置") && !home.contains("/settings/"),
            "{login} sees the settings"
        );
        for uri in [
            "/settings/categories",
            "/settings/categories/new",
            "/settings/routing",
            "/settings/categories/1",
        ] {
            let r = app.page("GET", uri, &jar, None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{login} {uri}");
        }
        let before = (
            app.count("request_categories").await,
            app.count("routing_rules").await,
        );
        let r = post(
            &app,
            &jar,
            "/",
            "/settings/categories/new",
            &stray_dogs("1只\n2只以上"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{login}: {}", r.text());
        let rule = [
            ("node_id", l.district.to_string()),
            ("lead_org_id", l.dept_id.to_string()),
        ];
        let rule: Vec<(&str, &str)> = rule.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = post(&app, &jar, "/", "/settings/routing", &rule).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{login}: {}", r.text());
        let after = (
            app.count("request_categories").await,
            app.count("routing_rules").await,
        );
        assert_eq!(before, after, "nothing written");
    }
}

#[tokio::test]
async fn a_rule_on_the_page_can_send_requests_to_the_community_of_the_place() {
    let app = TestApp::new().await;
    let (l, jar) = admin(&app).await;
    let at = "/settings/routing";
    let district = l.district.to_string();
    let page = get_ok(&app, &jar, at).await;
    assert!(page.contains("<option value=\"community\">所在社区受理（分级响应）</option>"));
    let form = [
        ("node_id", district.as_str()),
        ("desk_node_id", "community"),
    ];
    let r = post(&app, &jar, at, at, &form).await;
    let page = followed(&app, &jar, r, "/settings/routing?added=").await;
    let row = &page[page.find("<tr id=\"rule-").expect("the rule is listed")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("所在社区受理（分级响应）"), "{row}");
    let id = submit(&app, &l).await;
    let community = app
        .token_for("shequ", Role::CommunityWorker, l.community)
        .await;
    assert_eq!(crate::requests::queue(&app, &community).await.1, Some(id));
}
