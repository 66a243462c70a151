//! Accounts with Chinese names for the request and whistle flows (the pages show the names).

use crate::common::{PASSWORD, TestApp};
use jiceng_core::role::Role;

/// An account with a Chinese name for the request loop (the timeline shows it).
pub async fn person(
    app: &TestApp,
    login: &str,
    name: &str,
    unit: &str,
    role: Role,
    node: i64,
) -> i64 {
    let new = jiceng_store::users::NewUser {
        login: jiceng_core::account::Login::parse(login).unwrap(),
        display_name: name.into(),
        unit_name: unit.into(),
        password_hash: jiceng_web::auth::hash_password(PASSWORD),
        grants: vec![(role, node)],
    };
    jiceng_store::users::create(
        &app.db,
        jiceng_store::users::Authority::Operator,
        &app.actor(),
        new,
    )
    .await
    .unwrap()
    .id
}

/// A department with one member of staff who signs in as `login`.
pub async fn department_staff(app: &TestApp, name: &str, home: i64, login: &str, who: &str) -> i64 {
    use jiceng_core::scope::Scope;
    let actor = app.actor();
    let org = jiceng_store::orgs::create_organisation(
        &app.db,
        &Scope::everything(),
        &actor,
        jiceng_store::orgs::NewOrganisation {
            kind: jiceng_core::org::OrgKind::Department,
            name: name.into(),
            home_node_id: home,
            credit_code: String::new(),
            contact_name: String::new(),
            contact_phone: String::new(),
            serves: vec![],
        },
    )
    .await
    .unwrap()
    .id;
    let staff = person(app, login, who, name, Role::DepartmentStaff, home).await;
    jiceng_store::users::set_organisation(&app.db, &Scope::everything(), &actor, staff, Some(org))
        .await
        .unwrap();
    org
}
