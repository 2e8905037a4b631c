//! 资格条件: the eligibility rules of a series and level (data, kept per series and level and per
//! plan when a notice changes them), checked at 确认申报 against the declaration's own fields.
//!
//! Years are counted to 31 December of the declaration's year (截至申报年度年底), and "the last N
//! years" are the N years before it, so a rule gives the same answer whatever the day.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::domain::Level;

/// The 最高学历 choices of the forms, highest first.
pub const EDUCATIONS: [&str; 6] = ["博士研究生", "硕士研究生", "大学本科", "大学专科", "中等专科", "高中及以下"];
/// The info field holding the current title's level (a `Level` label, or 无).
pub const CURRENT_TITLE_LEVEL: &str = "current_title_level";

/// Every rule code.
pub const CODES: [&str; 4] = ["title_years", "profession_years", "annual_review", "continuing_education"];

/// Results of 年度考核 that count as 合格 or better.
const PASSING_REVIEWS: [&str; 2] = ["优秀", "合格"];

/// One way to meet the title rule: the current title at `level`, held `years` full years, with
/// at least `education` (None: any).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TitlePath {
    pub level: Level,
    pub years: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "博士研究生")]
    pub education: Option<String>,
}

/// One rule. Each kind appears at most once in a set; its `kind` is the rule's code (破格
/// explanations are keyed by it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// 现职称及任职年限: any one of the paths.
    TitleYears { paths: Vec<TitlePath> },
    /// 从事本专业年限 (`profession_years`) at least `years`.
    ProfessionYears { years: u32 },
    /// 年度考核 合格 or better in each of the last `years` years (section `annual_review`).
    AnnualReview { years: u32 },
    /// 继续教育学时 at least `hours` in each of the last `years` years (section
    /// `continuing_education`).
    ContinuingEducation { years: u32, hours: u32 },
}

impl Rule {
    pub fn code(&self) -> &'static str {
        match self {
            Rule::TitleYears { .. } => "title_years",
            Rule::ProfessionYears { .. } => "profession_years",
            Rule::AnnualReview { .. } => "annual_review",
            Rule::ContinuingEducation { .. } => "continuing_education",
        }
    }

    /// The rule in words, for the declaration's `year`.
    pub fn words(&self, year: i32) -> String {
        match self {
            Rule::TitleYears { paths } => {
                let ways: Vec<String> = paths
                    .iter()
                    .map(|p| {
                        let education = p.education.as_deref().map(|e| format!("{e}及以上学历、")).unwrap_or_default();
                        format!("{education}取得{}职称后任职满{}年", p.level.label(), p.years)
                    })
                    .collect();
                format!("须{}（任职年限计算至{year}年12月31日）", ways.join("；或"))
            }
            Rule::ProfessionYears { years } => format!("须从事本专业工作满{years}年"),
            Rule::AnnualReview { years } => {
                let (from, to) = last_years(year, *years);
                format!("近{years}年（{from}—{to}年）年度考核均须为合格及以上")
            }
            Rule::ContinuingEducation { years, hours } => {
                let (from, to) = last_years(year, *years);
                format!("近{years}年（{from}—{to}年）每年继续教育学时须不少于{hours}学时")
            }
        }
    }
}

/// The first and last of the `n` years before `year`.
fn last_years(year: i32, n: u32) -> (i32, i32) {
    (year - n.max(1) as i32, year - 1)
}

