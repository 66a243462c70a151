//! The one-shot commands: opening the database, creating the first administrator, importing
//! division codes.

use jiceng_core::account::{Login, NewPassword};
use jiceng_core::clock::{Clock, SystemClock};
use jiceng_core::role::Role;
use jiceng_store::users::{self, Authority, NewUser};
use jiceng_store::{Actor, Db};
use std::io::BufRead;
use std::path::PathBuf;

pub(crate) async fn connect(url: &str) -> Result<Db, String> {
    Db::connect(url)
        .await
        .map_err(|e| format!("无法打开数据库 {}：{e}", redact(url)))
}

/// The URL without its password, for messages and logs.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub(crate) fn read_password() -> Result<String, String> {
    eprintln!("请输入密码（一行）：");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("无法读取密码：{e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub(crate) async fn create_admin(
    url: &str,
    login: &str,
    password: &str,
    name: &str,
) -> Result<(), String> {
    let login = Login::parse(login).map_err(|e| e.message)?;
    let password = NewPassword::parse(password, "password").map_err(|e| e.message)?;
    let db = connect(url).await?;
    let new = NewUser {
        login,
        display_name: name.trim().to_owned(),
        unit_name: String::new(),
        password_hash: jiceng_web::auth::hash_async(password.expose().to_owned()).await,
        grants: vec![(Role::DistrictAdmin, ROOT_NODE_ID)],
    };
    let actor = Actor::system("cli", SystemClock.now());
    let user = users::create(&db, Authority::Operator, &actor, new)
        .await
        .map_err(|e| match e {
            jiceng_store::StoreError::Conflict { .. } => "该登录名已存在".to_owned(),
            other => other.to_string(),
        })?;
    println!(
        "已创建管理员 {}（区级管理员，范围：全域）。现在可以在浏览器中登录。",
        user.login
    );
    Ok(())
}

pub(crate) async fn import_divisions(
    url: &str,
    county: &str,
    files: &[PathBuf],
) -> Result<(), String> {
    let county = jiceng_core::division::DivisionCode::parse(county).map_err(|e| e.message)?;
    if county.as_str().len() != 6 {
        return Err(format!(
            "--county 应为 6 位区县代码，收到 {}",
            county.as_str()
        ));
    }
    let mut all = Vec::new();
    for f in files {
        all.extend(jiceng_io::divisions::read_file(f).map_err(|e| e.to_string())?);
    }
    let list = jiceng_io::divisions::for_county(all, &county).map_err(|e| e.to_string())?;
    let streets = list.iter().filter(|d| d.code.as_str().len() == 9).count();
    let committees = list.iter().filter(|d| d.code.as_str().len() == 12).count();
    let db = connect(url).await?;
    let pairs: Vec<_> = list.into_iter().map(|d| (d.code, d.name)).collect();
    let actor = Actor::system("import", SystemClock.now());
    let r = jiceng_store::divisions::import(&db, &actor, &pairs)
        .await
        .map_err(|e| match e {
            jiceng_store::StoreError::Domain(d) => d.message,
            other => other.to_string(),
        })?;
    println!(
        "区县 {}：街道/乡镇 {streets} 个，社区/村 {committees} 个；新建 {}，更名 {}，未变 {}",
        county.as_str(),
        r.created,
        r.renamed,
        r.unchanged
    );
    Ok(())
}

/// The root node, created by the first migration on both engines.
pub(crate) const ROOT_NODE_ID: i64 = 1;

/// `jiceng recount`: the counters against a recount of the records.
pub async fn recount(db: &jiceng_store::Db, rebuild: bool) -> Result<(), String> {
    use jiceng_store::requests::figures;
    let diff = figures::recount(db).await.map_err(|e| e.to_string())?;
    if diff.is_empty() {
        println!("统计计数与诉求记录一致。");
        return Ok(());
    }
    println!("{} 项计数与记录不一致：", diff.len());
    for m in diff.iter().take(20) {
        println!(
            "  {} {} {} {}：计数 {}，重算 {}",
            m.kind, m.key, m.month, m.metric, m.counted, m.recounted
        );
    }
    if rebuild {
        let n = figures::rebuild(db).await.map_err(|e| e.to_string())?;
        println!("已按记录重建计数（{n} 项）。");
        return Ok(());
    }
    Err("计数与记录不一致；用 --rebuild 按记录重建".into())
}
