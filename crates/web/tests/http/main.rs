//! HTTP behaviour through the real router, on SQLite or PostgreSQL (`TEST_DATABASE_URL`).

mod audit;
mod auth;
mod calendar;
mod common;
mod coverage_export;
mod dashboard_pages;
mod errors;
mod grid_staff_import;
mod open311;
mod open311_more;
mod orgs;
mod orgs_import;
mod pages;
mod party_members_import;
mod party_members_list;
mod places_import;
mod request_pages;
mod residents;
mod residents_excel;
mod residents_import;
mod requests;
mod requests_more;
mod rates;
mod rosters;
mod scope;
mod setup_pages;
