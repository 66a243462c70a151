//! A street dispatcher's whistle: two departments check in, one is rated; the board and the ranking.

use crate::accounts::{department_staff, person};
use crate::common::{TestApp, town};
use crate::driver::{browser, serve, shot, start_driver};
use crate::ui::{choose, click, fill, sign_in, switch_to, text, text_becomes, url_has};
use jiceng_core::role::Role;

pub async fn a_street_dispatcher_whistles_two_departments_check_in_one_is_rated_and_the_board_and_ranking_show_it()
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

    // 2. Each department finds it, one through the notice in its 消息, the other on its board,
    //    and checks in, saying what it will do.
    let row = format!("#whistle-list tr[data-id='{id}']");
    for (login, note) in [
        ("chengguan", "执法中队两人30分钟内到场，设置围挡"),
        ("scjg", "通知辖区市场监管所排查周边商户占道"),
    ] {
        switch_to(&c, &base, login).await;
        if login == "chengguan" {
            click(&c, "#sidebar a[href='/notifications']").await;
            assert!(text(&c, "#inbox").await.contains("幸福路雨水管网破裂"));
            click(&c, &format!("#inbox a[href='/whistles/{id}']")).await;
        } else {
            click(&c, "#sidebar a[href='/whistles']").await;
            assert!(text(&c, &row).await.contains("幸福路雨水管网破裂"));
            click(&c, &format!("{row} a.whistle-link")).await;
        }
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
