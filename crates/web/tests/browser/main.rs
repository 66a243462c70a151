//! Browser tests in headless Chromium, through chromedriver (Debian `chromium`, `chromium-driver`).
//! Ignored by default; CI runs them with
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p jiceng-web --test browser -- --ignored`.
//! Screenshots land in `target/browser-shots/` for a human to look at.
//!
//! Each test is declared here and runs its flow from a module, so the test names stay unqualified
//! (`--list`, name filters and the CI logs read as before the split).

#[path = "../http/common.rs"]
mod common;

mod accounts;
mod coverage;
mod driver;
mod request_loop;
mod roster;
mod shell;
mod ui;
mod whistle;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_worker_signs_in_sees_the_shell_switches_language_and_signs_out() {
    shell::a_worker_signs_in_sees_the_shell_switches_language_and_signs_out().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn on_a_phone_the_navigation_folds_behind_the_menu_button() {
    shell::on_a_phone_the_navigation_folds_behind_the_menu_button().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_grid_and_an_anchored_branch_with_a_member_show_in_coverage() {
    coverage::a_grid_and_an_anchored_branch_with_a_member_show_in_coverage().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_roster_uploaded_from_its_page_shows_its_result() {
    roster::a_roster_uploaded_from_its_page_shows_its_result().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn the_whole_request_loop_from_resident_to_rating_shows_every_step_on_the_timeline() {
    request_loop::the_whole_request_loop_from_resident_to_rating_shows_every_step_on_the_timeline()
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver; run by .ci/run"]
async fn a_street_dispatcher_whistles_two_departments_check_in_one_is_rated_and_the_board_and_ranking_show_it()
 {
    whistle::a_street_dispatcher_whistles_two_departments_check_in_one_is_rated_and_the_board_and_ranking_show_it().await;
}
