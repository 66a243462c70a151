//! A resident roster uploaded from the import page, and its result.

use crate::common::{TestApp, town};
use crate::driver::{browser, free_port, serve, shot, start_driver};
use crate::ui::{click, fill, sign_in, text};
use fantoccini::Locator;
use jiceng_core::role::Role;

pub async fn a_roster_uploaded_from_its_page_shows_its_result() {
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
    // On a phone each resident is a card that fits the screen.
    c.set_window_size(390, 844).await.unwrap();
    c.refresh().await.unwrap();
    let fits = c
        .execute(
            "const w = document.getElementById('resident-list').parentElement; \
             return w.scrollWidth <= w.clientWidth",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        fits,
        serde_json::json!(true),
        "no sideways scrolling on a phone"
    );
    assert!(text(&c, "#resident-list").await.contains("张三"));
    shot(&c, "residents-phone").await;
    let _ = std::fs::remove_file(file);
    c.close().await.unwrap();
}
