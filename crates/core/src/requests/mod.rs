//! The request loop (群众点单 → 中心派单 → 单位接单 → 办结 → 评价): request classes, the state
//! machine, SLA stages and routing. Plain rules over plain values; the store applies them.

pub mod catalogue;
pub mod machine;
pub mod questions;
pub mod rates;
pub mod routing;
pub mod sla;

pub use machine::{Action, Party, Status};

labelled!(Severity {
    General = "general", "一般", "General";
    Important = "important", "重要", "Important";
    Major = "major", "重大", "Major";
});

labelled!(Channel {
    Resident = "resident", "群众点单", "Resident";
    GridPatrol = "grid_patrol", "网格发现", "Grid patrol";
    Hotline = "hotline", "热线代办", "Hotline / on behalf";
    Open311 = "open311", "第三方平台", "Open311 system";
});

impl Channel {
    /// Recorded for a person who has no account here (a caller, another system's user): the
    /// request names them, and the desk records their rating after its callback.
    pub fn for_someone_else(self) -> bool {
        matches!(self, Channel::Hotline | Channel::Open311)
    }
}

labelled!(Rating {
    Satisfied = "satisfied", "满意", "Satisfied";
    FairlySatisfied = "fairly_satisfied", "基本满意", "Fairly satisfied";
    Dissatisfied = "dissatisfied", "不满意", "Dissatisfied";
});

impl Rating {
    /// A dissatisfied rating sends the request back to the lead unit instead of closing it,
    /// as long as the policy's reopenings are not spent (`machine::Context::reopens_spent`).
    pub fn reopens(self) -> bool {
        self == Rating::Dissatisfied
    }
}
