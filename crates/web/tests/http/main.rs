//! HTTP behaviour through the real router, on SQLite or PostgreSQL (`TEST_DATABASE_URL`).

mod audit;
mod auth;
mod common;
mod errors;
mod pages;
mod residents;
mod scope;
