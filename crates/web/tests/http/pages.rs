//! The server-rendered pages, driven as a browser would: cookies, CSRF tokens, redirects.

use crate::common::*;
use axum::http::StatusCode;
use jiceng_core::node::NodeKind;
use jiceng_core::role::Role;

pub fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    html[i..].split('"').next().unwrap().to_owned()
}

fn merge(mut jar: Vec<String>, new: Vec<String>) -> Vec<String> {
    for c in new {
        let name = c.split('=').next().unwrap().to_owned();
        jar.retain(|o| !o.starts_with(&format!("{name}=")));
        if !c.ends_with('=') {
            jar.push(c);
        }
    }
    jar
}

/// Signs in through the login form; returns the browser's cookies.
pub async fn sign_in(app: &TestApp, login: &str) -> Vec<String> {
    let r = sign_in_with(app, login, PASSWORD, Vec::new()).await;
    assert_eq!(r.0.status, StatusCode::SEE_OTHER, "{}", r.0.text());
    r.1
}

async fn sign_in_with(
    app: &TestApp,
    login: &str,
    password: &str,
    jar: Vec<String>,
) -> (Resp, Vec<String>) {
    let form = app.page("GET", "/login", &jar, None).await;
    let jar = merge(jar, form.cookies());
    let csrf = csrf_of(&form.text());
    let body = format!("_csrf={csrf}&next=%2F&login={login}&password={password}");
    let r = app.page("POST", "/login", &jar, Some(&body)).await;
    let jar = merge(jar, r.cookies());
    (r, jar)
}

#[tokio::test]
async fn signing_in_through_the_login_page_opens_the_shell_with_unit_and_scope() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    app.user("worker.a", Role::CommunityWorker, t.a).await;
    let anon = app.page("GET", "/", &[], None).await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
    assert_eq!(anon.headers["location"], "/login?next=%2F");
    let login = app.page("GET", "/login", &[], None).await;
    assert!(login.text().contains("<html lang=\"zh-CN\">"));
    assert!(login.text().contains("登录名"));
    let set_cookie = login.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"));

    let (r, jar) = sign_in_with(&app, "worker.a", PASSWORD, Vec::new()).await;
    assert_eq!(r.headers["location"], "/");
    let session = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("jiceng_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    let home = app.page("GET", "/", &jar, None).await.text();
    assert!(
        home.contains("id=\"user-unit\" class=\"unit\" title=\"单位\">东关社区<"),
        "unit in the top bar"
    );
    assert!(home.contains("东关社区·社区工作者"), "scope in the top bar");
    assert!(home.contains("id=\"sidebar\""));
    assert!(home.contains("区划与组织"));
    assert!(
        !home.contains("审计日志"),
        "a community worker has no audit menu"
    );
}

#[tokio::test]
async fn a_wrong_password_on_the_login_page_says_so_in_chinese() {
    let app = TestApp::new().await;
    app.user("admin", Role::DistrictAdmin, 1).await;
    let (r, _) = sign_in_with(&app, "admin", "wrong-pass-1", Vec::new()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("登录名或密码错误"));
    assert!(
        r.text().contains("value=\"admin\""),
        "the login name stays filled in"
    );
}

#[tokio::test]
async fn the_login_form_refuses_a_post_without_its_csrf_cookie() {
    let app = TestApp::new().await;
    app.user("admin", Role::DistrictAdmin, 1).await;
    let body = format!("_csrf=forged&login=admin&password={PASSWORD}");
    let r = app.page("POST", "/login", &[], Some(&body)).await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.cookies()
            .iter()
            .all(|c| !c.starts_with("jiceng_session="))
    );
}

#[tokio::test]
async fn the_language_switch_turns_the_shell_english_and_back() {
    let app = TestApp::new().await;
    app.user("admin", Role::DistrictAdmin, 1).await;
    let jar = sign_in(&app, "admin").await;
    let zh = app.page("GET", "/nodes", &jar, None).await.text();
    assert!(zh.contains("lang=\"zh-CN\"") && zh.contains("退出登录"));
    let sw = app.page("GET", "/lang/en?next=%2Fnodes", &jar, None).await;
    assert_eq!(sw.headers["location"], "/nodes");
    let jar = merge(jar, sw.cookies());
    let en = app.page("GET", "/nodes", &jar, None).await.text();
    assert!(en.contains("lang=\"en\"") && en.contains("Sign out") && en.contains("Territory"));
    let back = app
        .page(
            "GET",
            "/lang/zh?next=https%3A%2F%2Fevil.example",
            &jar,
            None,
        )
        .await;
    assert_eq!(back.headers["location"], "/", "no open redirect");
}

