//! The dashboard's charts as plain geometry for the template to draw as SVG: no script, so they
//! print, work behind any proxy and read the same in every browser. Every mark is a link to the
//! list of requests it counts, carries its number as text, and has a `<title>` for tooltips and
//! screen readers; colour is never the only cue (the two rate lines differ in marker shape).

use super::i18n::Lang;
use jiceng_core::requests::rates::Rate;
use jiceng_store::requests::trends::{CategoryCounts, MonthCounts};
use std::collections::BTreeMap;

/// The page link to the list behind a figure: the same filters as the API's `list`.
pub fn list_href(filter: &str, metric: &str, from: &str, to: &str) -> String {
    format!("/requests?view=all&{filter}&metric={metric}&month_from={from}&month_to={to}")
}

/// "92.3%" from per mille; "—" when there was nothing to divide.
pub fn percent(per_mille: Option<i64>) -> String {
    per_mille.map_or_else(|| "—".into(), |v| format!("{}.{}%", v / 10, v % 10))
}

/// Every month `from..=to` (`YYYY-MM`), or `None` when either is malformed.
pub fn months(from: &str, to: &str) -> Option<Vec<String>> {
    let parse = |m: &str| chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok();
    let (mut d, end) = (parse(from)?, parse(to)?);
    let mut out = Vec::new();
    while d <= end {
        out.push(d.format("%Y-%m").to_string());
        d = d.checked_add_months(chrono::Months::new(1))?;
    }
    Some(out)
}

/// The least of 5, 10, 20, 50, 100, … not below `v`: a round top for an axis.
fn nice(v: i64) -> i64 {
    let mut base = 5;
    loop {
        for m in [1, 2, 4] {
            if base * m >= v {
                return base * m;
            }
        }
        base *= 10;
    }
}

pub struct Tick {
    pub y: i64,
    pub label: String,
}

pub struct MonthBar {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    /// Centre of the slot, for the month label.
    pub cx: i64,
    pub value: i64,
    pub href: String,
    pub title: String,
    pub label: String,
    /// The year under January and under the first month.
    pub year: Option<String>,
}

pub struct Point {
    pub x: i64,
    pub y: i64,
    pub href: String,
    pub title: String,
    pub value: i64,
}

pub struct RateLine {
    /// 0: on-time rate (red, round dots); 1: satisfaction rate (teal, squares).
    pub index: usize,
    pub label: &'static str,
    /// `x,y x,y …` runs: a month without a value breaks the line.
    pub runs: Vec<String>,
    pub points: Vec<Point>,
}

pub struct Trend {
    pub width: i64,
    pub height: i64,
    pub left: i64,
    pub right: i64,
    pub top: i64,
    pub bottom: i64,
    pub counts: Vec<Tick>,
    pub rates: Vec<Tick>,
    pub bars: Vec<MonthBar>,
    pub lines: Vec<RateLine>,
}

