//! The demo county's request loop: the shipped categories, one county department per catalogue
//! department with routing rules suggesting it, and a year of request history — seasonal mix
//! (供暖 in winter, 积水 in summer), SLA outcomes on the real calendar, returns, reopenings and
//! ratings — loaded in bulk. The same seed gives the same history.

use crate::demo_gen::{Rng, full_name};
use crate::demo_history::{Life, live};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use jiceng_core::calendar::{Calendar, OfficeHours};
use jiceng_core::node::NodeKind;
use jiceng_core::org::OrgKind;
use jiceng_core::requests::catalogue::Catalogue;
use jiceng_core::requests::sla::{self, SlaPolicy};
use jiceng_core::scope::Scope;
use jiceng_store::nodes::Node;
use jiceng_store::orgs::{self, NewOrganisation};
use jiceng_store::requests::categories::{self, Category};
use jiceng_store::requests::history::{self, PastRequest};
use jiceng_store::requests::routing::{self, NewRule};
use jiceng_store::{Actor, Db};
use std::collections::HashMap;

type Res<T> = Result<T, String>;

fn e(err: impl std::fmt::Display) -> String {
    err.to_string()
}

/// A category as the generator uses it: who leads it and how often it comes up.
pub struct DemoCategory {
    pub category: Category,
    pub lead_org_id: i64,
    pub lead_name: String,
    /// Received by the community where it happens (分级响应) rather than the street.
    pub community_desk: bool,
}

/// What a community settles first (分级响应: 人民调解, 困难帮扶, the neighbours' leak and noise,
/// the estate's property company and parking), calling the street when it cannot: the demo's
/// routing sends these to the community's own desk, so the community login has a queue.
const COMMUNITY_FIRST: &[&str] = &[
    "dispute",
    "hardship",
    "house_leak",
    "noise",
    "property_service",
    "parking_shortage",
    "other",
];

/// How many times more requests a grid of a residents' committee (居民委员会, the town's
/// estates) brings than a village's (村民委员会): most of a county's committees are villages,
/// but most of its requests come from the town.
const URBAN_WEIGHT: u64 = 4;

/// Categories, departments at the county and a routing rule per category suggesting its
/// department. Returns the categories with their lead units, and the departments by key.
pub async fn setup(
    db: &Db,
    actor: &Actor,
    county: &Node,
) -> Res<(Vec<DemoCategory>, HashMap<String, i64>)> {
    categories::seed_if_empty(db, actor).await.map_err(e)?;
    let catalogue = Catalogue::shipped();
    let everything = Scope::everything();
    let mut departments = HashMap::new();
    for d in &catalogue.departments {
        let org = orgs::create_organisation(
            db,
            &everything,
            actor,
            NewOrganisation {
                kind: OrgKind::Department,
                name: format!("{}{}", county.name, d.name),
                home_node_id: county.id,
                credit_code: String::new(),
                contact_name: String::new(),
                contact_phone: String::new(),
                serves: vec![],
            },
        )
        .await
        .map_err(e)?;
        departments.insert(d.key.clone(), (org.id, org.name));
    }
    let mut out = Vec::new();
    for c in categories::list(db, true).await.map_err(e)? {
        let spec = catalogue
            .categories
            .iter()
            .find(|s| s.code == c.code)
            .ok_or_else(|| format!("分类 {} 不在目录中", c.code))?;
        let (org, name) = departments
            .get(&spec.department)
            .cloned()
            .ok_or_else(|| format!("部门 {} 不存在", spec.department))?;
        let community_desk = COMMUNITY_FIRST.contains(&c.code.as_str());
        let rule = NewRule {
            category_id: Some(c.id),
            node_id: county.id,
            desk_node_id: None,
            desk_level: community_desk.then_some(NodeKind::Community),
            lead_org_id: Some(org),
            auto_dispatch: false,
        };
        routing::create(db, &everything, actor, rule)
            .await
            .map_err(e)?;
        out.push(DemoCategory {
            category: c,
            lead_org_id: org,
            lead_name: name,
            community_desk,
        });
    }
    let by_key = departments
        .into_iter()
        .map(|(k, (id, _))| (k, id))
        .collect();
    Ok((out, by_key))
}