#[tokio::test]
async fn signing_out_ends_the_session_and_needs_the_csrf_token() {
    let app = TestApp::new().await;
    app.user("admin", Role::DistrictAdmin, 1).await;
    let jar = sign_in(&app, "admin").await;
    let forged = app
        .page("POST", "/logout", &jar, Some("_csrf=forged"))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.text().contains("页面已过期"));
    let home = app.page("GET", "/", &jar, None).await;
    assert_eq!(
        home.status,
        StatusCode::OK,
        "the forged post did not sign out"
    );
    let csrf = csrf_of(&home.text());
    let out = app
        .page("POST", "/logout", &jar, Some(&format!("_csrf={csrf}")))
        .await;
    assert_eq!(out.headers["location"], "/login");
    assert_eq!(
        app.page("GET", "/", &jar, None).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn workbench_figures_equal_the_lists_they_open() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    for i in 1..=3 {
        app.node(
            t.a,
            NodeKind::Grid,
            &format!("371722001001G{i}"),
            &format!("东关{i}网格"),
        )
        .await;
    }
    app.node(t.b, NodeKind::Grid, "371722001002G1", "西关1网格")
        .await;
    app.user("staff", Role::StreetStaff, t.street).await;
    let jar = sign_in(&app, "staff").await;
    let home = app.page("GET", "/", &jar, None).await.text();
    for (kind, expected) in [("community", 2), ("grid", 4), ("street", 1)] {
        let marker = format!("href=\"/nodes?kind={kind}\"><span class=\"figure-value\">");
        let i = home
            .find(&marker)
            .unwrap_or_else(|| panic!("no {kind} figure"))
            + marker.len();
        let shown: i64 = home[i..].split('<').next().unwrap().parse().unwrap();
        assert_eq!(shown, expected, "{kind}");
        let list = app
            .page(
                "GET",
                &format!("/nodes?kind={kind}&page_size=500"),
                &jar,
                None,
            )
            .await
            .text();
        let rows = list.matches("<tr><td><a href=\"/nodes/").count();
        assert_eq!(rows as i64, shown, "{kind}: the list behind the figure");
    }
}

#[tokio::test]
async fn nodes_and_accounts_are_created_through_the_forms() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    app.user("staff", Role::StreetStaff, t.street).await;
    let jar = sign_in(&app, "staff").await;
    let page = app
        .page("GET", &format!("/nodes/{}", t.a), &jar, None)
        .await
        .text();
    let csrf = csrf_of(&page);
    let bad = app
        .page(
            "POST",
            &format!("/nodes/{}", t.a),
            &jar,
            Some(&format!("_csrf={csrf}&kind=grid&code=%E7%BD%91&name=x")),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.text().contains("编码须为"),
        "the error is shown on the page"
    );
    let ok = app
        .page(
            "POST",
            &format!("/nodes/{}", t.a),
            &jar,
            Some(&format!(
                "_csrf={csrf}&kind=grid&code=g9&name=%E4%B9%9D%E7%BD%91%E6%A0%BC"
            )),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = app
        .page("GET", &format!("/nodes/{}", t.a), &jar, None)
        .await
        .text();
    assert!(page.contains("九网格") && page.contains("G9"));

    let form = app.page("GET", "/users/new", &jar, None).await.text();
    assert!(form.contains("东关社区") && !form.contains("value=\"district_admin\""));
    let body = format!(
        "_csrf={csrf}&login=grid.nine&display_name=%E5%BC%A0%E4%B8%89&unit_name=&password=Start-2026&role=grid_worker&node_id={}",
        t.a
    );
    let r = app.page("POST", "/users/new", &jar, Some(&body)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let again = app.page("POST", "/users/new", &jar, Some(&body)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.text().contains("该登录名已被使用") && again.text().contains("value=\"grid.nine\"")
    );
}

#[tokio::test]
async fn the_audit_page_is_for_admins_and_auditors_only() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    app.user("admin", Role::DistrictAdmin, 1).await;
    app.user("grid", Role::GridWorker, t.a).await;
    let jar = sign_in(&app, "admin").await;
    let page = app.page("GET", "/audit?object_type=node", &jar, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text().matches("新建节点").count(), 4);
    // What changed reads as words, not the JSON the log keeps.
    assert!(
        page.text()
            .contains("编码：371722001；类型：街道/镇；名称：北城街道；上级编号："),
        "{}",
        page.text()
    );
    // The page escapes a quote as `&#34;` (askama); either spelling would be raw JSON.
    assert!(
        !page.text().contains("{&#34;") && !page.text().contains("{&quot;"),
        "no raw JSON on the page"
    );
    assert!(page.text().contains("/audit/export.xlsx?object_type=node"));
    let x = app
        .page("GET", "/audit/export.xlsx?object_type=node", &jar, None)
        .await;
    assert_eq!(&x.body[..2], b"PK");
    let jar = sign_in(&app, "grid").await;
    let r = app.page("GET", "/audit", &jar, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("您的角色无权进行此操作"));
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_404() {
    let app = TestApp::new().await;
    let r = app.page("GET", "/no/such/page", &[], None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("页面不存在") && r.text().contains("返回工作台"));
}

#[tokio::test]
async fn the_password_page_changes_the_password() {
    let app = TestApp::new().await;
    app.user("admin", Role::DistrictAdmin, 1).await;
    let jar = sign_in(&app, "admin").await;
    let csrf = csrf_of(
        &app.page("GET", "/account/password", &jar, None)
            .await
            .text(),
    );
    let mismatch = app.page("POST", "/account/password", &jar, Some(&format!(
        "_csrf={csrf}&current_password={PASSWORD}&new_password=New-pass-1&confirm_password=New-pass-2"))).await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert!(mismatch.text().contains("不一致"));
    let ok = app.page("POST", "/account/password", &jar, Some(&format!(
        "_csrf={csrf}&current_password={PASSWORD}&new_password=New-pass-1&confirm_password=New-pass-1"))).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.text().contains("密码已修改"));
}

