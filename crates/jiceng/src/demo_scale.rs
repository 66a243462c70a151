//! How big a demo is (`--scale`) and which counties it holds: one county, or at `city` every
//! shipped county of the county's city — a city asking whether one installation carries all
//! its districts.

use crate::demo_city::DemoSize;
use jiceng_core::division::DivisionCode;
use jiceng_io::divisions::Division;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// One street filled with people, 20,000 requests: under a minute.
    Small,
    /// The whole county: over 100,000 residents and 200,000 requests.
    District,
    /// Every shipped county of the county's city, each as `district`.
    City,
}

impl Scale {
    /// The size of each county at this scale; `residents_per_grid` and `requests` override it.
    pub fn size(
        self,
        seed: u64,
        residents_per_grid: Option<usize>,
        requests: Option<usize>,
    ) -> DemoSize {
        let (streets, default_requests) = match self {
            Scale::Small => (Some(1), 20_000),
            Scale::District | Scale::City => (None, 220_000),
        };
        DemoSize {
            residents_per_grid: residents_per_grid.unwrap_or(60),
            streets,
            requests: requests.unwrap_or(default_requests),
            seed,
        }
    }
}

/// The counties to build: `county` first, then at `city` the other shipped counties of its
/// city, by code.
pub fn counties(all: &[Division], county: &DivisionCode, scale: Scale) -> Vec<DivisionCode> {
    let mut out = vec![county.clone()];
    if scale == Scale::City
        && let Some(city) = county.parent()
    {
        out.extend(
            all.iter()
                .map(|d| &d.code)
                .filter(|c| c.as_str().len() == 6 && c.parent().as_ref() == Some(&city))
                .filter(|c| *c != county)
                .cloned(),
        );
    }
    out
}

/// A seed for one part of the demo (`label`: a county's people, its history …) drawn from the
/// run's `--seed`, so parts do not repeat each other's draws and one seed gives one demo.
pub fn mix(seed: u64, label: &str) -> u64 {
    // FNV-1a over the label, started from the seed.
    label.bytes().fold(seed ^ 0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_city_holds_every_shipped_county_of_it_the_chosen_one_first() {
        let all = jiceng_io::divisions::parse(crate::demo::SEED_DIVISIONS.as_bytes(), "seed.csv")
            .unwrap();
        let code = |s: &str| DivisionCode::parse(s).unwrap();
        let names = |scale| {
            counties(&all, &code("371722"), scale)
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(Scale::District), ["371722"]);
        // 菏泽市: 单县 first, then 牡丹区 and 成武县.
        assert_eq!(names(Scale::City), ["371722", "371702", "371723"]);
        assert_eq!(counties(&all, &code("370103"), Scale::City).len(), 1);
        assert_ne!(mix(1, "a"), mix(2, "a"));
        assert_ne!(mix(1, "a"), mix(1, "b"));
    }
}
