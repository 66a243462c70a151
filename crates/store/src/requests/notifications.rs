//! Who hears of what happens to a request, and what their inbox says. One place for the
//! steps a loaded history also holds (a new request, dispatch, return, resolve, verify, a
//! reopening rating, a deadline passed), so the live loop (`intake`, `transition`, `ticker`)
//! and the inbox derived from a history (`history_notifications`) cannot word them differently.

use jiceng_core::requests::sla::Stage;

/// An inbox notice: to a unit, a desk or a user, of a kind, with a message.
pub(crate) type Notice = (
    Option<i64>,
    Option<String>,
    Option<i64>,
    &'static str,
    String,
);

/// How a notice names its request: `诉求 #12（路灯不亮）`.
pub(crate) fn what(id: i64, category: &str) -> String {
    format!("诉求 #{id}（{category}）")
}

/// To the desk: a request has come in.
pub(crate) fn new_request(desk: &str, category: &str, place: &str) -> Notice {
    let msg = format!("新诉求：{category}（{place}）");
    (None, Some(desk.to_owned()), None, "new_request", msg)
}

/// To the lead unit: it has been sent a request. `what` as [`what`], or the category and place
/// for a request dispatched at its intake.
pub(crate) fn dispatched(lead: i64, what: &str) -> Notice {
    let msg = format!("新派单：{what}");
    (Some(lead), None, None, "dispatched", msg)
}

/// To the desk: the unit sent the request back, saying why.
pub(crate) fn returned(desk: &str, what: &str, reason: &str) -> Notice {
    let msg = format!("退单：{what}：{reason}");
    (None, Some(desk.to_owned()), None, "returned", msg)
}

/// To the desk: the unit reports the request done; it waits for checking.
pub(crate) fn resolved(desk: &str, what: &str) -> Notice {
    let msg = format!("待核查：{what}");
    (None, Some(desk.to_owned()), None, "resolved", msg)
}

/// To the requester: their request is done and waits for their rating.
pub(crate) fn rate(requester: i64, what: &str) -> Notice {
    let msg = format!("您的{what}已办结，请评价");
    (None, None, Some(requester), "rate", msg)
}

/// To the lead unit: the requester was not satisfied, the request is open again.
pub(crate) fn reopened(lead: Option<i64>, what: &str) -> Notice {
    let msg = format!("群众不满意，重新办理：{what}");
    (lead, None, None, "reopened", msg)
}

/// To the lead unit and the desk: dissatisfied again after the re-handling the policy allows,
/// the request is closed as rated (不满意) and counts so in both's 满意率.
pub(crate) fn closed_dissatisfied(
    lead: Option<i64>,
    desk: &str,
    what: &str,
    reopens: i64,
) -> Vec<Notice> {
    let msg = format!("群众仍不满意（已重办{reopens}次），按不满意办结：{what}");
    let kind = "closed_dissatisfied";
    let mut to = vec![(None, Some(desk.to_owned()), None, kind, msg.clone())];
    if lead.is_some() {
        to.push((lead, None, None, kind, msg));
    }
    to
}

/// A deadline passed: the unit holding the request hears of it; before dispatch the desk is
/// the one late. `what` as [`what`]: a unit told of forty late requests at the close of a
/// working day tells them apart by their category.
pub(crate) fn overdue(what: &str, stage: Option<Stage>, lead: Option<i64>, desk: &str) -> Notice {
    let label = stage.map_or("办理", |s| s.label_zh());
    let msg = format!("{what}{label}超期");
    match (stage, lead) {
        (Some(Stage::Claim | Stage::Resolve), Some(org)) => (Some(org), None, None, "overdue", msg),
        _ => (None, Some(desk.to_owned()), None, "overdue", msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_unit_hears_of_its_own_deadline_and_the_desk_of_the_rest() {
        let w = what(7, "路灯不亮");
        let at_unit = overdue(&w, Some(Stage::Resolve), Some(3), "/d/");
        assert_eq!((at_unit.0, at_unit.1.as_deref()), (Some(3), None));
        assert_eq!(
            at_unit.4,
            format!("诉求 #7（路灯不亮）{}超期", Stage::Resolve.label_zh())
        );
        let at_desk = overdue(&w, Some(Stage::Dispatch), Some(3), "/d/");
        assert_eq!((at_desk.0, at_desk.1.as_deref()), (None, Some("/d/")));
        let unclaimed = overdue(&w, Some(Stage::Claim), None, "/d/");
        assert_eq!(unclaimed.1.as_deref(), Some("/d/"));
    }
}
