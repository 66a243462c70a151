//! Reading the timestamps a list page brings back as text (`packed`: SQLite's JSON of the
//! page). They are always written by sqlx in one shape, `2026-11-22T08:30:00.123456+00:00`;
//! chrono's general RFC 3339 parser took a twentieth of a list's CPU for the nine per request
//! (bench S3). That shape is read directly here; anything else goes to chrono as before.

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// `YYYY-MM-DDTHH:MM:SS[.f…](+00:00|Z)`, else `None`.
fn fixed_shape(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let num = |from: usize, to: usize| -> Option<u32> {
        let mut n = 0u32;
        for &c in b.get(from..to)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && (sep(10, b'T') || sep(10, b' '))) {
        return None;
    }
    if !(sep(13, b':') && sep(16, b':')) {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if sep(i, b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        nanos = num(i + 1, i + 1 + digits)? * 10u32.pow(9 - digits as u32);
        i += 1 + digits;
    }
    if !matches!(&s[i..], "+00:00" | "Z") {
        return None;
    }
    NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?
        .and_hms_nano_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?, nanos)
        .map(|t| t.and_utc())
}

fn parse<E: de::Error>(s: &str) -> Result<DateTime<Utc>, E> {
    match fixed_shape(s) {
        Some(t) => Ok(t),
        None => s.parse::<DateTime<Utc>>().map_err(E::custom),
    }
}

struct At;

impl Visitor<'_> for At {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an RFC 3339 timestamp")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        parse(s).map(Some)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

pub(crate) fn utc<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    d.deserialize_str(At)?
        .ok_or_else(|| de::Error::custom("时间不能为空"))
}

pub(crate) fn utc_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    d.deserialize_any(At)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Row {
        #[serde(deserialize_with = "utc")]
        at: DateTime<Utc>,
        #[serde(deserialize_with = "utc_opt")]
        maybe: Option<DateTime<Utc>>,
    }

    #[test]
    fn the_shapes_read_as_chrono_reads_them() {
        for s in [
            "2026-11-22T08:30:00.123456+00:00",
            "2026-11-22T08:30:00+00:00",
            "2026-11-22T08:30:00Z",
            "2026-11-22 08:30:00.5+00:00",
            "2024-02-29T23:59:59.999999999Z",
            // Not the fixed shape: chrono reads these.
            "2026-11-22T16:30:00+08:00",
            "2026-11-22T08:30:00.1234567890+00:00",
        ] {
            let json = format!(r#"{{"at": "{s}", "maybe": "{s}"}}"#);
            let r: Row = serde_json::from_str(&json).unwrap();
            let want: DateTime<Utc> = s.parse().unwrap();
            assert_eq!((r.at, r.maybe), (want, Some(want)), "{s}");
        }
        let r: Row =
            serde_json::from_str(r#"{"at": "2026-01-01T00:00:00Z", "maybe": null}"#).unwrap();
        assert_eq!(r.maybe, None);
        for bad in [
            "2026-13-01T00:00:00Z",
            "2026-11-22T08:30:00",
            "yesterday",
            "",
        ] {
            let json = format!(r#"{{"at": "{bad}", "maybe": null}}"#);
            assert!(serde_json::from_str::<Row>(&json).is_err(), "{bad}");
        }
    }
}
