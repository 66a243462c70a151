//! Statistical division codes (统计用区划代码): 2 digits province, 4 city, 6 district/county,
//! 9 street/town, 12 residents'/villagers' committee. The parent of a code is its prefix.

use crate::DomainError;
use crate::node::NodeKind;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DivisionCode(String);

impl DivisionCode {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim();
        if !matches!(s.len(), 2 | 4 | 6 | 9 | 12) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::new(
                "invalid_division_code",
                "code",
                format!("区划代码「{s}」无效：应为 2、4、6、9 或 12 位数字"),
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The node kind of this level.
    pub fn kind(&self) -> NodeKind {
        match self.0.len() {
            2 => NodeKind::Province,
            4 => NodeKind::City,
            6 => NodeKind::District,
            9 => NodeKind::Street,
            _ => NodeKind::Community,
        }
    }

    /// The code one level up, `None` for a province.
    pub fn parent(&self) -> Option<DivisionCode> {
        let len = match self.0.len() {
            4 => 2,
            6 => 4,
            9 => 6,
            12 => 9,
            _ => return None,
        };
        Some(DivisionCode(self.0[..len].to_owned()))
    }

    /// Is `self` this code or one of its ancestors or descendants? Used to keep one county
    /// (with the province and city above it) out of the national files.
    pub fn on_line_of(&self, county: &DivisionCode) -> bool {
        self.0.starts_with(county.as_str()) || county.as_str().starts_with(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_parents_follow_the_code_length() {
        let c = DivisionCode::parse("371722001002").unwrap();
        assert_eq!(c.kind(), NodeKind::Community);
        let chain: Vec<String> = std::iter::successors(Some(c), |c| c.parent())
            .map(|c| c.as_str().to_owned())
            .collect();
        assert_eq!(chain, ["371722001002", "371722001", "371722", "3717", "37"]);
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in ["", "3", "37172", "37a722", "3717220010021"] {
            assert!(DivisionCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_county_keeps_its_ancestors_and_descendants_only() {
        let county = DivisionCode::parse("371722").unwrap();
        for (code, keep) in [
            ("37", true),
            ("3717", true),
            ("371722001", true),
            ("371723", false),
            ("3716", false),
        ] {
            assert_eq!(
                DivisionCode::parse(code).unwrap().on_line_of(&county),
                keep,
                "{code}"
            );
        }
    }
}
