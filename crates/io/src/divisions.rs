//! Reading statistical division codes: the one-file format (`code,name,level,parent_code`) and
//! the national files (`provinces`/`cities`/`areas`/`streets`/`villages.csv`, gzip accepted).
//! Only `code` and `name` are needed; the parent follows from the code itself.

use flate2::read::GzDecoder;
use jiceng_core::division::DivisionCode;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: DivisionCode,
    pub name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DivisionError {
    #[error("无法读取 {file}：{source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file} 缺少 code 或 name 列")]
    Header { file: String },
    #[error("{file} 第 {row} 行：{message}")]
    Row {
        file: String,
        row: u64,
        message: String,
    },
    #[error("所给文件中没有区县 {0}")]
    CountyMissing(String),
}

/// Reads one file, gzip or plain.
pub fn read_file(path: &Path) -> Result<Vec<Division>, DivisionError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| DivisionError::Io {
        file: file.clone(),
        source,
    })?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut text)
            .map_err(|source| DivisionError::Io {
                file: file.clone(),
                source,
            })?;
        parse(&text, &file)
    } else {
        parse(&bytes, &file)
    }
}

pub fn parse(bytes: &[u8], file: &str) -> Result<Vec<Division>, DivisionError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|_| DivisionError::Header {
            file: file.to_owned(),
        })?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(code_col), Some(name_col)) = (col("code"), col("name")) else {
        return Err(DivisionError::Header {
            file: file.to_owned(),
        });
    };
    let parent_col = col("parent_code");
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i as u64 + 2;
        let err = |message: String| DivisionError::Row {
            file: file.to_owned(),
            row,
            message,
        };
        let rec = rec.map_err(|e| err(e.to_string()))?;
        let code =
            DivisionCode::parse(rec.get(code_col).unwrap_or("")).map_err(|e| err(e.message))?;
        let name = rec.get(name_col).unwrap_or("").trim().to_owned();
        if name.is_empty() {
            return Err(err("名称为空".into()));
        }
        let given_parent = parent_col
            .and_then(|c| rec.get(c))
            .map(str::trim)
            .filter(|p| !p.is_empty());
        if let Some(p) = given_parent
            && code.parent().as_ref().map(|c| c.as_str()) != Some(p)
        {
            return Err(err(format!("上级代码 {p} 与代码 {} 不符", code.as_str())));
        }
        out.push(Division { code, name });
    }
    Ok(out)
}

/// The county and everything above and below it, parents before children, each code once.
pub fn for_county(
    all: Vec<Division>,
    county: &DivisionCode,
) -> Result<Vec<Division>, DivisionError> {
    let mut by_code: BTreeMap<(usize, DivisionCode), Division> = BTreeMap::new();
    for d in all.into_iter().filter(|d| d.code.on_line_of(county)) {
        by_code.insert((d.code.as_str().len(), d.code.clone()), d);
    }
    if !by_code.keys().any(|(_, c)| c == county) {
        return Err(DivisionError::CountyMissing(county.as_str().to_owned()));
    }
    Ok(by_code.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_FILE: &str = "code,name,level,parent_code\n37,山东省,province,\n3717,菏泽市,city,37\n\
        371722,单县,county,3717\n371722001,北城街道,township,371722\n371722001001,东关社区居委会,village,371722001\n\
        371723,成武县,county,3717\n";

    #[test]
    fn a_county_comes_with_its_ancestors_parents_first() {
        let all = parse(ONE_FILE.as_bytes(), "t.csv").unwrap();
        let county = DivisionCode::parse("371722").unwrap();
        let got: Vec<_> = for_county(all, &county)
            .unwrap()
            .into_iter()
            .map(|d| d.code.as_str().to_owned())
            .collect();
        assert_eq!(got, ["37", "3717", "371722", "371722001", "371722001001"]);
    }

    #[test]
    fn national_file_columns_are_understood() {
        let text = "code,name,streetCode,provinceCode,cityCode,areaCode\n371722001001,\"东关社区居委会\",371722001,37,3717,371722\n";
        let d = parse(text.as_bytes(), "villages.csv").unwrap();
        assert_eq!(d[0].name, "东关社区居委会");
    }

    #[test]
    fn a_bad_row_is_named_with_its_line() {
        let text = "code,name\n37,山东省\n37x,坏\n";
        let e = parse(text.as_bytes(), "x.csv").unwrap_err().to_string();
        assert!(e.contains("第 3 行"), "{e}");
        let text = "code,name,level,parent_code\n371722,单县,county,3716\n";
        assert!(
            parse(text.as_bytes(), "x.csv")
                .unwrap_err()
                .to_string()
                .contains("上级代码")
        );
    }

    #[test]
    fn a_missing_county_is_an_error() {
        let all = parse(ONE_FILE.as_bytes(), "t.csv").unwrap();
        let e = for_county(all, &DivisionCode::parse("110101").unwrap()).unwrap_err();
        assert!(matches!(e, DivisionError::CountyMissing(_)));
    }
}
