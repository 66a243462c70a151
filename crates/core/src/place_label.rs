//! How a place is named in lists, pages and exports: the chain of places people say, from the
//! street down (`北城街道 · 北关社区 · 第四网格`), less what the reader already stands in. A
//! grid's own name (`第四网格`) repeats in every community, so alone it tells a department or a
//! street's desk nothing about where to go.

use crate::node::NodeKind;

/// "北关社区居民委员会" → "北关社区", "张楼村村民委员会" → "张楼村": the name people use.
pub fn short_name(name: &str) -> &str {
    for tail in ["居民委员会", "村民委员会", "居委会", "村委会"] {
        if let Some(s) = name.strip_suffix(tail)
            && !s.is_empty()
        {
            // "张楼村村民委员会" keeps its 村: only the committee's words go.
            return match tail {
                "村民委员会" | "村委会" if !s.ends_with('村') => {
                    &name[..s.len() + '村'.len_utf8()]
                }
                _ => s,
            };
        }
    }
    name
}

/// One place above or at the labelled one, root first.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    pub path: &'a str,
    pub kind: NodeKind,
    pub name: &'a str,
}

/// The label of the last of `chain` (the place, with every node above it first) for a reader
/// standing in `known` (their places, as path prefixes): the places from the street down,
/// dropping those at or above a known place that holds this one, but never the place itself.
pub fn label(chain: &[Step], known: &[String]) -> String {
    let Some(place) = chain.last() else {
        return String::new();
    };
    let held = |p: &str| {
        known
            .iter()
            .any(|k| place.path.starts_with(k.as_str()) && k.starts_with(p))
    };
    let mut parts: Vec<&str> = chain
        .iter()
        .filter(|s| s.kind.rank() >= NodeKind::Street.rank() && s.kind.tree().is_some())
        .filter(|s| s.path == place.path || !held(s.path))
        .map(|s| match s.kind {
            NodeKind::Community => short_name(s.name),
            _ => s.name,
        })
        .collect();
    if parts.is_empty() {
        parts.push(place.name);
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN: [Step; 5] = [
        Step {
            path: "/37/3717/371722/",
            kind: NodeKind::District,
            name: "单县",
        },
        Step {
            path: "/37/3717/371722/001/",
            kind: NodeKind::Street,
            name: "北城街道",
        },
        Step {
            path: "/37/3717/371722/001/002/",
            kind: NodeKind::Community,
            name: "北关社区居民委员会",
        },
        Step {
            path: "/37/3717/371722/001/002/G04/",
            kind: NodeKind::Grid,
            name: "第四网格",
        },
        Step {
            path: "/37/3717/371722/001/002/G04/E1/",
            kind: NodeKind::Estate,
            name: "幸福小区",
        },
    ];

    #[test]
    fn a_place_is_named_from_below_what_the_reader_stands_in() {
        let grid = &CHAIN[..4];
        let k = |p: &str| vec![p.to_owned()];
        // A department or the district: from the street down.
        assert_eq!(label(grid, &[]), "北城街道 · 北关社区 · 第四网格");
        assert_eq!(
            label(grid, &k("/37/3717/371722/")),
            "北城街道 · 北关社区 · 第四网格"
        );
        // The street's desk and the community: what lies below them.
        assert_eq!(
            label(grid, &k("/37/3717/371722/001/")),
            "北关社区 · 第四网格"
        );
        assert_eq!(label(grid, &k("/37/3717/371722/001/002/")), "第四网格");
        // The grid's own staff still see the place's name, and what lies under it.
        assert_eq!(label(grid, &k("/37/3717/371722/001/002/G04/")), "第四网格");
        assert_eq!(
            label(&CHAIN, &k("/37/3717/371722/001/002/G04/")),
            "幸福小区"
        );
        // A known place elsewhere does not shorten the label.
        assert_eq!(
            label(grid, &k("/37/3717/371722/009/")),
            "北城街道 · 北关社区 · 第四网格"
        );
        // A place at the district itself keeps its name.
        assert_eq!(label(&CHAIN[..1], &[]), "单县");
        assert_eq!(label(&[], &[]), "");
    }

    #[test]
    fn committees_go_by_the_names_people_use() {
        assert_eq!(short_name("北关社区居民委员会"), "北关社区");
        assert_eq!(short_name("张楼村村民委员会"), "张楼村");
        assert_eq!(short_name("李庄村民委员会"), "李庄村");
        assert_eq!(short_name("东园居委会"), "东园");
        assert_eq!(short_name("居民委员会"), "居民委员会");
        assert_eq!(short_name("第一网格"), "第一网格");
    }
}