/// The rules of a scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// Problems of the set itself, with pointers under `/rules`.
    pub fn check(&self) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        let mut seen = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            let at = format!("/rules/{index}");
            if seen.contains(&rule.code()) {
                problems.push((format!("{at}/kind"), "同一类资格条件只能有一条".to_string()));
            }
            seen.push(rule.code());
            match rule {
                Rule::TitleYears { paths } => {
                    if paths.is_empty() || paths.len() > 10 {
                        problems.push((format!("{at}/paths"), "任职条件须有1到10种".to_string()));
                    }
                    for (i, path) in paths.iter().enumerate() {
                        if path.years > 50 {
                            problems.push((format!("{at}/paths/{i}/years"), "任职年限须在0到50年之间".to_string()));
                        }
                        if path.education.as_deref().is_some_and(|e| !EDUCATIONS.contains(&e)) {
                            problems.push((
                                format!("{at}/paths/{i}/education"),
                                format!("学历须为{}之一", EDUCATIONS.join("、")),
                            ));
                        }
                    }
                }
                Rule::ProfessionYears { years } if *years > 60 => {
                    problems.push((format!("{at}/years"), "年限须在0到60年之间".to_string()));
                }
                Rule::AnnualReview { years } if *years == 0 || *years > 10 => {
                    problems.push((format!("{at}/years"), "考核年数须在1到10年之间".to_string()));
                }
                Rule::ContinuingEducation { years, hours } => {
                    if *years == 0 || *years > 10 {
                        problems.push((format!("{at}/years"), "年数须在1到10年之间".to_string()));
                    }
                    if *hours == 0 || *hours > 500 {
                        problems.push((format!("{at}/hours"), "学时须在1到500之间".to_string()));
                    }
                }
                _ => {}
            }
        }
        problems
    }
}

/// An item of the declaration as the rules read it: its section and data, in the order the
/// declaration serves them (pointers index this order).
pub struct ItemData<'a> {
    pub section: &'a str,
    pub data: &'a Map<String, Value>,
}

/// How one rule came out.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Outcome {
    /// The rule's code (`title_years`, `profession_years`, `annual_review`, `continuing_education`).
    pub code: String,
    /// The rule in words.
    pub rule: String,
    pub passed: bool,
    /// Where to look when it failed (`/info/…`, `/sections/…`, `/items/<index>/data/…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Why it failed, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Checks every rule of `set` for a declaration of `year`.
pub fn evaluate(set: &RuleSet, year: i32, info: &Map<String, Value>, items: &[ItemData<'_>]) -> Vec<Outcome> {
    set.rules
        .iter()
        .map(|rule| {
            let failure = match rule {
                Rule::TitleYears { paths } => title_years(paths, year, info),
                Rule::ProfessionYears { years } => profession_years(*years, info),
                Rule::AnnualReview { years } => annual_review(*years, year, items),
                Rule::ContinuingEducation { years, hours } => continuing_education(*years, *hours, year, items),
            };
            let (field, reason) = match failure {
                Some((field, reason)) => (Some(field), Some(reason)),
                None => (None, None),
            };
            Outcome { code: rule.code().to_string(), rule: rule.words(year), passed: field.is_none(), field, reason }
        })
        .collect()
}

type Failure = Option<(String, String)>;

fn text<'a>(info: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    info.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn date(value: Option<&str>) -> Option<NaiveDate> {
    value.and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
}

