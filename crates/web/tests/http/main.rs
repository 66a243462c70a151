//! HTTP behaviour through the real router, on SQLite or PostgreSQL (`TEST_DATABASE_URL`).

mod audit;
mod auth;
mod common;
mod errors;
mod orgs;
mod pages;
mod residents;
mod residents_excel;
mod residents_import;
mod scope;
