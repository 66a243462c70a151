//! The figures of the loop, one definition each (`docs/RATES.md`). A request belongs to the
//! period (month, Beijing time) in which it was submitted and to every place above it; each
//! figure is a count of requests meeting a condition on the request's own record, and each rate
//! divides two such counts. The store keeps the counts as counters updated in the same
//! transaction as the request, and lists the requests behind each by the same conditions.

use super::{Rating, Status};

labelled!(Metric {
    Submitted = "submitted", "诉求数", "Requests";
    Accepted = "accepted", "受理数", "Accepted";
    Declined = "declined", "不予受理数", "Declined";
    Dispatched = "dispatched", "派单数", "Dispatched";
    RespondedOnTime = "responded_on_time", "按时响应数", "Claimed on time";
    Resolvable = "resolvable", "应办结数", "To resolve";
    Closed = "closed", "办结数", "Closed";
    ClosedOnTime = "closed_on_time", "按时办结数", "Closed on time";
    Rated = "rated", "评价数", "Rated";
    Satisfied = "satisfied", "满意数", "Satisfied";
    Returned = "returned", "退单诉求数", "Returned";
    Overdue = "overdue", "超期诉求数", "Overdue";
    Reopened = "reopened", "重办诉求数", "Reopened";
    Open = "open", "在办数", "Open";
    Supervised = "supervised", "督办诉求数", "Supervised";
    Escalated = "escalated", "呼叫上级诉求数", "Escalated";
});

labelled!(Rate {
    ResponseRate = "response_rate", "响应率", "Response rate";
    OnTimeRate = "on_time_rate", "按时办结率", "On-time resolution rate";
    SatisfactionRate = "satisfaction_rate", "满意率", "Satisfaction rate";
    ResolutionRate = "resolution_rate", "解决率", "Resolution rate";
    ReturnRate = "return_rate", "退单率", "Return rate";
});

impl Rate {
    /// Numerator and denominator.
    pub fn parts(self) -> (Metric, Metric) {
        match self {
            Rate::ResponseRate => (Metric::RespondedOnTime, Metric::Dispatched),
            Rate::OnTimeRate => (Metric::ClosedOnTime, Metric::Closed),
            Rate::SatisfactionRate => (Metric::Satisfied, Metric::Rated),
            Rate::ResolutionRate => (Metric::Closed, Metric::Resolvable),
            Rate::ReturnRate => (Metric::Returned, Metric::Dispatched),
        }
    }

    /// Per mille, or `None` when nothing was counted (shown as "—", never as 0 % or 100 %).
    pub fn per_mille(num: i64, den: i64) -> Option<i64> {
        (den > 0).then(|| (num * 1000 + den / 2) / den)
    }
}

/// What the definitions read from a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub status: Status,
    pub accepted: bool,
    pub dispatched: bool,
    pub claimed: bool,
    /// The claim deadline passed before the claim (the ticker flagged it).
    pub claim_late: bool,
    /// A resolve deadline passed before the request was resolved.
    pub resolve_late: bool,
    pub rating: Option<Rating>,
    pub return_count: i64,
    pub overdue_count: i64,
    pub reopen_count: i64,
    pub supervise_count: i64,
    pub escalation_count: i64,
}

/// The counts a request is in. `Submitted` always; the rest by the definitions of RATES.md.
pub fn metrics(f: &Facts) -> Vec<Metric> {
    let mut m = vec![Metric::Submitted];
    let mut add = |cond: bool, x: Metric| {
        if cond {
            m.push(x);
        }
    };
    add(f.accepted, Metric::Accepted);
    add(f.status == Status::Declined, Metric::Declined);
    add(f.dispatched, Metric::Dispatched);
    add(f.claimed && !f.claim_late, Metric::RespondedOnTime);
    add(
        f.accepted && !matches!(f.status, Status::Withdrawn | Status::Merged),
        Metric::Resolvable,
    );
    let closed = f.status == Status::Closed;
    add(closed, Metric::Closed);
    add(closed && !f.resolve_late, Metric::ClosedOnTime);
    add(f.rating.is_some(), Metric::Rated);
    add(
        matches!(f.rating, Some(Rating::Satisfied | Rating::FairlySatisfied)),
        Metric::Satisfied,
    );
    add(f.return_count > 0, Metric::Returned);
    add(f.overdue_count > 0, Metric::Overdue);
    add(f.reopen_count > 0, Metric::Reopened);
    add(f.status.is_open(), Metric::Open);
    add(f.supervise_count > 0, Metric::Supervised);
    add(f.escalation_count > 0, Metric::Escalated);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: Status) -> Facts {
        Facts {
            status,
            accepted: true,
            dispatched: true,
            claimed: true,
            claim_late: false,
            resolve_late: false,
            rating: None,
            return_count: 0,
            overdue_count: 0,
            reopen_count: 0,
            supervise_count: 0,
            escalation_count: 0,
        }
    }

    #[test]
    fn a_reopened_request_counts_as_dissatisfied_until_rated_again() {
        let reopened = Facts {
            rating: Some(Rating::Dissatisfied),
            reopen_count: 1,
            ..facts(Status::InProgress)
        };
        let m = metrics(&reopened);
        assert!(m.contains(&Metric::Rated) && !m.contains(&Metric::Satisfied));
        assert!(m.contains(&Metric::Reopened) && m.contains(&Metric::Open));
        assert!(!m.contains(&Metric::Closed));
        let closed = Facts {
            rating: Some(Rating::FairlySatisfied),
            ..reopened
        };
        let m = metrics(&Facts {
            status: Status::Closed,
            ..closed
        });
        assert!(m.contains(&Metric::Satisfied) && m.contains(&Metric::ClosedOnTime));
    }

    #[test]
    fn late_steps_leave_the_on_time_counts() {
        let late = Facts {
            claim_late: true,
            resolve_late: true,
            overdue_count: 2,
            ..facts(Status::Closed)
        };
        let m = metrics(&late);
        assert!(!m.contains(&Metric::RespondedOnTime) && !m.contains(&Metric::ClosedOnTime));
        assert!(m.contains(&Metric::Closed) && m.contains(&Metric::Overdue));
    }

    #[test]
    fn withdrawn_and_merged_requests_are_not_owed_a_resolution() {
        for s in [Status::Withdrawn, Status::Merged] {
            assert!(!metrics(&facts(s)).contains(&Metric::Resolvable));
        }
        assert!(metrics(&facts(Status::InProgress)).contains(&Metric::Resolvable));
    }

    #[test]
    fn rates_round_half_up_and_are_empty_without_a_denominator() {
        assert_eq!(Rate::per_mille(2, 3), Some(667));
        assert_eq!(Rate::per_mille(0, 0), None);
        assert_eq!(
            Rate::SatisfactionRate.parts(),
            (Metric::Satisfied, Metric::Rated)
        );
    }
}
