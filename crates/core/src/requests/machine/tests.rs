use super::*;
use crate::requests::Rating;

const NONE: Context = Context {
    requester_has_account: true,
    extension_pending: false,
    reopens_spent: false,
};

#[test]
fn once_the_reopenings_are_spent_a_dissatisfied_rating_closes_the_request() {
    let spent = Context {
        reopens_spent: true,
        ..NONE
    };
    let d = Some(Rating::Dissatisfied);
    assert_eq!(
        next(Verified, Action::Rate, d, &[Requester], NONE),
        Ok(InProgress)
    );
    assert_eq!(
        next(Verified, Action::Rate, d, &[Requester], spent),
        Ok(Closed)
    );
    // Any other rating closes either way.
    let s = Some(Rating::Satisfied);
    assert_eq!(
        next(Verified, Action::Rate, s, &[Requester], NONE),
        Ok(Closed)
    );
    assert_eq!(
        next(Verified, Action::Rate, s, &[Requester], spent),
        Ok(Closed)
    );
}

#[test]
fn the_whole_loop_with_a_dissatisfied_rating_reopens_to_the_lead_unit_and_then_closes() {
    let steps: &[(Action, Option<Rating>, Party, Status)] = &[
        (Action::Accept, None, Desk, Accepted),
        (Action::Dispatch, None, Desk, Dispatched),
        (Action::Claim, None, LeadUnit, Claimed),
        (Action::Resolve, None, LeadUnit, Resolved),
        (Action::Verify, None, Desk, Verified),
        (
            Action::Rate,
            Some(Rating::Dissatisfied),
            Requester,
            InProgress,
        ),
        (Action::Resolve, None, LeadUnit, Resolved),
        (Action::Verify, None, Desk, Verified),
        (Action::Rate, Some(Rating::Satisfied), Requester, Closed),
    ];
    let mut s = Submitted;
    for (action, rating, party, want) in steps {
        s = next(s, *action, *rating, &[*party], NONE).unwrap();
        assert_eq!(s, *want, "after {action:?}");
    }
    assert!(!s.is_open());
}

#[test]
fn illegal_moves_are_refused_with_the_current_state_named() {
    let cases: &[(Status, Action, Party)] = &[
        (Submitted, Action::Dispatch, Desk),
        (Dispatched, Action::Accept, Desk),
        (Claimed, Action::Claim, LeadUnit),
        (Closed, Action::Rate, Requester),
        (Claimed, Action::Withdraw, Requester),
        (Resolved, Action::Resolve, LeadUnit),
        (Withdrawn, Action::Note, Desk),
    ];
    for (status, action, party) in cases {
        let e = next(*status, *action, Some(Rating::Satisfied), &[*party], NONE).unwrap_err();
        assert_eq!(e.code, "transition_not_allowed", "{status:?} {action:?}");
        assert!(e.message.contains(status.label_zh()), "{}", e.message);
    }
}

#[test]
fn each_step_belongs_to_its_party() {
    let cases: &[(Status, Action, Party)] = &[
        (Submitted, Action::Accept, LeadUnit),
        (Dispatched, Action::Claim, Desk),
        (Dispatched, Action::Claim, AssistUnit),
        (Claimed, Action::Resolve, Requester),
        (Submitted, Action::Withdraw, Desk),
        (Resolved, Action::Verify, LeadUnit),
    ];
    for (status, action, party) in cases {
        let e = next(*status, *action, None, &[*party], NONE).unwrap_err();
        assert_eq!(
            e.code, "not_your_step",
            "{status:?} {action:?} by {party:?}"
        );
    }
}

#[test]
fn the_desk_rates_on_behalf_only_when_the_requester_has_no_account() {
    let hotline = Context {
        requester_has_account: false,
        ..NONE
    };
    let r = Some(Rating::FairlySatisfied);
    assert_eq!(
        next(Verified, Action::Rate, r, &[Desk], hotline),
        Ok(Closed)
    );
    assert_eq!(
        next(Verified, Action::Rate, r, &[Desk], NONE)
            .unwrap_err()
            .code,
        "not_your_step"
    );
    assert_eq!(
        next(Verified, Action::Rate, None, &[Requester], NONE)
            .unwrap_err()
            .code,
        "missing_rating"
    );
}

#[test]
fn extensions_wait_for_one_decision_at_a_time() {
    let pending = Context {
        extension_pending: true,
        ..NONE
    };
    assert_eq!(
        next(
            InProgress,
            Action::RequestExtension,
            None,
            &[LeadUnit],
            NONE
        ),
        Ok(InProgress)
    );
    let twice = next(
        InProgress,
        Action::RequestExtension,
        None,
        &[LeadUnit],
        pending,
    );
    assert_eq!(twice.unwrap_err().code, "extension_pending");
    let nothing = next(InProgress, Action::ApproveExtension, None, &[Desk], NONE);
    assert_eq!(nothing.unwrap_err().code, "no_extension_pending");
    assert_eq!(
        next(Claimed, Action::ApproveExtension, None, &[Desk], pending),
        Ok(Claimed)
    );
}

#[test]
fn suspend_and_resume_and_return_go_where_the_dispatcher_expects() {
    assert_eq!(
        next(Claimed, Action::Suspend, None, &[Desk], NONE),
        Ok(Suspended)
    );
    assert_eq!(
        next(Suspended, Action::Resume, None, &[Desk], NONE),
        Ok(InProgress)
    );
    assert_eq!(
        next(Dispatched, Action::Return, None, &[LeadUnit], NONE),
        Ok(Returned)
    );
    assert_eq!(
        next(Returned, Action::Dispatch, None, &[Desk], NONE),
        Ok(Dispatched)
    );
    assert_eq!(
        next(Dispatched, Action::Withdraw, None, &[Requester], NONE),
        Ok(Withdrawn)
    );
}

#[test]
fn the_buttons_offered_match_the_party() {
    assert_eq!(
        available(Dispatched, &[LeadUnit], NONE),
        [Action::Claim, Action::Return, Action::Note]
    );
    assert_eq!(
        available(Dispatched, &[Requester], NONE),
        [Action::Withdraw]
    );
    assert_eq!(available(Closed, &[Desk, LeadUnit, Requester], NONE), []);
}

#[test]
fn every_open_state_can_be_left_and_every_closed_one_cannot() {
    let everyone = [Requester, Desk, LeadUnit, AssistUnit];
    let ctx = Context {
        requester_has_account: false,
        extension_pending: true,
        reopens_spent: false,
    };
    for s in Status::ALL {
        let moves: Vec<Action> = available(*s, &everyone, ctx)
            .into_iter()
            .filter(|a| rule_for(*a).to.is_some())
            .collect();
        assert_eq!(!moves.is_empty(), s.is_open(), "{s:?}: {moves:?}");
    }
}

#[test]
fn supervising_presses_the_unit_holding_the_request_and_escalating_restarts_acceptance_above() {
    assert_eq!(
        next(InProgress, Action::Supervise, None, &[Supervisor], NONE),
        Ok(InProgress)
    );
    assert_eq!(
        next(Submitted, Action::Supervise, None, &[Desk], NONE)
            .unwrap_err()
            .code,
        "transition_not_allowed",
        "nobody holds it yet"
    );
    assert_eq!(
        next(Accepted, Action::Escalate, None, &[Desk], NONE),
        Ok(Submitted)
    );
    assert_eq!(
        next(Accepted, Action::Escalate, None, &[Supervisor], NONE)
            .unwrap_err()
            .code,
        "not_your_step"
    );
}
