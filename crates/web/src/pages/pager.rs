//! Pagination links for list pages, exact or (for long lists only bounded) page by page.

/// Pagination links for list pages.
pub struct Pager {
    pub page: u64,
    /// Shown as is: a number, or "1000+" when only a lower bound is known.
    pub pages: String,
    pub total: String,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

impl Pager {
    /// `base` is the list URL with its filters and a trailing `&` or `?`.
    pub fn new(base: &str, page: jiceng_store::Page, total: i64) -> Self {
        let total_u = u64::try_from(total).unwrap_or(0);
        let pages = total_u.div_ceil(page.size).max(1);
        let href = |n: u64| format!("{base}page={n}&page_size={}", page.size);
        Self {
            page: page.page,
            pages: pages.to_string(),
            total: total.to_string(),
            prev_href: (page.page > 1).then(|| href(page.page - 1)),
            next_href: (page.page < pages).then(|| href(page.page + 1)),
        }
    }

    /// As `new`, listing at most `most` pages of the `total`.
    pub fn listed(base: &str, page: jiceng_store::Page, total: i64, most: u64) -> Self {
        let mut p = Self::new(base, page, total);
        let pages = u64::try_from(total).unwrap_or(0).div_ceil(page.size);
        if pages > most {
            p.pages = most.to_string();
            if page.page >= most {
                p.next_href = None;
            }
        }
        p
    }

    /// A list whose total is known exactly or only as at least `total`: then the pages are
    /// followed while they come back full.
    pub fn with_total(
        base: &str,
        page: jiceng_store::Page,
        total: i64,
        exact: bool,
        shown: usize,
    ) -> Self {
        if exact {
            return Self::new(base, page, total);
        }
        let href = |n: u64| format!("{base}page={n}&page_size={}", page.size);
        let full = u64::try_from(shown).unwrap_or(0) >= page.size;
        Self {
            page: page.page,
            pages: "…".into(),
            total: format!("{total}+"),
            prev_href: (page.page > 1).then(|| href(page.page - 1)),
            next_href: full.then(|| href(page.page + 1)),
        }
    }
}
