//! Jiceng domain: plain types and rules with no I/O, so they can be tested table by table and
//! shared by the store, the web layer and background jobs.

/// An enum of identifiers with Chinese and English labels; `parse` takes either form.
macro_rules! labelled {
    ($name:ident { $( $variant:ident = $s:literal, $zh:literal, $en:literal; )* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),* } }
            pub fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh),* } }
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en),* } }
            /// By identifier or by the Chinese label (as typed in a spreadsheet).
            pub fn parse(s: &str) -> Option<Self> {
                match s.trim() { $($s | $zh => Some($name::$variant),)* _ => None }
            }
        }
    };
}

pub mod account;
pub mod calendar;
pub mod clock;
pub mod division;
pub mod error;
pub mod household;
pub mod node;
pub mod org;
pub mod people;
pub mod place_label;
pub mod requests;
pub mod role;
pub mod scope;
pub mod throttle;
pub mod whistle;

pub use error::DomainError;