/// How much more often a category comes up in `month` than on average (×10).
fn season(code: &str, month: u32) -> u64 {
    let winter = matches!(month, 11 | 12 | 1 | 2 | 3);
    let summer = matches!(month, 6..=8);
    match code {
        "heating" if winter => 60,
        "heating" => 1,
        "waterlogging" | "sewer_blockage" if summer => 50,
        "waterlogging" => 3,
        "gas" | "fire_safety" if winter => 20,
        "greening" | "noise" if summer => 20,
        "sanitation" | "property_service" | "illegal_parking" | "street_vending" => 25,
        "old_community_renovation" => 4,
        _ => 10,
    }
}

pub(crate) fn pick_category<'a>(
    rng: &mut Rng,
    cats: &'a [DemoCategory],
    month: u32,
) -> &'a DemoCategory {
    let total: u64 = cats.iter().map(|c| season(&c.category.code, month)).sum();
    let mut x = rng.range(0, total - 1);
    for c in cats {
        let w = season(&c.category.code, month);
        if x < w {
            return c;
        }
        x -= w;
    }
    &cats[cats.len() - 1]
}

/// What residents write, by category.
pub(crate) fn phrase(code: &str) -> &'static [&'static str] {
    match code {
        "water_supply" => &[
            "停水两天了，没有任何通知",
            "自来水发黄，有异味",
            "水压太低，楼上用不上水",
        ],
        "heating" => &[
            "暖气不热，室内只有十四五度",
            "暖气漏水，泡了地板",
            "供暖后一直不热，老人受不了",
        ],
        "gas" => &["楼道里有煤气味", "燃气表不走字，无法充值"],
        "street_lighting" => &["路灯不亮，晚上出行不安全", "路灯白天也亮着，浪费电"],
        "sewer_blockage" => &["下水道堵塞，污水外溢", "化粪池满了，臭味很大"],
        "waterlogging" => &[
            "下雨后路面积水严重，老人孩子出行困难",
            "小区门口积水没过脚踝",
        ],
        "old_community_renovation" => &[
            "老旧小区外墙脱落，希望纳入改造",
            "楼道没有扶手，希望改造时加装",
        ],
        "property_service" => &["物业不打扫楼道", "物业费收了不办事，门禁坏了没人修"],
        "house_leak" => &["楼上漏水到我家天花板", "顶楼屋面漏雨"],
        "elevator_fault" => &["电梯经常停运", "电梯异响，不敢坐"],
        "parking_shortage" => &["小区车位太少，天天抢车位", "希望规划停车位"],
        "illegal_construction" => &["一楼住户私搭乱建占用绿地", "楼顶违建彩钢房"],
        "street_vending" => &["早市占道经营堵塞交通", "门口烧烤摊占道，油烟大"],
        "illegal_parking" => &["车辆乱停堵住消防通道", "小区门口乱停车，救护车进不来"],
        "sanitation" => &["垃圾桶满了没人清运", "楼下垃圾堆积，蚊蝇多"],
        "greening" => &["树枝挡住窗户，希望修剪", "绿地被毁，希望补种"],
        "noise" => &["夜里广场舞音响太吵", "装修噪音影响休息"],
        "pollution" => &["附近小作坊排放刺鼻气体", "河沟里有人倾倒污水"],
        "fire_safety" => &["楼道堆放杂物，存在消防隐患", "电动车在楼道充电"],
        "safety_hazard" => &["井盖缺失，容易伤人", "广告牌松动，大风天危险"],
        "food_safety" => &["小饭馆卫生差，吃坏了肚子", "超市卖过期食品"],
        "dispute" => &["邻里因漏水纠纷多次争吵", "楼上楼下因噪音产生矛盾"],
        "hardship" => &["独居老人生活困难，希望帮扶", "残疾人家庭需要帮助"],
        _ => &["有问题需要社区协调解决", "希望有关部门来看一看"],
    }
}

/// Where a request can be: a grid with its community and the desk (street) above it.
pub struct Place<'a> {
    pub grid: &'a Node,
    /// The desk of the categories a community receives (`DemoCategory::community_desk`).
    pub community: &'a Node,
    pub desk_path: &'a str,
    pub desk_name: &'a str,
}