/// Submitted requests per month as bars, with the on-time and satisfaction rates as lines on a
/// 0–100 % axis. `filter` is the place's `node_id=…`.
pub fn trend(
    lang: Lang,
    filter: &str,
    months: &[String],
    data: &BTreeMap<String, MonthCounts>,
) -> Trend {
    let (width, height, left, right, top, bottom) = (760, 280, 48, 712, 36, 236);
    let get = |m: &str, metric: &str| {
        data.get(m)
            .and_then(|c| c.get(metric))
            .copied()
            .unwrap_or(0)
    };
    let max = nice(
        months
            .iter()
            .map(|m| get(m, "submitted"))
            .max()
            .unwrap_or(0),
    );
    let n = i64::try_from(months.len().max(1)).unwrap_or(1);
    let slot = (right - left) / n;
    let y_of = |v: i64| bottom - v * (bottom - top) / max;
    let rate_y = |pm: i64| bottom - pm * (bottom - top) / 1000;
    let month_label = |m: &str| {
        let mm: u32 = m[5..].parse().unwrap_or(1);
        match lang {
            Lang::Zh => format!("{mm}月"),
            Lang::En => [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ][(mm.clamp(1, 12) - 1) as usize]
                .to_owned(),
        }
    };
    let submitted = match lang {
        Lang::Zh => "诉求数",
        Lang::En => "Requests",
    };
    let bars = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let i = i64::try_from(i).unwrap_or(0);
            let v = get(m, "submitted");
            // Thin enough to read as bars even with two months in the range.
            let w = (slot * 3 / 5).clamp(2, 40);
            let cx = left + slot * i + slot / 2;
            MonthBar {
                x: cx - w / 2,
                y: y_of(v),
                w,
                h: bottom - y_of(v),
                cx,
                value: v,
                href: list_href(filter, "submitted", m, m),
                title: format!("{m} {submitted} {v}"),
                label: month_label(m),
                year: (i == 0 || m.ends_with("-01")).then(|| m[..4].to_owned()),
            }
        })
        .collect();
    let lines = [Rate::OnTimeRate, Rate::SatisfactionRate]
        .into_iter()
        .enumerate()
        .map(|(index, r)| {
            let (num, den) = r.parts();
            let label = match lang {
                Lang::Zh => r.label_zh(),
                Lang::En => r.label_en(),
            };
            let mut runs: Vec<Vec<String>> = vec![Vec::new()];
            let mut points = Vec::new();
            for (i, m) in months.iter().enumerate() {
                let i = i64::try_from(i).unwrap_or(0);
                let pm = Rate::per_mille(get(m, num.as_str()), get(m, den.as_str()));
                let Some(pm) = pm else {
                    runs.push(Vec::new());
                    continue;
                };
                let (x, y) = (left + slot * i + slot / 2, rate_y(pm));
                runs.last_mut().expect("one run").push(format!("{x},{y}"));
                points.push(Point {
                    x,
                    y,
                    href: list_href(filter, num.as_str(), m, m),
                    title: format!("{m} {label} {}", percent(Some(pm))),
                    value: get(m, num.as_str()),
                });
            }
            RateLine {
                index,
                label,
                runs: runs
                    .into_iter()
                    .filter(|r| r.len() > 1)
                    .map(|r| r.join(" "))
                    .collect(),
                points,
            }
        })
        .collect();
    Trend {
        width,
        height,
        left,
        right,
        top,
        bottom,
        counts: [0, max / 2, max]
            .into_iter()
            .map(|v| Tick {
                y: y_of(v),
                label: v.to_string(),
            })
            .collect(),
        rates: [0, 500, 1000]
            .into_iter()
            .map(|pm| Tick {
                y: rate_y(pm),
                label: format!("{}%", pm / 10),
            })
            .collect(),
        bars,
        lines,
    }
}

/// One category's row of the bar chart.
pub struct CategoryBar {
    pub y: i64,
    pub name: String,
    pub full_name: String,
    pub submitted_w: i64,
    pub closed_w: i64,
    /// (x, value, href, title) of the three numbers: submitted, closed, overdue.
    pub numbers: Vec<(i64, i64, String, String)>,
}

pub struct Categories {
    pub width: i64,
    pub height: i64,
    pub bars: Vec<CategoryBar>,
}

