//! Exports and imports in the formats street offices use: Excel (xlsx) and CSV.

pub mod divisions;
pub mod roster;
pub mod table;

pub use table::{Table, to_csv, to_xlsx};
