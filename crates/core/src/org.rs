//! Organisations beside the party tree, party membership and grid staffing: the kinds and the
//! staffing norm ("1+1+X+N") that coverage checks measure against.

use crate::DomainError;
use crate::people::normalize_cell;
use serde::{Deserialize, Serialize};

labelled!(OrgKind {
    OwnersCommittee = "owners_committee", "业主委员会", "Owners' committee";
    PropertyCompany = "property_company", "物业服务企业", "Property company";
    ResidentUnit = "resident_unit", "驻区单位", "Resident unit";
    Department = "department", "职能部门", "Department";
    NewOrg = "new_org", "两新组织", "New organisation";
    VolunteerTeam = "volunteer_team", "志愿服务队", "Volunteer team";
});

labelled!(MemberCategory {
    InService = "in_service", "在职党员", "In service";
    Mobile = "mobile", "流动党员", "Mobile";
    Retired = "retired", "离退休党员", "Retired";
});

labelled!(ManagementMode {
    Dual = "dual", "双管", "Dual";
    Shared = "shared", "共管", "Shared";
    Assisting = "assisting", "协管", "Assisting";
});

labelled!(GridRole {
    GridLeader = "grid_leader", "网格长", "Grid leader";
    GridInstructor = "grid_instructor", "网格指导员", "Grid instructor";
    GridWorker = "grid_worker", "专职网格员", "Full-time grid worker";
    GridHelper = "grid_helper", "兼职网格员", "Part-time grid helper";
});

labelled!(GridType {
    Residential = "residential", "居民网格", "Residential";
    School = "school", "学校专属网格", "School";
    Hospital = "hospital", "医院专属网格", "Hospital";
    BusinessDistrict = "business_district", "商圈专属网格", "Business district";
    Park = "park", "园区专属网格", "Park";
    OfficeTower = "office_tower", "楼宇专属网格", "Office tower";
    Government = "government", "机关企事业单位专属网格", "Institutions";
});

impl GridType {
    /// 专属网格 (dedicated) as opposed to 居民网格.
    pub fn is_dedicated(self) -> bool {
        self != GridType::Residential
    }
}

/// How many of each grid role a grid should have: "1+1+X+N" is one leader, one instructor, X
/// full-time workers and N part-time helpers, with X and N set per district.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffingNorm {
    pub grid_leader: u32,
    pub grid_instructor: u32,
    pub grid_worker: u32,
    pub grid_helper: u32,
}

impl Default for StaffingNorm {
    fn default() -> Self {
        Self {
            grid_leader: 1,
            grid_instructor: 1,
            grid_worker: 1,
            grid_helper: 1,
        }
    }
}

impl StaffingNorm {
    pub fn required(&self, role: GridRole) -> u32 {
        match role {
            GridRole::GridLeader => self.grid_leader,
            GridRole::GridInstructor => self.grid_instructor,
            GridRole::GridWorker => self.grid_worker,
            GridRole::GridHelper => self.grid_helper,
        }
    }

    /// The roles a grid lacks, with how many are missing, given how many it has of each.
    pub fn shortfall(&self, has: impl Fn(GridRole) -> u32) -> Vec<(GridRole, u32)> {
        GridRole::ALL
            .iter()
            .filter_map(|r| {
                let need = self.required(*r);
                let got = has(*r);
                (got < need).then(|| (*r, need - got))
            })
            .collect()
    }

    /// "1+1+2+3" as street offices write it.
    pub fn label(&self) -> String {
        format!(
            "{}+{}+{}+{}",
            self.grid_leader, self.grid_instructor, self.grid_worker, self.grid_helper
        )
    }
}

/// The alphabet of the 统一社会信用代码 (GB 32100-2015): digits and capitals without I, O, S, V
/// and Z, which are too easily misread.
const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Checks a 统一社会信用代码 as typed (full-width, lower case and spaces are undone first): 18
/// characters of its alphabet, the last one the check character of the first 17, whose weights
/// are the powers of 3 modulo 31. A mistyped character is caught before it reaches the records.
pub fn parse_credit_code(raw: &str) -> Result<String, DomainError> {
    let code: String = normalize_cell(raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let invalid = |why: &str| {
        DomainError::new(
            "invalid_credit_code",
            "credit_code",
            format!("统一社会信用代码「{code}」无效：{why}"),
        )
    };
    let values: Vec<usize> = code
        .bytes()
        .map(|b| CREDIT_ALPHABET.iter().position(|&a| a == b))
        .collect::<Option<_>>()
        .ok_or_else(|| invalid("只能含数字和除 I、O、S、V、Z 以外的大写字母"))?;
    if values.len() != 18 {
        return Err(invalid("应为 18 位"));
    }
    let mut weight = 1;
    let mut sum = 0;
    for v in &values[..17] {
        sum += v * weight;
        weight = weight * 3 % 31;
    }
    if values[17] != (31 - sum % 31) % 31 {
        return Err(invalid("校验位不符，请核对是否有字符录错"));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_identifiers_and_chinese_labels() {
        assert_eq!(
            OrgKind::parse("物业服务企业"),
            Some(OrgKind::PropertyCompany)
        );
        assert_eq!(
            MemberCategory::parse("retired"),
            Some(MemberCategory::Retired)
        );
        assert_eq!(GridRole::parse("网格长"), Some(GridRole::GridLeader));
        assert_eq!(GridType::parse("学校专属网格"), Some(GridType::School));
        assert!(GridType::School.is_dedicated() && !GridType::Residential.is_dedicated());
        assert_eq!(ManagementMode::parse("共管"), Some(ManagementMode::Shared));
    }

    #[test]
    fn credit_codes_are_checked_by_their_last_character() {
        for (raw, want) in [
            ("91350100M000100Y43", "91350100M000100Y43"),
            ("91110108551385082q", "91110108551385082Q"),
            ("９１４４０３００７０８４６１１３６Ｔ", "91440300708461136T"),
            (" 914403007084 61136T ", "91440300708461136T"),
        ] {
            assert_eq!(parse_credit_code(raw).as_deref(), Ok(want), "{raw}");
        }
        for (raw, why) in [
            ("91350100M000100Y44", "校验位"),
            ("91350100M000100Y4", "18 位"),
            ("91350100M000100I43", "大写字母"),
            ("", "18 位"),
        ] {
            let e = parse_credit_code(raw).unwrap_err();
            assert_eq!((e.code, e.field), ("invalid_credit_code", "credit_code"));
            assert!(e.message.contains(why), "{raw}: {}", e.message);
        }
    }

    #[test]
    fn a_grid_short_of_the_norm_reports_what_it_lacks() {
        let norm = StaffingNorm {
            grid_worker: 2,
            ..StaffingNorm::default()
        };
        assert_eq!(norm.label(), "1+1+2+1");
        let has = |r: GridRole| match r {
            GridRole::GridLeader => 1,
            GridRole::GridWorker => 1,
            _ => 0,
        };
        assert_eq!(
            norm.shortfall(has),
            [
                (GridRole::GridInstructor, 1),
                (GridRole::GridWorker, 1),
                (GridRole::GridHelper, 1)
            ]
        );
        assert!(norm.shortfall(|_| 5).is_empty());
    }
}
