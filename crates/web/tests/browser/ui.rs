//! Page actions and waits the flows share: fill, click, choose, read, sign in and out.

use crate::common::PASSWORD;
use fantoccini::{Client, Locator};
use std::time::Duration;

pub async fn fill(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(value)
        .await
        .unwrap();
}

pub async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

pub async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

pub async fn text(c: &Client, css: &str) -> String {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub async fn sign_in(c: &Client, base: &str, login: &str) {
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

pub fn url_of(s: &str) -> url::Url {
    url::Url::parse(s).unwrap()
}

/// Signs out whoever is in and signs `login` in.
pub async fn switch_to(c: &Client, base: &str, login: &str) {
    click(c, "#logout-button").await;
    c.wait()
        .for_element(Locator::Id("login-form"))
        .await
        .unwrap();
    sign_in(c, base, login).await;
}

/// Waits until the address bar holds `part` (a page reloaded by our own script).
pub async fn url_has(c: &Client, part: &str) {
    for _ in 0..100 {
        if c.current_url().await.unwrap().as_str().contains(part) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the address never held {part}");
}

/// Waits until the element at `css` reads something `ok` accepts.
pub async fn text_becomes(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
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
