//! Jiceng domain: plain types and rules with no I/O, so they can be tested table by table and
//! shared by the store, the web layer and background jobs.

pub mod account;
pub mod calendar;
pub mod clock;
pub mod division;
pub mod error;
pub mod household;
pub mod node;
pub mod org;
pub mod people;
pub mod role;
pub mod scope;
pub mod throttle;

pub use error::DomainError;