/// The first `n` characters of `s`, with an ellipsis when cut (names in the charts' margins).
pub fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// The categories, most submitted first, as horizontal bars (submitted, with the closed part
/// darker) and the three figures as numbers. `limit` rows at most.
pub fn categories(
    labels: [&str; 3],
    filter: &str,
    (from, to): (&str, &str),
    cats: &[CategoryCounts],
    limit: usize,
) -> Categories {
    let (bar_x, bar_w, row) = (170, 380, 30);
    let max = cats.iter().map(|c| c.submitted).max().unwrap_or(0).max(1);
    let bars: Vec<CategoryBar> = cats
        .iter()
        .take(limit)
        .enumerate()
        .map(|(i, c)| {
            let f = format!("{filter}&category_id={}", c.category_id);
            let num = |k: usize, metric: &str, v: i64| {
                (
                    bar_x + bar_w + 20 + 60 * i64::try_from(k).unwrap_or(0),
                    v,
                    list_href(&f, metric, from, to),
                    format!("{} {} {v}", c.name, labels[k]),
                )
            };
            CategoryBar {
                y: 34 + row * i64::try_from(i).unwrap_or(0),
                name: short(&c.name, 10),
                full_name: c.name.clone(),
                submitted_w: (c.submitted * bar_w / max).max(1),
                closed_w: c.closed * bar_w / max,
                numbers: vec![
                    num(0, "submitted", c.submitted),
                    num(1, "closed", c.closed),
                    num(2, "overdue", c.overdue),
                ],
            }
        })
        .collect();
    Categories {
        width: 760,
        height: 44 + row * i64::try_from(bars.len()).unwrap_or(0),
        bars,
    }
}

pub struct HeatCell {
    pub x: i64,
    pub y: i64,
    pub level: &'static str,
    pub name: String,
    pub full_name: String,
    pub overdue: i64,
    pub submitted: i64,
    pub href: String,
    pub title: String,
}

pub struct Heat {
    pub width: i64,
    pub height: i64,
    pub cells: Vec<HeatCell>,
}

/// The heat level of an overdue share (a CSS class): none, 0, ≤5 %, ≤10 %, ≤20 %, more.
pub fn level(overdue: i64, submitted: i64) -> &'static str {
    if submitted == 0 {
        return "heat-none";
    }
    match overdue * 1000 / submitted {
        0 => "heat-0",
        1..=50 => "heat-1",
        51..=100 => "heat-2",
        101..=200 => "heat-3",
        _ => "heat-4",
    }
}

/// One rectangle per grid, eight to a row, coloured by its share of overdue requests.
/// `grids`: (node id, name, overdue, submitted).
pub fn heat(
    overdue_label: &str,
    (from, to): (&str, &str),
    grids: &[(i64, String, i64, i64)],
) -> Heat {
    let (cols, w, h, gap) = (8, 92, 50, 4);
    let cells: Vec<HeatCell> = grids
        .iter()
        .enumerate()
        .map(|(i, (id, name, overdue, submitted))| {
            let i = i64::try_from(i).unwrap_or(0);
            HeatCell {
                x: (i % cols) * (w + gap),
                y: (i / cols) * (h + gap),
                level: level(*overdue, *submitted),
                name: short(name, 6),
                full_name: name.clone(),
                overdue: *overdue,
                submitted: *submitted,
                href: list_href(&format!("node_id={id}"), "overdue", from, to),
                title: format!("{name} {overdue_label} {overdue}/{submitted}"),
            }
        })
        .collect();
    let rows = ((i64::try_from(cells.len()).unwrap_or(0) + cols - 1) / cols).max(1);
    Heat {
        width: cols * (w + gap),
        height: rows * (h + gap),
        cells,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_and_labels() {
        assert_eq!(
            [0, 3, 5, 7, 12, 48, 51, 180, 900].map(nice),
            [5, 5, 5, 10, 20, 50, 100, 200, 1000]
        );
        assert_eq!(percent(Some(923)), "92.3%");
        assert_eq!(percent(Some(1000)), "100.0%");
        assert_eq!(percent(None), "—");
        assert_eq!(months("2025-11", "2026-02").unwrap().len(), 4);
        assert_eq!(months("2026-03", "2026-02").unwrap().len(), 0);
        assert_eq!(level(0, 0), "heat-none");
        assert_eq!(level(3, 10), "heat-4");
        assert_eq!(short("东关社区第一网格", 6), "东关社区第…");
    }
}
