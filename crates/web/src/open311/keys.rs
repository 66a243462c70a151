//! API keys for Open311 clients: issued by a district administrator (page or CLI), shown once,
//! stored as a SHA-256 like session tokens.

use crate::auth::token::{new_token, token_hash};
use jiceng_core::scope::Scope;
use jiceng_store::open311::{self, Key};
use jiceng_store::{Actor, Db, StoreResult};

/// Marks our keys, so one pasted into a chat or a log is recognisable for what it is.
const PREFIX: &str = "j311_";

/// A new key and the one copy of its secret.
pub struct Issued {
    pub key: Key,
    pub secret: String,
}

/// Issues a key for the system `name` submitting into `node_id` (inside `scope`).
pub async fn issue(
    db: &Db,
    scope: &Scope,
    actor: &Actor,
    name: &str,
    node_id: i64,
) -> StoreResult<Issued> {
    let secret = format!("{PREFIX}{}", new_token());
    let key = open311::create(db, scope, actor, name, node_id, &token_hash(&secret)).await?;
    Ok(Issued { key, secret })
}

/// The unrevoked key `secret` is, if any.
pub async fn authenticate(db: &Db, secret: &str) -> StoreResult<Option<Key>> {
    let secret = secret.trim();
    if secret.is_empty() {
        return Ok(None);
    }
    open311::by_hash(db, &token_hash(secret)).await
}
