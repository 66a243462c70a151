//! Relation to the head of household (与户主关系), as on the household register.

use serde::{Deserialize, Serialize};

macro_rules! relations {
    ($( $variant:ident = $s:literal, $zh:literal, $en:literal; )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum HouseholdRelation { $($variant),* }

        impl HouseholdRelation {
            pub const ALL: &'static [HouseholdRelation] = &[$(HouseholdRelation::$variant),*];
            pub fn as_str(self) -> &'static str { match self { $(HouseholdRelation::$variant => $s),* } }
            pub fn label_zh(self) -> &'static str { match self { $(HouseholdRelation::$variant => $zh),* } }
            pub fn label_en(self) -> &'static str { match self { $(HouseholdRelation::$variant => $en),* } }
            /// By identifier or by the Chinese word a spreadsheet would hold.
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                match s { $($s | $zh => Some(HouseholdRelation::$variant),)* _ => None }
            }
        }
    };
}

relations! {
    Head = "head", "户主", "Head of household";
    Spouse = "spouse", "配偶", "Spouse";
    Child = "child", "子女", "Child";
    Parent = "parent", "父母", "Parent";
    Grandchild = "grandchild", "孙子女", "Grandchild";
    Grandparent = "grandparent", "祖父母", "Grandparent";
    Sibling = "sibling", "兄弟姐妹", "Sibling";
    Other = "other", "其他", "Other";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_parse_from_identifiers_and_chinese() {
        assert_eq!(
            HouseholdRelation::parse("户主"),
            Some(HouseholdRelation::Head)
        );
        assert_eq!(
            HouseholdRelation::parse(" spouse "),
            Some(HouseholdRelation::Spouse)
        );
        assert_eq!(HouseholdRelation::parse("邻居"), None);
        for r in HouseholdRelation::ALL {
            assert_eq!(HouseholdRelation::parse(r.as_str()), Some(*r));
            assert_eq!(HouseholdRelation::parse(r.label_zh()), Some(*r));
        }
    }
}
