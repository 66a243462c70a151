//! The demo's resident and party member have requests of their own, so their first sign-in
//! shows what a resident sees, with one waiting for the resident's rating.

use crate::demo_gen::Rng;
use crate::demo_history::{Life, live};
use crate::demo_logins::DemoLogin;
use crate::demo_requests::{DemoCategory, Place, phrase, pick_category, submitted_at};
use chrono::{DateTime, Datelike, Duration, Utc};
use jiceng_core::calendar::{Calendar, OfficeHours};
use jiceng_core::requests::sla::{self, SlaPolicy};
use jiceng_core::requests::{Channel, Status};
use jiceng_store::requests::history::{self, PastRequest};
use jiceng_store::{Actor, Db};

type Res<T> = Result<T, String>;

/// The requests of the `resident` and `member` logins: the resident's from 34 days ago, 6 days
/// ago (resolved and verified, for them to rate) and today; the member's from 12 days ago.
pub async fn for_logins(
    db: &Db,
    actor: &Actor,
    home: &Place<'_>,
    cats: &[DemoCategory],
    logins: &[DemoLogin],
    seed: u64,
) -> Res<()> {
    let awaiting_rating = Some(Status::Verified);
    let lives = [
        (
            "resident",
            &[(34, None), (6, awaiting_rating), (0, None)][..],
        ),
        ("member", &[(12, None)][..]),
    ];
    for (login, days_ago) in lives {
        if let Some(l) = logins.iter().find(|l| l.login == login) {
            let seed = crate::demo_scale::mix(seed, &format!("own {login}"));
            let who = (l.user_id, l.display_name.as_str());
            own(db, actor, home, cats, who, days_ago, actor.at, seed).await?;
        }
    }
    Ok(())
}

/// The demo resident's (or party member's) own requests, so "我的诉求" shows what a resident
/// sees: one submitted `days_ago` each, in the app as any resident's, living the life the
/// history gives every request (closed and rated, in hand, or still waiting). Where a status
/// is asked for, lives are drawn until one stands there now — so the resident finds a request
/// resolved and verified, waiting for their rating (评价), the step that is theirs.
#[allow(clippy::too_many_arguments)]
async fn own(
    db: &Db,
    actor: &Actor,
    place: &Place<'_>,
    cats: &[DemoCategory],
    (user_id, name): (i64, &str),
    days_ago: &[(i64, Option<Status>)],
    now: DateTime<Utc>,
    seed: u64,
) -> Res<()> {
    if cats.is_empty() {
        return Ok(());
    }
    let cal = Calendar::shipped();
    let office = OfficeHours::default();
    let policy = SlaPolicy::default();
    let life = Life {
        cal: &cal,
        office: &office,
        policy: &policy,
        now,
    };
    let mut rng = Rng::new(seed);
    let today = sla::local(now).date();
    let rows: Vec<PastRequest> = days_ago
        .iter()
        .map(|(d, want)| {
            let day = today - Duration::days(*d);
            let mut draw = || {
                let cat = pick_category(&mut rng, cats, day.month());
                let submitted = submitted_at(&mut rng, day, now);
                let text = *rng.pick(phrase(&cat.category.code));
                live(&life, &mut rng, cat, place, submitted, name.into(), text)
            };
            let mut r = draw();
            for _ in 0..500 {
                if want.is_none_or(|s| r.status == s) {
                    break;
                }
                r = draw();
            }
            r.requester_user_id = Some(user_id);
            r.channel = Channel::Resident;
            if let Some(submit) = r.events.first_mut() {
                submit.actor_user_id = Some(user_id);
                submit.note = Channel::Resident.label_zh().into();
            }
            r
        })
        .collect();
    history::insert(db, actor, &rows)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}
