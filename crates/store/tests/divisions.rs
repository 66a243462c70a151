//! Importing real division codes: 单县 from the national files, twice, then a second county.

use chrono::Utc;
use jiceng_core::division::DivisionCode;
use jiceng_core::node::NodeKind;
use jiceng_core::scope::Scope;
use jiceng_io::divisions::{for_county, read_file};
use jiceng_store::audit::AuditFilter;
use jiceng_store::divisions::{ImportReport, import};
use jiceng_store::testing::test_db;
use jiceng_store::{Actor, Db, Page, audit, nodes};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The national files ship in `../shared/data/divisions` beside the repository (as in CI).
fn national_files() -> Vec<PathBuf> {
    let dir = repo().join("../shared/data/divisions");
    let files: Vec<PathBuf> = ["provinces", "cities", "areas", "streets", "villages"]
        .iter()
        .map(|n| dir.join(format!("{n}.csv.gz")))
        .collect();
    assert!(
        files.iter().all(|f| f.exists()),
        "national division files missing under {}",
        dir.display()
    );
    files
}

fn county(files: &[PathBuf], code: &str) -> Vec<(DivisionCode, String)> {
    let mut all = Vec::new();
    for f in files {
        all.extend(read_file(f).unwrap());
    }
    let c = DivisionCode::parse(code).unwrap();
    for_county(all, &c)
        .unwrap()
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect()
}

async fn count(db: &Db, kind: NodeKind, under: &str) -> i64 {
    let scope = Scope::from_paths([under.to_owned()]).unwrap();
    nodes::by_kind(db, &scope, kind, Page::new(None, Some(1)))
        .await
        .unwrap()
        .1
}

async fn audit_total(db: &Db) -> i64 {
    audit::list(db, &Scope::everything(), &AuditFilter::default(), 0, 1)
        .await
        .unwrap()
        .1
        .count
}

#[tokio::test]
async fn shan_county_from_the_national_files_imports_once_and_a_second_county_leaves_it_alone() {
    let t = test_db().await;
    let actor = Actor::system("import", Utc::now());
    let files = national_files();
    let shan = county(&files, "371722");
    let r = import(&t.db, &actor, &shan).await.unwrap();
    assert_eq!(
        r.created,
        2 + 1 + 22 + 508,
        "province, city, county, 22 streets/towns, 508 committees"
    );
    assert_eq!(count(&t.db, NodeKind::Street, "/37/3717/371722/").await, 22);
    assert_eq!(
        count(&t.db, NodeKind::Community, "/37/3717/371722/").await,
        508
    );
    let north = nodes::children(&t.db, &Scope::everything(), 1, Page::new(None, None))
        .await
        .unwrap()
        .0;
    assert_eq!(north[0].name, "山东省");
    let audited = audit_total(&t.db).await;

    let again = import(&t.db, &actor, &shan).await.unwrap();
    assert_eq!(
        again,
        ImportReport {
            created: 0,
            renamed: 0,
            unchanged: r.created
        }
    );
    assert_eq!(
        audit_total(&t.db).await,
        audited,
        "a no-op import writes nothing"
    );

    let chengwu = county(
        &[repo().join("data/divisions/seed-districts.csv")],
        "371723",
    );
    let r2 = import(&t.db, &actor, &chengwu).await.unwrap();
    assert_eq!(
        (r2.unchanged, r2.renamed),
        (2, 0),
        "only the shared province and city were already there"
    );
    assert_eq!(count(&t.db, NodeKind::Street, "/37/3717/371722/").await, 22);
    assert_eq!(
        count(&t.db, NodeKind::Community, "/37/3717/371722/").await,
        508
    );
    assert_eq!(count(&t.db, NodeKind::Street, "/37/3717/371723/").await, 13);
}

#[tokio::test]
async fn a_renamed_committee_is_renamed_and_audited_with_before_and_after() {
    let t = test_db().await;
    let actor = Actor::system("import", Utc::now());
    let mut list = county(
        &[repo().join("data/divisions/seed-districts.csv")],
        "371722",
    );
    import(&t.db, &actor, &list).await.unwrap();
    let last = list.last_mut().unwrap();
    last.1 = format!("{}（更名）", last.1);
    let r = import(&t.db, &actor, &list).await.unwrap();
    assert_eq!(r.renamed, 1);
    let f = AuditFilter {
        object_type: Some("node".into()),
        ..Default::default()
    };
    let (entries, _) = audit::list(&t.db, &Scope::everything(), &f, 0, 1)
        .await
        .unwrap();
    assert_eq!(entries[0].action, "node.rename");
    assert!(entries[0].after_json.as_deref().unwrap().contains("更名"));
}

#[tokio::test]
async fn a_committee_without_its_street_is_refused_and_nothing_is_written() {
    let t = test_db().await;
    let actor = Actor::system("import", Utc::now());
    let orphan = vec![(
        DivisionCode::parse("371722001001").unwrap(),
        "孤儿社区".to_owned(),
    )];
    let e = import(&t.db, &actor, &orphan).await.unwrap_err();
    assert!(e.to_string().contains("371722001"), "{e}");
    assert_eq!(audit_total(&t.db).await, 0);
}
