//! Deterministic, plausible detail for the demo county: estates, residents in households with
//! valid 身份证 numbers and phones, a party committee per community with a branch per grid,
//! party members (about 7 % of adults), grid staff around the "1+1+X+N" norm, property
//! companies and owners' committees. The same seed always gives the same county.

use chrono::{Datelike, NaiveDate};
use jiceng_core::household::HouseholdRelation;
use jiceng_core::people::{IdCardNo, Phone};
use std::collections::HashMap;

/// xorshift64*: small, fast and deterministic; quality is plenty for demo data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// The commonest surnames, roughly by frequency (repeated ones are drawn more often).
const SURNAMES: &[&str] = &[
    "王", "王", "李", "李", "张", "张", "刘", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
    "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "程", "苏", "魏",
    "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "范", "金", "石", "贾", "夏",
    "付", "方", "邹", "孟", "秦", "尹", "薛", "段",
];
const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫",
    "波", "斌", "宇", "浩", "凯", "健", "俊", "帆", "建国", "建华", "志强", "国强", "文博", "子轩",
    "浩然", "宇航", "家豪",
];
const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂英", "玉兰", "秀兰", "丹", "萍",
    "红", "玲", "婷", "雪", "琳", "欣怡", "梓涵", "诗涵", "雨萱", "佳怡", "淑珍", "凤英", "海燕",
    "晓燕",
];
pub const ESTATE_NAMES: &[&str] = &[
    "幸福小区",
    "阳光花园",
    "和谐家园",
    "金色家园",
    "锦绣华庭",
    "翠园小区",
    "书香苑",
    "滨河花园",
    "康居小区",
    "盛世名门",
    "东方名苑",
    "文苑小区",
    "怡景园",
    "丽都花园",
    "建设小区",
    "供电小区",
    "教师公寓",
    "粮食局家属院",
];
pub const PROPERTY_COMPANIES: &[&str] = &[
    "安居物业",
    "鑫城物业",
    "康乐物业",
    "恒信物业",
    "万家物业",
    "宏达物业",
];

/// A whole name: a common surname and a given name.
pub fn full_name(rng: &mut Rng) -> String {
    let surname = *rng.pick(SURNAMES);
    let male = rng.chance(50);
    name(rng, surname, male)
}

pub fn name(rng: &mut Rng, surname: &str, male: bool) -> String {
    let given = if male {
        rng.pick(GIVEN_MALE)
    } else {
        rng.pick(GIVEN_FEMALE)
    };
    format!("{surname}{given}")
}

pub fn phone(rng: &mut Rng) -> Phone {
    let prefix = rng.pick(&[
        "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "177", "186", "187",
        "188",
    ]);
    let raw = format!("{prefix}{:08}", rng.range(0, 99_999_999));
    Phone::parse(&raw).expect("generated mobiles are valid")
}

/// Hands out 身份证 numbers: the county's region code, the birth date, a sequence number per
/// date whose parity gives the sex, as the standard has it.
pub struct IdMint {
    region: String,
    used: HashMap<NaiveDate, u16>,
}

impl IdMint {
    pub fn new(region: &str) -> Self {
        Self {
            region: region.to_owned(),
            used: HashMap::new(),
        }
    }
    pub fn mint(&mut self, birth: NaiveDate, male: bool) -> IdCardNo {
        let n = self.used.entry(birth).or_insert(0);
        // The 17th digit (last of the sequence) is odd for men, even for women; sequences
        // run from 001 (000 is never issued).
        let mut seq = *n * 2 + if male { 1 } else { 2 };
        if seq > 999 {
            seq = if male { 999 } else { 998 };
        }
        *n += 1;
        IdCardNo::synthesize(&self.region, birth, seq)
    }
}

pub struct Person {
    pub name: String,
    pub id_card: IdCardNo,
    pub phone: Option<Phone>,
    pub relation: HouseholdRelation,
}

fn birth(rng: &mut Rng, year_lo: i32, year_hi: i32) -> NaiveDate {
    let y = rng.range(year_lo as u64, year_hi as u64) as i32;
    let d = rng.range(1, 365) as u32;
    NaiveDate::from_yo_opt(y, d).unwrap_or_else(|| NaiveDate::from_ymd_opt(y, 1, 1).expect("valid"))
}

/// One household of 1–5 people: a head, often a spouse, children, sometimes an elderly parent.
pub fn household(rng: &mut Rng, mint: &mut IdMint, today: NaiveDate) -> Vec<Person> {
    let year = today.year();
    let surname = *rng.pick(SURNAMES);
    let head_male = rng.chance(70);
    let head_birth = birth(rng, year - 85, year - 22);
    let mut out = vec![Person {
        name: name(rng, surname, head_male),
        id_card: mint.mint(head_birth, head_male),
        phone: Some(phone(rng)),
        relation: HouseholdRelation::Head,
    }];
    let hy = head_birth.year();
    if rng.chance(80) {
        let b = birth(rng, hy - 3, (hy + 4).min(year - 20));
        let spouse_surname = *rng.pick(SURNAMES);
        out.push(Person {
            name: name(rng, spouse_surname, !head_male),
            id_card: mint.mint(b, !head_male),
            phone: rng.chance(80).then(|| phone(rng)),
            relation: HouseholdRelation::Spouse,
        });
    }
    if hy > year - 60 {
        for _ in 0..rng.range(0, 2) {
            let male = rng.chance(50);
            let b = birth(rng, (hy + 20).min(year - 1), (hy + 38).min(year));
            let adult = year - b.year() >= 18;
            out.push(Person {
                name: name(rng, surname, male),
                id_card: mint.mint(b, male),
                phone: (adult && rng.chance(90)).then(|| phone(rng)),
                relation: HouseholdRelation::Child,
            });
        }
    }
    if hy > year - 50 && rng.chance(25) {
        let male = rng.chance(40);
        let b = birth(rng, hy - 32, hy - 22);
        // A father shares the head's surname; a mother keeps her own.
        let parent_surname = if male { surname } else { *rng.pick(SURNAMES) };
        out.push(Person {
            name: name(rng, parent_surname, male),
            id_card: mint.mint(b, male),
            phone: None,
            relation: HouseholdRelation::Parent,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn households_are_deterministic_and_their_numbers_valid() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let draw = |seed| {
            let mut rng = Rng::new(seed);
            let mut mint = IdMint::new("371722");
            (0..50)
                .flat_map(|_| household(&mut rng, &mut mint, today))
                .collect::<Vec<_>>()
        };
        let (a, b) = (draw(7), draw(7));
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                (x.name.as_str(), x.id_card.as_str()),
                (y.name.as_str(), y.id_card.as_str())
            );
            assert!(IdCardNo::parse(x.id_card.as_str(), today).is_ok());
            assert!(x.id_card.birth_date() <= today);
            // The sequence code (digits 15–17) is never 000.
            assert_ne!(&x.id_card.as_str()[14..17], "000", "{}", x.id_card.as_str());
        }
        let mut ids: Vec<_> = a.iter().map(|p| p.id_card.as_str().to_owned()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), a.len(), "every number distinct");
        assert_eq!(
            a.iter()
                .filter(|p| p.relation == HouseholdRelation::Head)
                .count(),
            50
        );
    }
}
