//! One request from the resident through dispatcher and department to the rating, on its timeline;
//! the rating form says what a 不满意 will do.

use crate::accounts::person;
use crate::common::{TestApp, town};
use crate::driver::{browser, serve, shot, start_driver};
use crate::ui::{choose, click, fill, sign_in, switch_to, text, url_has};
use fantoccini::{Client, Locator};
use jiceng_core::role::Role;
use std::time::Duration;

/// Waits for the request page to show `want` as its status (after a form's 303 and reload).
pub async fn status_becomes(c: &Client, want: &str) {
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

/// Takes the step `action` on the open request, after `fill_in` has filled its form.
pub async fn take(c: &Client, action: &str, to: &str) {
    click(c, &format!("#act-{action} button[type=submit]")).await;
    status_becomes(c, to).await;
}

pub async fn the_whole_request_loop_from_resident_to_rating_shows_every_step_on_the_timeline() {
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
    // Their list on the phone: the filters folded away, each request a card that fits the
    // screen, its place named from the street down.
    c.goto(&format!("{base}/requests?view=mine")).await.unwrap();
    let fit = c
        .execute(
            "const w = document.getElementById('request-list').parentElement; \
             return [w.scrollWidth <= w.clientWidth, \
             document.getElementById('request-filter-fold').open]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        fit,
        serde_json::json!([true, false]),
        "no sideways scrolling, filters folded"
    );
    let card = text(&c, &format!("#request-list tr[data-id='{id}']")).await;
    assert!(
        card.contains("路面积水") && card.contains("待受理"),
        "{card}"
    );
    assert!(card.contains("北城街道 · 东关社区 · 第一网格"), "{card}");
    shot(&c, "request-list-phone").await;
    c.set_window_size(1280, 900).await.unwrap();

    // 2. The dispatcher: the workbench says one request waits, and its figure opens the queue;
    // the request, accept, dispatch to the department.
    switch_to(&c, &base, "paidan").await;
    let waiting = "#todo a.figure[href='/requests?view=queue']";
    assert_eq!(text(&c, &format!("{waiting} .figure-value")).await, "1");
    shot(&c, "workbench-dispatcher").await;
    click(&c, waiting).await;
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
    let hint = text(&c, "#rating-hint").await;
    assert!(hint.contains("退回承办单位重新办理"), "{hint}");
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
    // Reopened once already (the default limit): this rating closes the request, whatever it is.
    let hint = text(&c, "#rating-hint").await;
    assert!(hint.contains("本次评价后诉求即办结"), "{hint}");
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