/// A year of history up to `now`: `n` requests, loaded in batches with a progress bar.
pub async fn history(
    db: &Db,
    actor: &Actor,
    places: &[Place<'_>],
    cats: &[DemoCategory],
    n: usize,
    now: DateTime<Utc>,
    seed: u64,
) -> Res<()> {
    if places.is_empty() || cats.is_empty() || n == 0 {
        return Ok(());
    }
    let cal = Calendar::shipped();
    let office = OfficeHours::default();
    let policy = SlaPolicy::default();
    let mut rng = Rng::new(seed);
    let weights = Weights::of(places);
    // Days of Beijing's calendar, the last one today.
    let start = sla::local(now).date() - Duration::days(365);
    let batch = 5_000;
    let mut done = 0;
    while done < n {
        let mut rows: Vec<PastRequest> = Vec::with_capacity(batch);
        for _ in 0..batch.min(n - done) {
            // Spread evenly over the year, so the last days hold the requests still open.
            let day = start + Duration::days((rng.next() % 365) as i64 + 1);
            let place = &places[weights.pick(&mut rng)];
            let cat = pick_category(&mut rng, cats, day.month());
            let submitted = submitted_at(&mut rng, day, now);
            let life = Life {
                cal: &cal,
                office: &office,
                policy: &policy,
                now,
            };
            let requester = full_name(&mut rng);
            let text = *rng.pick(phrase(&cat.category.code));
            rows.push(live(
                &life, &mut rng, cat, place, submitted, requester, text,
            ));
        }
        history::insert(db, actor, &rows).await.map_err(e)?;
        done += rows.len();
        crate::demo::progress("生成诉求历史", done, n);
    }
    Ok(())
}

/// Where the requests fall: a place's share is its weight (`URBAN_WEIGHT`), drawn by the
/// running sums.
struct Weights(Vec<u64>);

impl Weights {
    fn of(places: &[Place<'_>]) -> Self {
        Self::new(places.iter().map(|p| {
            if p.community.name.ends_with("居民委员会") {
                URBAN_WEIGHT
            } else {
                1
            }
        }))
    }

    fn new(weights: impl Iterator<Item = u64>) -> Self {
        let mut sum = 0;
        Weights(
            weights
                .map(|w| {
                    sum += w;
                    sum
                })
                .collect(),
        )
    }

    /// The index of a place, each as likely as its weight.
    fn pick(&self, rng: &mut Rng) -> usize {
        let total = self.0.last().copied().unwrap_or(1);
        let x = rng.next() % total;
        self.0.partition_point(|&s| s <= x)
    }
}

/// A time between 07:00 and 22:00 Beijing time on `day`, busier in office hours. Today's hours
/// that have not come yet are taken from the day before: the history never runs ahead of `now`
/// (a demo opened in the morning showed requests submitted that evening).
pub(crate) fn submitted_at(rng: &mut Rng, day: NaiveDate, now: DateTime<Utc>) -> DateTime<Utc> {
    let minute = if rng.chance(70) {
        rng.range(8 * 60, 18 * 60)
    } else {
        rng.range(7 * 60, 22 * 60)
    };
    let local = day.and_hms_opt(0, 0, 0).expect("midnight") + Duration::minutes(minute as i64);
    let at = sla::instant(local);
    if at > now { at - Duration::days(1) } else { at }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_drawn_as_often_as_its_weight() {
        let weights = Weights::new([URBAN_WEIGHT, 1, 0, 1].into_iter());
        let mut rng = Rng::new(3);
        let mut seen = [0u32; 4];
        // Weights 4 + 1 + 0 + 1 of 6: 40,000, 10,000, none and 10,000 of 60,000.
        for _ in 0..60_000 {
            seen[weights.pick(&mut rng)] += 1;
        }
        assert_eq!(seen[2], 0, "a weight of nothing is never drawn");
        assert!((38_500..41_500).contains(&seen[0]), "{seen:?}");
        assert!((9_300..10_700).contains(&seen[1]), "{seen:?}");
        assert!((9_300..10_700).contains(&seen[3]), "{seen:?}");
    }

    #[test]
    fn todays_requests_are_submitted_before_now() {
        let morning = NaiveDate::from_ymd_opt(2026, 11, 23)
            .and_then(|d| d.and_hms_opt(10, 54, 0))
            .expect("a time");
        let now = sla::instant(morning);
        let mut rng = Rng::new(7);
        let times: Vec<_> = (0..2_000)
            .map(|_| submitted_at(&mut rng, morning.date(), now))
            .collect();
        assert!(times.iter().all(|t| *t <= now), "none after now");
        assert!(
            times
                .iter()
                .any(|t| sla::local(*t).date() == morning.date())
        );
        assert!(times.iter().all(|t| now - *t < Duration::days(2)));
    }
}
