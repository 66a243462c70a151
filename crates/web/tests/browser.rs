//! Browser tests in headless Chromium, through chromedriver (Debian `chromium`, `chromium-driver`).
//! Ignored by default; CI runs them with
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p jiceng-web --test browser -- --ignored`.
//! Screenshots land in `target/browser-shots/` for a human to look at.

#[path = "http/common.rs"]
mod common;

use common::{PASSWORD, TestApp, town};
use fantoccini::{Client, ClientBuilder, Locator};
use jiceng_core::role::Role;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver() -> Driver {
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let port = free_port();
    let mut child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {bin}: {e} (apt-get install chromium chromium-driver)")
        });
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Driver { child, url };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chromedriver did not start");
}

async fn browser(driver: &Driver, width: u32, height: u32) -> Client {
    let profile = std::env::temp_dir().join(format!("jiceng-chrome-{}", free_port()));
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--lang=zh-CN",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let caps = match caps {
        serde_json::Value::Object(m) => m,
        _ => unreachable!(),
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a chromium session")
}

/// Serves the app on a loopback port, as `jiceng serve` does.
async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app
        .router
        .clone()
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

async fn shot(c: &Client, name: &str) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/browser-shots");
    std::fs::create_dir_all(dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
}

async fn fill(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(value)
        .await
        .unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

async fn text(c: &Client, css: &str) -> String {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn sign_in(c: &Client, base: &str, login: &str) {
    c.goto(&format!("{base}/")).await.unwrap();
    c.wait()
        .for_url(&url_of(&format!("{base}/login?next=%2F")))
        .await
        .unwrap();
    fill(c, "input[name=login]", login).await;
    fill(c, "input[name=password]", PASSWORD).await;
    click(c, "#login-submit").await;
    c.wait().for_element(Locator::Id("topbar")).await.unwrap();
}

fn url_of(s: &str) -> url::Url {
    url::Url::parse(s).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_worker_signs_in_sees_the_shell_switches_language_and_signs_out() {
    let app = TestApp::new().await;
    let t = town(&app).await;
    app.user("worker.a", Role::CommunityWorker, t.a).await;
    let base = serve(&app).await;
    let driver = start_driver().await;
    let c = browser(&driver, 1280, 800).await;

    c.goto(&format!("{base}/")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/login"));
    let title = c.title().await.unwrap();
    assert!(title.contains("登录"), "{title}");
    shot(&c, "login").await;

    // A wrong password first: the Chinese message, no session.
    fill(&c, "input[name=login]", "worker.a").await;
    fill(&c, "input[name=password]", "wrong-pass-1").await;
    click(&c, "#login-submit").await;
    assert_eq!(text(&c, ".flash-error").await, "登录名或密码错误");

    sign_in(&c, &base, "worker.a").await;
    assert_eq!(text(&c, "#user-unit").await, "东关社区");
    assert!(
        text(&c, "#user-scope")
            .await
            .contains("东关社区·社区工作者")
    );
    let nav = text(&c, "#sidebar").await;
    assert!(
        nav.contains("工作台") && nav.contains("区划与组织") && !nav.contains("审计日志"),
        "{nav}"
    );
    shot(&c, "shell-zh").await;

    // The workbench figure opens the list it counts.
    click(&c, "a.figure").await;
    let rows = c
        .wait()
        .for_element(Locator::Id("node-list"))
        .await
        .unwrap();
    assert!(rows.text().await.unwrap().contains("东关社区"));

    click(&c, "#lang-switch").await;
    c.wait()
        .for_element(Locator::Css("html[lang=en]"))
        .await
        .unwrap();
    assert_eq!(text(&c, "#logout-button").await, "Sign out");
    assert!(text(&c, "#sidebar").await.contains("Workbench"));
    shot(&c, "shell-en").await;
    click(&c, "#lang-switch").await;
    c.wait()
        .for_element(Locator::Css("html[lang=zh-CN]"))
        .await
        .unwrap();

    click(&c, "#logout-button").await;
    c.wait()
        .for_element(Locator::Id("login-form"))
        .await
        .unwrap();
    c.goto(&format!("{base}/nodes")).await.unwrap();
    assert!(
        c.current_url().await.unwrap().path().ends_with("/login"),
        "signed out for real"
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn on_a_phone_the_navigation_folds_behind_the_menu_button() {
    let app = TestApp::new().await;
    app.user("admin", Role::DistrictAdmin, 1).await;
    let base = serve(&app).await;
    let driver = start_driver().await;
    let c = browser(&driver, 390, 844).await;
    sign_in(&c, &base, "admin").await;
    let sidebar = c.find(Locator::Id("sidebar")).await.unwrap();
    assert!(!sidebar.is_displayed().await.unwrap(), "folded on a phone");
    click(&c, ".menu-button").await;
    assert!(
        sidebar.is_displayed().await.unwrap(),
        "the menu button opens it"
    );
    shot(&c, "phone-menu").await;
    click(&c, "#sidebar a[href='/audit']").await;
    c.wait()
        .for_element(Locator::Id("audit-list"))
        .await
        .unwrap();
    shot(&c, "phone-audit").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_grid_and_an_anchored_branch_with_a_member_show_in_coverage() {
    use jiceng_core::node::NodeKind;
    let app = TestApp::new().await;
    let t = town(&app).await;
    let committee = app
        .node(1, NodeKind::Committee, "DW001", "东关社区党委")
        .await;
    // The community's party secretary works on both trees.
    let new = jiceng_store::users::NewUser {
        login: jiceng_core::account::Login::parse("secretary").unwrap(),
        display_name: "王书记".into(),
        unit_name: "东关社区".into(),
        password_hash: jiceng_web::auth::hash_password(PASSWORD),
        grants: vec![
            (Role::CommunityWorker, t.a),
            (Role::CommunityWorker, committee),
        ],
    };
    let actor = app.actor();
    jiceng_store::users::create(
        &app.db,
        jiceng_store::users::Authority::Operator,
        &actor,
        new,
    )
    .await
    .unwrap();
    let id = jiceng_core::people::IdCardNo::synthesize(
        "371722",
        chrono::NaiveDate::from_ymd_opt(1950, 10, 1).unwrap(),
        8,
    );
    let resident = jiceng_store::residents::NewResident {
        node_id: t.a,
        name: "李老党员".into(),
        id_card: id,
        phone: None,
        relation: jiceng_core::household::HouseholdRelation::Head,
        address: String::new(),
    };
    jiceng_store::residents::create(
        &app.db,
        &app.vault,
        &jiceng_core::scope::Scope::everything(),
        &actor,
        resident,
    )
    .await
    .unwrap();

    let base = serve(&app).await;
    let driver = start_driver().await;
    let c = browser(&driver, 1280, 900).await;
    sign_in(&c, &base, "secretary").await;
    let figure = |m: &'static str| format!("a.figure-link[data-measure={m}]");

    c.goto(&format!("{base}/coverage?node_id={}", t.a))
        .await
        .unwrap();
    assert_eq!(text(&c, &figure("grids")).await, "0");
    assert_eq!(text(&c, &figure("branches")).await, "0");

    // 1. A grid under the community, code left for the system to derive.
    c.goto(&format!("{base}/nodes/{}", t.a)).await.unwrap();
    choose(&c, "#create-node select[name=kind]", "grid").await;
    fill(&c, "#create-node input[name=name]", "第一网格").await;
    click(&c, "#create-node button").await;
    c.wait()
        .for_element(Locator::LinkText("第一网格"))
        .await
        .unwrap();

    // 2. A branch under the committee, anchored to that grid.
    c.goto(&format!("{base}/nodes/{committee}")).await.unwrap();
    choose(&c, "#create-node select[name=kind]", "branch").await;
    fill(&c, "#create-node input[name=code]", "ZB01").await;
    fill(&c, "#create-node input[name=name]", "第一网格党支部").await;
    click(&c, "#create-node button").await;
    c.wait()
        .for_element(Locator::LinkText("第一网格党支部"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("anchor-form"))
        .await
        .unwrap();
    c.find(Locator::Css("#anchor-form select"))
        .await
        .unwrap()
        .select_by_label("第一网格（网格）")
        .await
        .unwrap();
    click(&c, "#anchor-form button").await;
    c.wait()
        .for_element(Locator::Css("#anchors a"))
        .await
        .unwrap();
    assert!(text(&c, "#anchors").await.contains("第一网格"));

    // 3. A party member enrolled in the branch.
    choose(&c, "#member-form select[name=category]", "retired").await;
    click(&c, "#member-form input[name=member_household]").await;
    click(&c, "#member-form button").await;
    c.wait()
        .for_element(Locator::Css("#members a"))
        .await
        .unwrap();
    assert!(text(&c, "#members").await.contains("李老党员"));
    shot(&c, "branch").await;

    // 4. Coverage has moved, and each figure opens its list.
    c.goto(&format!("{base}/coverage?node_id={}", t.a))
        .await
        .unwrap();
    assert_eq!(text(&c, &figure("grids")).await, "1");
    assert_eq!(text(&c, &figure("grids_short_staffed")).await, "1");
    assert_eq!(text(&c, &figure("branches")).await, "1");
    assert_eq!(text(&c, &figure("party_members")).await, "1");
    shot(&c, "coverage").await;
    click(&c, &figure("branches")).await;
    assert!(text(&c, "#coverage-list").await.contains("第一网格党支部"));
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_roster_uploaded_from_its_page_shows_its_result() {
    use jiceng_core::node::NodeKind;
    let app = TestApp::new().await;
    let t = town(&app).await;
    let grid = app.node(t.a, NodeKind::Grid, "", "第一网格").await;
    let code = jiceng_store::nodes::get(&app.db, &jiceng_core::scope::Scope::everything(), grid)
        .await
        .unwrap()
        .code;
    app.user("worker.a", Role::CommunityWorker, t.a).await;
    let birth = chrono::NaiveDate::from_ymd_opt(1980, 2, 2).unwrap();
    let mut csv =
        String::from("姓名,身份证号,联系电话,与户主关系,所在网格/小区/楼栋编码,详细地址\n");
    for i in 0..3u16 {
        let id = jiceng_core::people::IdCardNo::synthesize("371722", birth, i);
        let name = ["张一", "张二", "张三"][usize::from(i)];
        csv.push_str(&format!(
            "{name},{},1380000000{i},户主,{code},东关路{i}号\n",
            id.as_str()
        ));
    }
    let file = std::env::temp_dir().join(format!("jiceng-roster-{}.csv", free_port()));
    std::fs::write(&file, csv).unwrap();

    let base = serve(&app).await;
    let driver = start_driver().await;
    let c = browser(&driver, 1280, 900).await;
    sign_in(&c, &base, "worker.a").await;
    c.goto(&format!("{base}/residents/import")).await.unwrap();
    assert!(
        c.find(Locator::Id("import-progress"))
            .await
            .unwrap()
            .attr("hidden")
            .await
            .unwrap()
            .is_some()
    );
    fill(&c, "input[type=file]", &file.display().to_string()).await;
    click(&c, "input[value=valid_rows]").await;
    click(&c, "#import-submit").await;
    let created = c
        .wait()
        .for_element(Locator::Id("import-created"))
        .await
        .unwrap();
    shot(&c, "import-result").await;
    assert_eq!(created.text().await.unwrap(), "3");
    c.goto(&format!("{base}/residents")).await.unwrap();
    assert!(text(&c, "#resident-list").await.contains("张三"));
    let _ = std::fs::remove_file(file);
    c.close().await.unwrap();
}

/// An account with a Chinese name for the request loop (the timeline shows it).
async fn person(app: &TestApp, login: &str, name: &str, unit: &str, role: Role, node: i64) -> i64 {
    let new = jiceng_store::users::NewUser {
        login: jiceng_core::account::Login::parse(login).unwrap(),
        display_name: name.into(),
        unit_name: unit.into(),
        password_hash: jiceng_web::auth::hash_password(PASSWORD),
        grants: vec![(role, node)],
    };
    jiceng_store::users::create(
        &app.db,
        jiceng_store::users::Authority::Operator,
        &app.actor(),
        new,
    )
    .await
    .unwrap()
    .id
}

/// Signs out whoever is in and signs `login` in.
async fn switch_to(c: &Client, base: &str, login: &str) {
    click(c, "#logout-button").await;
    c.wait()
        .for_element(Locator::Id("login-form"))
        .await
        .unwrap();
    sign_in(c, base, login).await;
}

/// Waits for the request page to show `want` as its status (after a form's 303 and reload).
async fn status_becomes(c: &Client, want: &str) {
    let mut seen = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Id("request-status")).await {
            seen = e.text().await.unwrap_or_default();
            if seen == want {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("status stayed {seen:?}, expected {want:?}");
}

/// Waits until the address bar holds `part` (a page reloaded by our own script).
async fn url_has(c: &Client, part: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().as_str().contains(part) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the address never held {part}");
}

/// Takes the step `action` on the open request, after `fill_in` has filled its form.
async fn take(c: &Client, action: &str, to: &str) {
    click(c, &format!("#act-{action} button[type=submit]")).await;
    status_becomes(c, to).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn the_whole_request_loop_from_resident_to_rating_shows_every_step_on_the_timeline() {
    use jiceng_core::node::NodeKind;
    use jiceng_core::scope::Scope;
    let app = TestApp::new().await;
    let t = town(&app).await;
    let grid = app
        .node(t.a, NodeKind::Grid, "371722001001G01", "第一网格")
        .await;
    let actor = app.actor();
    let dept = jiceng_store::orgs::create_organisation(
        &app.db,
        &Scope::everything(),
        &actor,
        jiceng_store::orgs::NewOrganisation {
            kind: jiceng_core::org::OrgKind::Department,
            name: "单县综合行政执法局".into(),
            home_node_id: t.district,
            credit_code: String::new(),
            contact_name: String::new(),
            contact_phone: String::new(),
            serves: vec![],
        },
    )
    .await
    .unwrap()
    .id;
    person(&app, "jumin", "张秀英", "", Role::Resident, t.a).await;
    person(
        &app,
        "paidan",
        "李派单",
        "北城街道",
        Role::Dispatcher,
        t.street,
    )
    .await;
    let staff = person(
        &app,
        "chengguan",
        "王科长",
        "单县综合行政执法局",
        Role::DepartmentStaff,
        t.district,
    )
    .await;
    jiceng_store::users::set_organisation(&app.db, &Scope::everything(), &actor, staff, Some(dept))
        .await
        .unwrap();
    jiceng_store::requests::categories::seed_if_empty(&app.db, &actor)
        .await
        .unwrap();
    let category = jiceng_store::requests::categories::list(&app.db, true)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "路面积水")
        .unwrap()
        .id;

    let base = serve(&app).await;
    let driver = start_driver().await;
    let c = browser(&driver, 1280, 900).await;

    // 1. The resident, on a phone: category, place, the category's question, the description.
    c.set_window_size(390, 844).await.unwrap();
    sign_in(&c, &base, "jumin").await;
    c.goto(&format!("{base}/requests/new")).await.unwrap();
    assert!(text(&c, "#choose-first").await.contains("请先选择诉求分类"));
    choose(
        &c,
        "#choose-form select[name=category_id]",
        &category.to_string(),
    )
    .await;
    url_has(&c, &format!("category_id={category}")).await;
    choose(
        &c,
        "#choose-form select[name=place_node_id]",
        &grid.to_string(),
    )
    .await;
    url_has(&c, &format!("place_node_id={grid}")).await;
    c.wait()
        .for_element(Locator::Id("request-form"))
        .await
        .unwrap();
    assert!(text(&c, "#questions").await.contains("积水深度"));
    click(&c, "#questions input[value='没过脚踝']").await;
    fill(
        &c,
        "#request-form textarea[name=description]",
        "小区南门路面积水，老人出行不便",
    )
    .await;
    fill(&c, "#request-form input[name=address]", "南门岗亭旁").await;
    shot(&c, "request-new-phone").await;
    click(&c, "#request-submit").await;
    status_becomes(&c, "待受理").await;
    let id: i64 = c
        .current_url()
        .await
        .unwrap()
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(text(&c, ".flash-ok").await.contains("诉求已提交"));
    assert_eq!(text(&c, "#request-category").await, "路面积水");
    assert!(text(&c, "#request-place").await.contains("第一网格"));
    shot(&c, "request-submitted-phone").await;
    c.set_window_size(1280, 900).await.unwrap();

    // 2. The dispatcher: the queue, the request, accept, dispatch to the department.
    switch_to(&c, &base, "paidan").await;
    click(&c, "#sidebar a[href='/requests?view=queue']").await;
    let row = format!("#request-list tr[data-id='{id}']");
    assert!(text(&c, &row).await.contains("正常"), "a green light");
    shot(&c, "request-queue").await;
    click(&c, &format!("{row} a.request-link")).await;
    c.wait()
        .for_element(Locator::Id("act-accept"))
        .await
        .unwrap();
    take(&c, "accept", "待派单").await;
    c.wait()
        .for_element(Locator::Id("act-dispatch"))
        .await
        .unwrap();
    choose(
        &c,
        "#act-dispatch select[name=lead_org_id]",
        &dept.to_string(),
    )
    .await;
    shot(&c, "request-dispatch").await;
    take(&c, "dispatch", "待接单").await;
    assert!(
        text(&c, "#request-units")
            .await
            .contains("单县综合行政执法局")
    );

    // 3. The department: its to-do list, claim, resolve with a result.
    switch_to(&c, &base, "chengguan").await;
    click(&c, "#sidebar a[href='/requests?view=inbox']").await;
    click(&c, &format!("{row} a.request-link")).await;
    c.wait()
        .for_element(Locator::Id("act-claim"))
        .await
        .unwrap();
    take(&c, "claim", "已接单").await;
    fill(
        &c,
        "#act-resolve textarea[name=note]",
        "已清理雨水井，积水已排除",
    )
    .await;
    take(&c, "resolve", "待核查").await;

    // 4. The dispatcher verifies.
    switch_to(&c, &base, "paidan").await;
    c.goto(&format!("{base}/requests/{id}")).await.unwrap();
    take(&c, "verify", "待评价").await;

    // 5. The resident is told, is not satisfied: back to the department.
    switch_to(&c, &base, "jumin").await;
    assert_eq!(text(&c, "#unread-badge").await, "1");
    click(&c, "#sidebar a[href='/notifications']").await;
    assert!(text(&c, "#inbox").await.contains("请评价"));
    click(&c, &format!("#inbox a[href='/requests/{id}']")).await;
    c.wait().for_element(Locator::Id("act-rate")).await.unwrap();
    assert!(text(&c, "#request-result").await.contains("积水已排除"));
    click(&c, "#act-rate input[value=dissatisfied]").await;
    fill(&c, "#act-rate textarea[name=note]", "下雨后南门又积水了").await;
    shot(&c, "request-rate").await;
    take(&c, "rate", "办理中").await;

    // 6. The department resolves again, the dispatcher verifies, the resident is satisfied.
    switch_to(&c, &base, "chengguan").await;
    c.goto(&format!("{base}/requests/{id}")).await.unwrap();
    fill(
        &c,
        "#act-resolve textarea[name=note]",
        "更换排水管道，复查无积水",
    )
    .await;
    take(&c, "resolve", "待核查").await;
    switch_to(&c, &base, "paidan").await;
    c.goto(&format!("{base}/requests/{id}")).await.unwrap();
    take(&c, "verify", "待评价").await;
    switch_to(&c, &base, "jumin").await;
    c.goto(&format!("{base}/requests/{id}")).await.unwrap();
    click(&c, "#act-rate input[value=satisfied]").await;
    take(&c, "rate", "已办结").await;
    assert_eq!(text(&c, "#request-rating").await, "满意");

    // 7. The timeline: every step, who took it, when.
    let mut steps = Vec::new();
    for e in c
        .find_all(Locator::Css("#timeline .timeline-entry"))
        .await
        .unwrap()
    {
        let part = |css: &'static str| {
            let e = e.clone();
            async move {
                e.find(Locator::Css(css))
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let (action, actor, at) = (
            part(".timeline-action").await,
            part(".timeline-actor").await,
            part(".timeline-time").await,
        );
        assert!(at.starts_with("2026-"), "a Beijing time: {at}");
        steps.push(format!("{action}/{actor}"));
    }
    assert_eq!(
        steps,
        [
            "提交诉求/张秀英",
            "受理/李派单",
            "派单/李派单",
            "接单/王科长",
            "办结反馈/王科长",
            "核查通过/李派单",
            "评价/张秀英",
            "办结反馈/王科长",
            "核查通过/李派单",
            "评价/张秀英",
        ]
    );
    let timeline = text(&c, "#timeline").await;
    assert!(timeline.contains("评价：不满意") && timeline.contains("评价：满意"));
    assert!(timeline.contains("待评价 → 办理中"), "the reopening");
    assert!(timeline.contains("主办：单县综合行政执法局"));
    shot(&c, "request-closed-timeline").await;
    c.close().await.unwrap();
}

/// A department with one member of staff who signs in as `login`.
async fn department_staff(app: &TestApp, name: &str, home: i64, login: &str, who: &str) -> i64 {
    use jiceng_core::scope::Scope;
    let actor = app.actor();
    let org = jiceng_store::orgs::create_organisation(
        &app.db,
        &Scope::everything(),
        &actor,
        jiceng_store::orgs::NewOrganisation {
            kind: jiceng_core::org::OrgKind::Department,
            name: name.into(),
            home_node_id: home,
            credit_code: String::new(),
            contact_name: String::new(),
            contact_phone: String::new(),
            serves: vec![],
        },
    )
    .await
    .unwrap()
    .id;
    let staff = person(app, login, who, name, Role::DepartmentStaff, home).await;
    jiceng_store::users::set_organisation(&app.db, &Scope::everything(), &actor, staff, Some(org))
        .await
        .unwrap();
    org
}

/// Waits until the element at `css` reads something `ok` accepts.
async fn text_becomes(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut seen = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            seen = e.text().await.unwrap_or_default();
            if ok(&seen) {
                return seen;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} stayed {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_street_dispatcher_whistles_two_departments_check_in_one_is_rated_and_the_board_and_ranking_show_it()
 {
    use jiceng_core::node::NodeKind;
    let app = TestApp::new().await;
    let t = town(&app).await;
    let grid = app
        .node(t.a, NodeKind::Grid, "371722001001G01", "第一网格")
        .await;
    person(
        &app,
        "paidan",
        "李派单",
        "北城街道",
        Role::Dispatcher,
        t.street,
    )
    .await;
    let zf = department_staff(
        &app,
        "单县综合行政执法局",
        t.district,
        "chengguan",
        "王科长",
    )
    .await;
    let sj = department_staff(&app, "单县市场监督管理局", t.district, "scjg", "赵所长").await;

    let base = serve(&app).await;
    let driver = start_driver().await;
    let c = browser(&driver, 1280, 900).await;

    // 1. The street dispatcher blows the whistle at the grid, summoning both departments, with
    //    half an hour to check in (the test clock stands at 17:00 Beijing time).
    sign_in(&c, &base, "paidan").await;
    click(&c, "#sidebar a[href='/whistles']").await;
    click(&c, "#blow-whistle").await;
    choose(
        &c,
        "#choose-form select[name=place_node_id]",
        &grid.to_string(),
    )
    .await;
    url_has(&c, &format!("place_node_id={grid}")).await;
    fill(&c, "#whistle-form input[name=title]", "幸福路雨水管网破裂").await;
    fill(
        &c,
        "#whistle-form textarea[name=description]",
        "路面塌陷约两平方米，需执法和市场监管联合处置",
    )
    .await;
    click(&c, &format!("#whistle-units input[value='{zf}']")).await;
    click(&c, &format!("#whistle-units input[value='{sj}']")).await;
    c.execute(
        "document.querySelector('#whistle-form input[name=deadline_at]').value = '2026-09-30T17:30';",
        vec![],
    )
    .await
    .unwrap();
    shot(&c, "whistle-new").await;
    click(&c, "#whistle-submit").await;
    assert_eq!(text(&c, "#whistle-status").await, "进行中");
    assert!(text(&c, ".flash-ok").await.contains("已吹哨"));
    let id: i64 = c
        .current_url()
        .await
        .unwrap()
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // The countdown starts from the server's half hour and ticks in the page.
    assert_eq!(text(&c, "#whistle-countdown").await, "剩余 30分0秒");
    text_becomes(&c, "#whistle-countdown", |s| s.starts_with("剩余 29分")).await;

    // 2. Each department finds it on its board and checks in, saying what it will do.
    let row = format!("#whistle-list tr[data-id='{id}']");
    for (login, note) in [
        ("chengguan", "执法中队两人30分钟内到场，设置围挡"),
        ("scjg", "通知辖区市场监管所排查周边商户占道"),
    ] {
        switch_to(&c, &base, login).await;
        click(&c, "#sidebar a[href='/whistles']").await;
        assert!(text(&c, &row).await.contains("幸福路雨水管网破裂"));
        click(&c, &format!("{row} a.whistle-link")).await;
        fill(&c, "#whistle-check-in textarea[name=note]", note).await;
        click(&c, "#whistle-check-in button[type=submit]").await;
        assert!(text(&c, ".flash-ok").await.contains("已报到"));
        assert!(text(&c, "#whistle-units").await.contains(note));
    }
    shot(&c, "whistle-checked-in").await;

    // 3. The dispatcher rates the law-enforcement bureau's response.
    switch_to(&c, &base, "paidan").await;
    c.goto(&format!("{base}/whistles/{id}")).await.unwrap();
    click(&c, &format!("#rate-{zf} input[value=satisfied]")).await;
    fill(&c, &format!("#rate-{zf} textarea[name=note]"), "到场及时").await;
    click(&c, &format!("#rate-{zf} button[type=submit]")).await;
    assert!(text(&c, ".flash-ok").await.contains("已评价"));
    let rated = format!("#whistle-units tr[data-org='{zf}'] .unit-rating");
    assert!(text(&c, &rated).await.contains("满意"));
    shot(&c, "whistle-rated").await;

    // 4. The board: both checked in, still open with its countdown.
    click(&c, "#sidebar a[href='/whistles']").await;
    assert_eq!(text(&c, &format!("{row} .whistle-count")).await, "2/2");
    assert!(
        text(&c, &format!("{row} .countdown"))
            .await
            .starts_with("剩余")
    );
    assert!(!text(&c, &row).await.contains("未报到"));
    shot(&c, "whistle-board").await;

    // 5. The ranking: both on time; only the bureau rated, satisfied.
    click(&c, "#sidebar a[href='/whistles/ranking']").await;
    let zf_row = format!("#whistle-ranking tr[data-org='{zf}']");
    let sj_row = format!("#whistle-ranking tr[data-org='{sj}']");
    assert_eq!(text(&c, &format!("{zf_row} .rank")).await, "1");
    assert_eq!(
        text(&c, &format!("{zf_row} .fig-checked_in_on_time")).await,
        "1"
    );
    assert_eq!(text(&c, &format!("{zf_row} .fig-satisfied")).await, "1");
    assert_eq!(
        text(&c, &format!("{sj_row} .fig-checked_in_on_time")).await,
        "1"
    );
    assert_eq!(text(&c, &format!("{sj_row} .fig-rated")).await, "0");
    let cells = text(&c, &sj_row).await;
    assert!(cells.contains("100.0%") && cells.contains("—"), "{cells}");
    shot(&c, "whistle-ranking").await;
    // A figure opens the whistles it counts.
    click(&c, &format!("{zf_row} .fig-satisfied a")).await;
    assert!(text(&c, "#whistle-figure").await.contains("满意数"));
    assert!(text(&c, &row).await.contains("幸福路雨水管网破裂"));
    c.close().await.unwrap();
}