/// Full years from `from` to 31 December of `year`.
fn full_years(from: NaiveDate, year: i32) -> i32 {
    let Some(end) = NaiveDate::from_ymd_opt(year, 12, 31) else { return 0 };
    let mut years = end.year() - from.year();
    if (end.month(), end.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years
}

fn education_rank(education: &str) -> Option<usize> {
    EDUCATIONS.iter().position(|e| *e == education)
}

fn title_years(paths: &[TitlePath], year: i32, info: &Map<String, Value>) -> Failure {
    let level_field = format!("/info/{CURRENT_TITLE_LEVEL}");
    let Some(level_text) = text(info, CURRENT_TITLE_LEVEL) else {
        return Some((level_field, "未填写现有职称等级".into()));
    };
    let level = Level::ALL.iter().copied().find(|l| l.label() == level_text);
    let matching: Vec<&TitlePath> = paths.iter().filter(|p| Some(p.level) == level).collect();
    if matching.is_empty() {
        return Some((level_field, format!("现有职称等级为{level_text}")));
    }
    let education = text(info, "education").and_then(education_rank);
    let educated: Vec<&&TitlePath> = matching
        .iter()
        .filter(|p| match (&p.education, education) {
            (None, _) => true,
            (Some(needed), Some(rank)) => education_rank(needed).is_some_and(|n| rank <= n),
            (Some(_), None) => false,
        })
        .collect();
    if educated.is_empty() {
        return Some(("/info/education".into(), format!("最高学历为{}", text(info, "education").unwrap_or("未填写"))));
    }
    let Some(obtained) = date(text(info, "current_title_date")) else {
        return Some(("/info/current_title_date".into(), "未填写现职称取得时间".into()));
    };
    let held = full_years(obtained, year);
    if educated.iter().any(|p| held >= p.years as i32) {
        None
    } else {
        Some(("/info/current_title_date".into(), format!("现职称任职{}年", held.max(0))))
    }
}

fn profession_years(years: u32, info: &Map<String, Value>) -> Failure {
    let field = "/info/profession_years".to_string();
    match info.get("profession_years").and_then(Value::as_f64) {
        None => Some((field, "未填写从事本专业年限".into())),
        Some(held) if held < f64::from(years) => Some((field, format!("从事本专业{held}年"))),
        Some(_) => None,
    }
}

fn item_year(data: &Map<String, Value>) -> Option<i64> {
    data.get("year").and_then(|y| y.as_i64().or_else(|| y.as_str().and_then(|s| s.trim().parse().ok())))
}

fn annual_review(years: u32, year: i32, items: &[ItemData<'_>]) -> Failure {
    let (from, to) = last_years(year, years);
    for wanted in from..=to {
        let found: Vec<(usize, &str)> = items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.section == "annual_review" && item_year(i.data) == Some(i64::from(wanted)))
            .map(|(index, i)| (index, i.data.get("result").and_then(Value::as_str).unwrap_or("")))
            .collect();
        if found.is_empty() {
            return Some(("/sections/annual_review".into(), format!("缺少{wanted}年度考核结果")));
        }
        if let Some((index, result)) = found.iter().find(|(_, r)| !PASSING_REVIEWS.contains(r)) {
            return Some((format!("/items/{index}/data/result"), format!("{wanted}年度考核结果为{result}")));
        }
    }
    None
}

fn continuing_education(years: u32, hours: u32, year: i32, items: &[ItemData<'_>]) -> Failure {
    let (from, to) = last_years(year, years);
    for wanted in from..=to {
        let of_year: Vec<(usize, f64)> = items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.section == "continuing_education" && item_year(i.data) == Some(i64::from(wanted)))
            .map(|(index, i)| (index, i.data.get("hours").and_then(Value::as_f64).unwrap_or(0.0)))
            .collect();
        let total: f64 = of_year.iter().map(|(_, h)| h).sum();
        if total < f64::from(hours) {
            let field = match of_year.first() {
                Some((index, _)) => format!("/items/{index}/data/hours"),
                None => "/sections/continuing_education".into(),
            };
            return Some((field, format!("{wanted}年继续教育{total}学时")));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn deputy() -> RuleSet {
        serde_json::from_value(json!({"rules": [
            {"kind": "title_years", "paths": [
                {"level": "intermediate", "years": 5},
                {"level": "intermediate", "years": 2, "education": "博士研究生"}
            ]},
            {"kind": "profession_years", "years": 8},
            {"kind": "annual_review", "years": 3},
            {"kind": "continuing_education", "years": 2, "hours": 90}
        ]}))
        .unwrap()
    }

    fn failed(outcomes: &[Outcome]) -> Vec<(String, String)> {
        outcomes.iter().filter(|o| !o.passed).map(|o| (o.code.clone(), o.field.clone().unwrap_or_default())).collect()
    }

    #[test]
    fn a_set_parses_checks_and_reads_in_words() {
        let set = deputy();
        assert!(set.check().is_empty());
        assert_eq!(
            set.rules[0].words(2026),
            "须取得中级职称后任职满5年；或博士研究生及以上学历、取得中级职称后任职满2年（任职年限计算至2026年12月31日）"
        );
        assert_eq!(set.rules[2].words(2026), "近3年（2023—2025年）年度考核均须为合格及以上");
        let twice: RuleSet = serde_json::from_value(
            json!({"rules": [{"kind": "profession_years", "years": 1}, {"kind": "profession_years", "years": 99}]}),
        )
        .unwrap();
        let fields: Vec<String> = twice.check().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["/rules/1/kind", "/rules/1/years"]);
    }

    #[test]
    fn every_rule_passes_and_fails_with_its_pointer() {
        let set = deputy();
        let good_info = map(json!({"current_title_level": "中级", "current_title_date": "2021-12-31",
            "education": "大学本科", "profession_years": 8}));
        let reviews: Vec<Map<String, Value>> =
            [2023, 2024, 2025].iter().map(|y| map(json!({"year": y, "result": "合格"}))).collect();
        let hours: Vec<Map<String, Value>> =
            [2024, 2025].iter().map(|y| map(json!({"year": y, "hours": 90}))).collect();
        let mut items: Vec<ItemData> = reviews.iter().map(|d| ItemData { section: "annual_review", data: d }).collect();
        items.extend(hours.iter().map(|d| ItemData { section: "continuing_education", data: d }));
        assert!(failed(&evaluate(&set, 2026, &good_info, &items)).is_empty());

        // Held 4 years only (to 2026-12-31), with a 本科: the title rule fails on the date.
        let mut info = good_info.clone();
        info.insert("current_title_date".into(), json!("2022-01-01"));
        assert_eq!(
            failed(&evaluate(&set, 2026, &info, &items)),
            [("title_years".into(), "/info/current_title_date".into())]
        );
        // … but a doctorate needs 2 years only.
        info.insert("education".into(), json!("博士研究生"));
        assert!(failed(&evaluate(&set, 2026, &info, &items)).is_empty());
        // The wrong level, or none.
        info.insert("current_title_level".into(), json!("助理级"));
        assert_eq!(
            failed(&evaluate(&set, 2026, &info, &items)),
            [("title_years".into(), "/info/current_title_level".into())]
        );
        info.remove("current_title_level");
        assert_eq!(
            failed(&evaluate(&set, 2026, &info, &items)),
            [("title_years".into(), "/info/current_title_level".into())]
        );

        let mut info = good_info.clone();
        info.insert("profession_years".into(), json!(7));
        assert_eq!(
            failed(&evaluate(&set, 2026, &info, &items)),
            [("profession_years".into(), "/info/profession_years".into())]
        );

        // A 基本合格 points at its item; a missing year at the section.
        let bad_review = map(json!({"year": 2024, "result": "基本合格"}));
        let mut some: Vec<ItemData> = vec![
            ItemData { section: "annual_review", data: &reviews[0] },
            ItemData { section: "annual_review", data: &bad_review },
            ItemData { section: "annual_review", data: &reviews[2] },
        ];
        some.extend(hours.iter().map(|d| ItemData { section: "continuing_education", data: d }));
        assert_eq!(
            failed(&evaluate(&set, 2026, &good_info, &some)),
            [("annual_review".into(), "/items/1/data/result".into())]
        );
        some.remove(1);
        let outcome = evaluate(&set, 2026, &good_info, &some);
        assert_eq!(failed(&outcome), [("annual_review".into(), "/sections/annual_review".into())]);
        assert_eq!(outcome[2].reason.as_deref(), Some("缺少2024年度考核结果"));

        // 80 hours in 2025 is short; no item at all points at the section.
        let short = map(json!({"year": 2025, "hours": 80}));
        let mut few: Vec<ItemData> = reviews.iter().map(|d| ItemData { section: "annual_review", data: d }).collect();
        few.push(ItemData { section: "continuing_education", data: &hours[0] });
        few.push(ItemData { section: "continuing_education", data: &short });
        assert_eq!(
            failed(&evaluate(&set, 2026, &good_info, &few)),
            [("continuing_education".into(), "/items/4/data/hours".into())]
        );
        few.truncate(3);
        assert_eq!(
            failed(&evaluate(&set, 2026, &good_info, &few)),
            [("continuing_education".into(), "/sections/continuing_education".into())]
        );
    }
}
