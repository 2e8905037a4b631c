//! 申报计划 rules with no database in sight: Beijing time as people read it, the levels of the
//! chain a deadline belongs to, and whether a window is open at an instant.

use chrono::{DateTime, FixedOffset, Offset, Timelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// UTC+8, the time every plan is entered and shown in (China has no daylight saving).
pub fn beijing() -> FixedOffset {
    // 8 hours is always a valid offset; the fallback is never taken.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// An instant as Beijing time, for answers: `2026-12-15T17:00:00+08:00`.
pub fn in_beijing(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&beijing())
}

/// An instant as people read it: `2026年12月15日17:00` (seconds only when not zero).
pub fn beijing_text(at: DateTime<Utc>) -> String {
    let local = in_beijing(at);
    if local.second() == 0 {
        local.format("%Y年%-m月%-d日%H:%M").to_string()
    } else {
        local.format("%Y年%-m月%-d日%H:%M:%S").to_string()
    }
}

/// The level of the chain a review deadline belongs to, seen from one declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The employer (申报单位): 单位审核截止.
    Employer,
    /// Any organisation between the employer and the bureau (主管部门, 乡镇（街道）): 主管部门上报截止.
    Authority,
    /// The bureau that accepts (受理): 人社局受理截止.
    Bureau,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Employer, Stage::Authority, Stage::Bureau];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Employer => "employer",
            Stage::Authority => "authority",
            Stage::Bureau => "bureau",
        }
    }

    /// The deadline's name on a notice.
    pub fn deadline_label(self) -> &'static str {
        match self {
            Stage::Employer => "单位审核截止",
            Stage::Authority => "主管部门上报截止",
            Stage::Bureau => "人社局受理截止",
        }
    }

    /// What the level does by its deadline, for refusals: "单位审核上报已于…截止".
    pub fn work_label(self) -> &'static str {
        match self {
            Stage::Employer => "单位审核上报",
            Stage::Authority => "主管部门审核上报",
            Stage::Bureau => "人社局受理",
        }
    }

    /// The stage of an organisation for a declaration: the bureau accepts; the employer is the
    /// first level; everything between is the authority's level.
    pub fn of(is_bureau: bool, is_employer: bool) -> Stage {
        if is_bureau {
            Stage::Bureau
        } else if is_employer {
            Stage::Employer
        } else {
            Stage::Authority
        }
    }
}

/// Where an instant falls against a window `[opens, closes)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    NotYet(DateTime<Utc>),
    Open,
    Closed(DateTime<Utc>),
}

impl Window {
    /// Open from `opens` (inclusive) to `closes` (exclusive): at the closing second it is closed.
    pub fn at(now: DateTime<Utc>, opens: DateTime<Utc>, closes: DateTime<Utc>) -> Window {
        if now < opens {
            Window::NotYet(opens)
        } else if now < closes {
            Window::Open
        } else {
            Window::Closed(closes)
        }
    }
}

/// The instants of a plan, in the order they must come.
#[derive(Debug, Clone, Copy)]
pub struct Timeline {
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub return_closes_at: DateTime<Utc>,
    pub employer_closes_at: DateTime<Utc>,
    pub authority_closes_at: DateTime<Utc>,
    pub bureau_closes_at: DateTime<Utc>,
}

impl Timeline {
    /// The deadline of a level.
    pub fn deadline(&self, stage: Stage) -> DateTime<Utc> {
        match stage {
            Stage::Employer => self.employer_closes_at,
            Stage::Authority => self.authority_closes_at,
            Stage::Bureau => self.bureau_closes_at,
        }
    }

    /// Each instant out of order, with the field it belongs to: the window opens before it
    /// closes; returns are resubmitted no earlier than the close; each level finishes no earlier
    /// than the one below it, and the employer no earlier than the last resubmission.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if self.closes_at <= self.opens_at {
            problems.push(("/closes_at", "申报截止时间须晚于开始时间".to_string()));
        }
        if self.return_closes_at < self.closes_at {
            problems.push(("/return_closes_at", "退回修改截止时间不能早于个人申报截止时间".to_string()));
        }
        if self.employer_closes_at < self.return_closes_at {
            problems.push(("/employer_closes_at", "单位审核截止时间不能早于退回修改截止时间".to_string()));
        }
        if self.authority_closes_at < self.employer_closes_at {
            problems.push(("/authority_closes_at", "主管部门上报截止时间不能早于单位审核截止时间".to_string()));
        }
        if self.bureau_closes_at < self.authority_closes_at {
            problems.push(("/bureau_closes_at", "人社局受理截止时间不能早于主管部门上报截止时间".to_string()));
        }
        problems
    }
}

/// The SHA-256 (hex) a pledge text is stored and accepted under.
pub fn pledge_hash(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// The 诚信承诺书 a plan carries unless its bureau writes its own.
pub const DEFAULT_PLEDGE: &str = "本人郑重承诺：所提交的申报材料（包括学历、资历、业绩成果、年度考核、继续教育等）真实、准确、完整，\
无弄虚作假、剽窃抄袭等行为；如有不实，本人愿承担相应责任，并接受取消申报资格、撤销已取得职称及记入诚信档案等处理。";

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn instants_read_in_beijing_time() {
        assert_eq!(beijing_text(at("2026-12-15T09:00:00Z")), "2026年12月15日17:00");
        assert_eq!(beijing_text(at("2026-12-15T16:30:05Z")), "2026年12月16日00:30:05");
        assert_eq!(in_beijing(at("2026-12-15T09:00:00Z")).to_rfc3339(), "2026-12-15T17:00:00+08:00");
    }

    #[test]
    fn a_window_is_closed_at_its_closing_second() {
        let (opens, closes) = (at("2026-12-01T00:00:00Z"), at("2026-12-15T09:00:00Z"));
        assert_eq!(Window::at(at("2026-11-30T23:59:59Z"), opens, closes), Window::NotYet(opens));
        assert_eq!(Window::at(opens, opens, closes), Window::Open);
        assert_eq!(Window::at(at("2026-12-15T08:59:59Z"), opens, closes), Window::Open);
        assert_eq!(Window::at(closes, opens, closes), Window::Closed(closes));
    }

    #[test]
    fn deadlines_out_of_order_are_named() {
        let good = Timeline {
            opens_at: at("2026-12-01T00:00:00Z"),
            closes_at: at("2026-12-15T09:00:00Z"),
            return_closes_at: at("2026-12-18T09:00:00Z"),
            employer_closes_at: at("2026-12-20T09:00:00Z"),
            authority_closes_at: at("2026-12-25T09:00:00Z"),
            bureau_closes_at: at("2026-12-31T09:00:00Z"),
        };
        assert!(good.problems().is_empty());
        let bad = Timeline { closes_at: good.opens_at, authority_closes_at: good.closes_at, ..good };
        let fields: Vec<&str> = bad.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["/closes_at", "/authority_closes_at"]);
        let late = Timeline { bureau_closes_at: good.employer_closes_at, ..good };
        let fields: Vec<&str> = late.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["/bureau_closes_at"]);
    }

    #[test]
    fn a_pledge_hash_is_the_sha256_of_its_text() {
        assert_eq!(pledge_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn stages_follow_the_chain() {
        assert_eq!(Stage::of(true, true), Stage::Bureau);
        assert_eq!(Stage::of(false, true), Stage::Employer);
        assert_eq!(Stage::of(false, false), Stage::Authority);
    }
}