#[tokio::test]
async fn the_trees_page_shows_both_trees_with_their_links() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let grid = app.node(t.a, NodeKind::Grid, "", "东关第一网格").await;
    let committee = app
        .node(1, NodeKind::Committee, "DW1", "东关社区党委")
        .await;
    let branch = app
        .node(committee, NodeKind::Branch, "ZB1", "第一网格党支部")
        .await;
    let all = jiceng_core::scope::Scope::everything();
    jiceng_store::orgs::anchor(&app.db, &all, &app.actor(), branch, grid)
        .await
        .unwrap();
    app.user("admin", Role::DistrictAdmin, 1).await;
    let jar = sign_in(&app, "admin").await;
    let top = app.page("GET", "/trees", &jar, None).await.text();
    assert!(top.contains("单县") && top.contains("东关社区党委"));
    // Opening one tree first: the page's own link carries the other side empty (`o=`).
    let one = app
        .page("GET", &format!("/trees?t={}&o=", t.a), &jar, None)
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text());
    assert!(one.text().contains("东关第一网格"));
    let deep = app
        .page(
            "GET",
            &format!("/trees?t={}&o={committee}", t.a),
            &jar,
            None,
        )
        .await
        .text();
    let territory = &deep[deep.find("territory-tree").unwrap()..deep.find("org-tree").unwrap()];
    assert!(
        territory.contains("东关第一网格") && territory.contains("第一网格党支部"),
        "the grid shows its branch"
    );
    let org = &deep[deep.find("org-tree").unwrap()..];
    assert!(
        org.contains("第一网格党支部") && org.contains("东关第一网格"),
        "the branch shows its grid"
    );
}

#[tokio::test]
async fn a_community_is_moved_to_another_street_through_its_page() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    let south = app
        .node(t.district, NodeKind::Street, "371722002", "南城街道")
        .await;
    app.user("admin", Role::DistrictAdmin, t.district).await;
    let jar = sign_in(&app, "admin").await;
    let page = app
        .page("GET", &format!("/nodes/{}", t.b), &jar, None)
        .await
        .text();
    assert!(page.contains("id=\"move-node\"") && page.contains("南城街道"));
    let csrf = csrf_of(&page);
    let r = app
        .page(
            "POST",
            &format!("/nodes/{}/move", t.b),
            &jar,
            Some(&format!("_csrf={csrf}&parent_id={south}")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app
        .page("GET", &format!("/nodes/{}", t.b), &jar, None)
        .await
        .text();
    assert!(
        page.contains("/371722/371722002/371722001002/"),
        "the path follows the new street"
    );
    let audit = app
        .page("GET", "/audit?object_type=node", &jar, None)
        .await
        .text();
    assert!(audit.contains("迁移节点"));
}
