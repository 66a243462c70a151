//! The shell: sign-in, the unit and scope, the language switch, sign-out, the phone menu.

use crate::common::{TestApp, town};
use crate::driver::{browser, serve, shot, start_driver};
use crate::ui::{click, fill, sign_in, text};
use fantoccini::Locator;
use jiceng_core::role::Role;

pub async fn a_worker_signs_in_sees_the_shell_switches_language_and_signs_out() {
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

    // The workbench opens on what waits for the community's desk; a figure of the territory
    // opens the list it counts.
    assert!(text(&c, "#todo").await.contains("派单队列"));
    click(&c, "#scope-figures a.figure").await;
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

pub async fn on_a_phone_the_navigation_folds_behind_the_menu_button() {
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
