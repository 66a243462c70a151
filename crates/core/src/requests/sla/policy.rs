//! The installation's time limits (办理时限) and how often a dissatisfied rating reopens a
//! request (重办次数上限): one record, set by a district administrator.

use super::super::Severity;
use crate::DomainError;
use crate::calendar::Sla;
use serde::{Deserialize, Serialize};

/// Time limits for every stage; installation-wide, categories may override the resolve days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub accept_hours: u32,
    pub dispatch_hours: u32,
    pub claim_hours: u32,
    pub resolve_days: Sla,
    /// How many times a 不满意 sends a request back to its unit; the next 不满意 closes it as
    /// rated. Absent in policies saved before it existed: those get the default.
    #[serde(default = "default_reopen_limit")]
    pub reopen_limit: u32,
}

/// 12345 hotlines re-handle a request once after a 不满意 (重办) and then close it as rated.
pub const DEFAULT_REOPEN_LIMIT: u32 = 1;

fn default_reopen_limit() -> u32 {
    DEFAULT_REOPEN_LIMIT
}

/// Bounds of each figure: wide enough for any practice the seeds describe, narrow enough to
/// catch a slip (48 hours to accept is six working days).
pub const HOURS: (u32, u32) = (1, 48);
pub const DAYS: (u32, u32) = (1, 60);
pub const REOPENS: (u32, u32) = (0, 5);

/// One figure as `check` sees it: its JSON field, value, bounds, name and unit in the message.
type Figure = (&'static str, u32, (u32, u32), &'static str, &'static str);

impl Default for SlaPolicy {
    fn default() -> Self {
        Self {
            accept_hours: 2,
            dispatch_hours: 2,
            claim_hours: 4,
            resolve_days: crate::calendar::DEFAULT_SLA,
            reopen_limit: DEFAULT_REOPEN_LIMIT,
        }
    }
}

impl SlaPolicy {
    pub fn resolve_days(&self, severity: Severity, category_days: Option<u32>) -> u32 {
        category_days.unwrap_or(match severity {
            Severity::General => self.resolve_days.general,
            Severity::Important => self.resolve_days.important,
            Severity::Major => self.resolve_days.major,
        })
    }

    /// Whether a request reopened `reopen_count` times may be reopened again.
    pub fn reopens_spent(&self, reopen_count: i64) -> bool {
        reopen_count >= i64::from(self.reopen_limit)
    }

    /// Every figure within its bounds; the first one out is named, by its field in the API's
    /// JSON (`resolve_days.general` for the nested ones).
    pub fn check(&self) -> Result<(), DomainError> {
        let (h, d) = ("个工作小时", "个工作日");
        let figures: [Figure; 7] = [
            ("accept_hours", self.accept_hours, HOURS, "受理时限", h),
            ("dispatch_hours", self.dispatch_hours, HOURS, "派单时限", h),
            ("claim_hours", self.claim_hours, HOURS, "接单时限", h),
            (
                "resolve_days.general",
                self.resolve_days.general,
                DAYS,
                "一般诉求办结时限",
                d,
            ),
            (
                "resolve_days.important",
                self.resolve_days.important,
                DAYS,
                "重要诉求办结时限",
                d,
            ),
            (
                "resolve_days.major",
                self.resolve_days.major,
                DAYS,
                "重大诉求办结时限",
                d,
            ),
            (
                "reopen_limit",
                self.reopen_limit,
                REOPENS,
                "不满意重办次数",
                "次",
            ),
        ];
        for (field, v, (lo, hi), name, unit) in figures {
            if !(lo..=hi).contains(&v) {
                return Err(DomainError::new(
                    "out_of_range",
                    field,
                    format!("{name}须在{lo}至{hi}{unit}之间"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_saved_before_the_reopen_limit_reads_with_the_default() {
        let old = r#"{"accept_hours":2,"dispatch_hours":2,"claim_hours":4,
            "resolve_days":{"general":2,"important":3,"major":10}}"#;
        let p: SlaPolicy = serde_json::from_str(old).unwrap();
        assert_eq!(p, SlaPolicy::default());
        assert!(!p.reopens_spent(0));
        assert!(p.reopens_spent(1));
    }

    #[test]
    fn each_figure_out_of_bounds_is_named() {
        assert_eq!(SlaPolicy::default().check(), Ok(()));
        let mut p = SlaPolicy::default();
        p.resolve_days.major = 61;
        let e = p.check().unwrap_err();
        assert_eq!((e.code, e.field), ("out_of_range", "resolve_days.major"));
        assert!(e.message.contains("1至60个工作日"), "{}", e.message);
        let p = SlaPolicy {
            accept_hours: 0,
            ..SlaPolicy::default()
        };
        assert_eq!(p.check().unwrap_err().field, "accept_hours");
        let p = SlaPolicy {
            reopen_limit: 6,
            ..SlaPolicy::default()
        };
        assert_eq!(p.check().unwrap_err().field, "reopen_limit");
        let none = SlaPolicy {
            reopen_limit: 0,
            ..SlaPolicy::default()
        };
        assert_eq!(none.check(), Ok(()));
        assert!(none.reopens_spent(0));
    }
}
