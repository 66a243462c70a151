//! `jiceng open311 key create|list|revoke`: API keys for systems that submit requests through
//! Open311 GeoReport v2 (docs/OPEN311.md), from the server's shell. The key is printed once.

use crate::commands::connect;
use clap::Subcommand;
use jiceng_core::clock::{Clock, SystemClock};
use jiceng_core::node::Tree;
use jiceng_core::scope::Scope;
use jiceng_store::nodes::{self, Node};
use jiceng_store::{Actor, Db, Page, open311};

#[derive(Subcommand)]
pub enum Open311Command {
    /// API keys of integrating systems.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Issue a key and print it (only its hash is stored: it cannot be shown again).
    Create {
        /// The integrating system, e.g. "市民通App".
        #[arg(long)]
        name: String,
        /// Code of the territory node it submits into (default: the only district).
        #[arg(long)]
        node: Option<String>,
    },
    /// List issued keys.
    List,
    /// Revoke key ID: the system is refused with 403 from now on.
    Revoke { id: i64 },
}

fn actor() -> Actor {
    Actor::system("cli", SystemClock.now())
}

/// The node `code` names, or the one top-level territory node when there is exactly one.
async fn node_for(db: &Db, code: Option<&str>) -> Result<Node, String> {
    let all = Scope::everything();
    if let Some(code) = code {
        return open311::place_by_code(db, &all, code)
            .await
            .map_err(|_| format!("没有编码为 {code} 的区划或网格节点"));
    }
    let root = nodes::scope_roots(db, &all)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .ok_or("数据库中没有根节点")?;
    let (tops, _) = nodes::children(db, &all, root.id, Page::new(None, Some(Page::MAX_SIZE)))
        .await
        .map_err(|e| e.to_string())?;
    let tops: Vec<Node> = tops
        .into_iter()
        .filter(|n| n.tree == Tree::Territory.as_str())
        .collect();
    match tops.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err("还没有区划节点：请先导入区划（jiceng import divisions）".into()),
        many => Err(format!(
            "有多个顶层区划，请用 --node 指定接入范围：{}",
            many.iter()
                .map(|n| format!("{}（{}）", n.code, n.name))
                .collect::<Vec<_>>()
                .join("、")
        )),
    }
}

/// Issues a key for `name` submitting into `node`; returns the key.
pub async fn issue(db: &Db, actor: &Actor, name: &str, node: &Node) -> Result<String, String> {
    jiceng_web::open311::keys::issue(db, &Scope::everything(), actor, name, node.id)
        .await
        .map(|i| i.secret)
        .map_err(|e| format!("无法签发密钥：{}", jiceng_web::AppError::from(e).message))
}

/// The demo's key, for a system submitting into the demo dispatcher's street; printed with the
/// logins so the Open311 clients can be tried at once.
pub async fn demo_key(db: &Db, actor: &Actor, street: &Node) -> Result<(), String> {
    let key = issue(db, actor, "演示接入系统", street).await?;
    println!("Open311 演示密钥（/open311/v2，提交到{}）：", street.name);
    println!("  open311_api_key {key}");
    Ok(())
}

pub async fn run(url: &str, command: Open311Command) -> Result<(), String> {
    let db = connect(url).await?;
    let Open311Command::Key { command } = command;
    match command {
        KeyCommand::Create { name, node } => {
            let node = node_for(&db, node.as_deref()).await?;
            let key = issue(&db, &actor(), &name, &node).await?;
            eprintln!(
                "已为「{}」签发 Open311 密钥，提交到{}（{}）。密钥只显示这一次，请妥善转交：",
                name.trim(),
                node.name,
                node.code
            );
            println!("{key}");
            Ok(())
        }
        KeyCommand::List => {
            let keys = open311::list(&db, &Scope::everything())
                .await
                .map_err(|e| e.to_string())?;
            for k in keys {
                let state = match k.revoked_at {
                    Some(t) => format!("已吊销 {}", t.format("%Y-%m-%d")),
                    None => "有效".to_owned(),
                };
                println!(
                    "{:>4}  {}  {}  {}  {}",
                    k.id,
                    k.name,
                    k.node_name,
                    k.created_at.format("%Y-%m-%d"),
                    state
                );
            }
            Ok(())
        }
        KeyCommand::Revoke { id } => {
            let k = open311::revoke(&db, &Scope::everything(), &actor(), id)
                .await
                .map_err(|_| format!("没有编号为 {id} 的密钥"))?;
            println!("已吊销「{}」的 Open311 密钥", k.name);
            Ok(())
        }
    }
}
