//! HTTP behaviour through the real router, on SQLite or PostgreSQL (`TEST_DATABASE_URL`).

mod audit;
mod auth;
mod common;
mod errors;
mod grid_staff_import;
mod orgs;
mod orgs_import;
mod pages;
mod party_members_import;
mod residents;
mod residents_excel;
mod residents_import;
mod rosters;
mod scope;
