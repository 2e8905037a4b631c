//! The declaration's lifecycle in one table: which action moves a declaration from which status
//! to which, and who takes it (SPEC §3, §4 and §8). Services ask this table instead of restating
//! the rule; their conditional `UPDATE … WHERE status IN (…)` takes its statuses from
//! [`Action::from`], so a rule changes in one place.
//!
//! ```text
//! draft ──submit──▶ pending ──approve──▶ approved ──report──▶ pending (at the parent) …
//!   returned ◀──return── pending | approved            (不予受理 at the bureau is a return)
//!   returned ──resubmit──▶ pending (at the employer)
//! pending (at the bureau) ──accept──▶ accepted (受理)
//! accepted | void ──assign──▶ in_review (评审中) ──close──▶ passed | failed | void
//! passed | failed ──publish──▶ publicized (公示中) ──finalise──▶ certified | failed
//! publicized ──reopen (upheld objection)──▶ accepted
//! ```

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::DeclarationStatus;
use super::DeclarationStatus as S;

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The person who declares (申报人员), on her own declaration.
    Applicant,
    /// A real-name reviewer of the organisation holding the declaration.
    HolderReviewer,
    /// A member (org admin or reviewer) of the organisation holding the declaration.
    HolderOrg,
    /// The admin of the evaluation committee (评委会) the declaration reached.
    CommitteeAdmin,
    /// The platform itself: a session's close, the end of a 公示 period.
    System,
}

/// Everything that changes a declaration's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 确认申报: the first submission.
    Submit,
    /// 确认申报 again after a return; it starts again at the employer.
    Resubmit,
    /// 审核通过 below the bureau: 通过未上报 here.
    Approve,
    /// 审核通过 at the bureau: 受理.
    Accept,
    /// 审核不通过 + 退回 (不予受理 at the bureau): straight back to the applicant.
    Return,
    /// 数据上报: up the path to the parent, pending there.
    Report,
    /// Gathered into a review session (评审会) of the committee.
    Assign,
    /// The session closed and the 同意 votes reached the rule (评审通过).
    Pass,
    /// The session closed and they did not (评审未通过).
    Fail,
    /// The session closed below quorum: the review does not count (评审无效).
    Void,
    /// The committee's admin published the session's results (公示).
    Publish,
    /// An objection was upheld during 公示: back to the committee for another review.
    Reopen,
    /// The 公示 period ended with no open objection and the result was 评审通过: 取得资格.
    Certify,
    /// The 公示 period ended with no open objection and the result was 评审未通过.
    ConfirmFailure,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Transition {
    pub action: Action,
    pub from: &'static [DeclarationStatus],
    pub to: DeclarationStatus,
    pub actor: Actor,
}

/// The whole lifecycle. Every pair (action, status) not listed here is refused.
pub const TRANSITIONS: &[Transition] = &[
    Transition { action: Action::Submit, from: &[S::Draft], to: S::Pending, actor: Actor::Applicant },
    Transition { action: Action::Resubmit, from: &[S::Returned], to: S::Pending, actor: Actor::Applicant },
    Transition { action: Action::Approve, from: &[S::Pending], to: S::Approved, actor: Actor::HolderReviewer },
    Transition { action: Action::Accept, from: &[S::Pending], to: S::Accepted, actor: Actor::HolderReviewer },
    Transition {
        action: Action::Return,
        from: &[S::Pending, S::Approved],
        to: S::Returned,
        actor: Actor::HolderReviewer,
    },
    Transition { action: Action::Report, from: &[S::Approved], to: S::Pending, actor: Actor::HolderOrg },
    Transition { action: Action::Assign, from: &[S::Accepted, S::Void], to: S::InReview, actor: Actor::CommitteeAdmin },
    Transition { action: Action::Pass, from: &[S::InReview], to: S::Passed, actor: Actor::System },
    Transition { action: Action::Fail, from: &[S::InReview], to: S::Failed, actor: Actor::System },
    Transition { action: Action::Void, from: &[S::InReview], to: S::Void, actor: Actor::System },
    Transition {
        action: Action::Publish,
        from: &[S::Passed, S::Failed],
        to: S::Publicized,
        actor: Actor::CommitteeAdmin,
    },
    Transition { action: Action::Reopen, from: &[S::Publicized], to: S::Accepted, actor: Actor::CommitteeAdmin },
    Transition { action: Action::Certify, from: &[S::Publicized], to: S::Certified, actor: Actor::System },
    Transition { action: Action::ConfirmFailure, from: &[S::Publicized], to: S::Failed, actor: Actor::System },
];

/// An action that the declaration's status does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{action:?} is not allowed from {from:?}")]
pub struct Refused {
    pub action: Action,
    pub from: DeclarationStatus,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Submit,
        Action::Resubmit,
        Action::Approve,
        Action::Accept,
        Action::Return,
        Action::Report,
        Action::Assign,
        Action::Pass,
        Action::Fail,
        Action::Void,
        Action::Publish,
        Action::Reopen,
        Action::Certify,
        Action::ConfirmFailure,
    ];

    /// This action's row of [`TRANSITIONS`].
    pub fn transition(self) -> &'static Transition {
        // Every action has exactly one row (a test checks it); the fallback is never reached.
        TRANSITIONS.iter().find(|t| t.action == self).unwrap_or(&TRANSITIONS[0])
    }

    /// The statuses this action may start from: the `WHERE status IN (…)` of its `UPDATE`.
    pub fn from(self) -> &'static [DeclarationStatus] {
        self.transition().from
    }

    /// The same, as the stored spellings.
    pub fn from_spellings(self) -> Vec<&'static str> {
        self.from().iter().map(|s| s.as_str()).collect()
    }

    /// Where the action leads.
    pub fn to(self) -> DeclarationStatus {
        self.transition().to
    }

    pub fn actor(self) -> Actor {
        self.transition().actor
    }

    pub fn allows(self, from: DeclarationStatus) -> bool {
        self.from().contains(&from)
    }

    /// The status after the action, or why it is refused.
    pub fn apply(self, from: DeclarationStatus) -> Result<DeclarationStatus, Refused> {
        if self.allows(from) { Ok(self.to()) } else { Err(Refused { action: self, from }) }
    }

    /// The spelling stored in the declaration's history (`declaration_events.action`).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Resubmit => "resubmit",
            Action::Approve => "approve",
            Action::Accept => "accept",
            Action::Return => "return",
            Action::Report => "report",
            Action::Assign => "assign",
            Action::Pass => "pass",
            Action::Fail => "fail",
            Action::Void => "void",
            Action::Publish => "publish",
            Action::Reopen => "reopen",
            Action::Certify => "certify",
            Action::ConfirmFailure => "confirm_failure",
        }
    }

    /// The Chinese name of the action, as the timeline shows it.
    pub fn label(self) -> &'static str {
        match self {
            Action::Submit => "确认申报",
            Action::Resubmit => "修改后重新申报",
            Action::Approve => "审核通过",
            Action::Accept => "受理",
            Action::Return => "审核不通过，退回",
            Action::Report => "数据上报",
            Action::Assign => "提交评审",
            Action::Pass => "评审通过",
            Action::Fail => "评审未通过",
            Action::Void => "评审无效",
            Action::Publish => "公示",
            Action::Reopen => "异议成立，重新评审",
            Action::Certify => "取得资格",
            Action::ConfirmFailure => "评审未通过（公示结束）",
        }
    }
}

/// The timeline's name of a recorded event: the lifecycle's actions, and `create` (新增申报信息),
/// which makes a declaration rather than moving one.
pub fn event_label(action: &str) -> &'static str {
    if action == "create" {
        return "新增申报信息";
    }
    Action::ALL.iter().find(|a| a.as_str() == action).map_or("其他", |a| a.label())
}

impl DeclarationStatus {
    /// The actions open from this status.
    pub fn actions(self) -> impl Iterator<Item = Action> {
        Action::ALL.iter().copied().filter(move |a| a.allows(self))
    }

    /// Past 受理: the chain of organisations is done, the committee has it.
    pub fn is_after_acceptance(self) -> bool {
        matches!(self, S::Accepted | S::InReview | S::Passed | S::Failed | S::Void | S::Publicized | S::Certified)
    }

    /// Whether nothing can change it any more.
    pub fn is_final(self) -> bool {
        self.actions().next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recorded_action_reads_by_its_name_on_the_timeline() {
        assert_eq!(event_label("create"), "新增申报信息");
        for action in Action::ALL {
            assert_ne!(event_label(action.as_str()), "其他", "{action:?}");
        }
        assert_eq!(event_label("publish"), "公示");
        assert_eq!(event_label("certify"), "取得资格");
        assert_eq!(event_label("nonsense"), "其他");
    }

    #[test]
    fn every_action_has_exactly_one_row() {
        for action in Action::ALL {
            assert_eq!(TRANSITIONS.iter().filter(|t| t.action == *action).count(), 1, "{action:?}");
        }
        assert_eq!(TRANSITIONS.len(), Action::ALL.len());
    }

    /// The whole table, pair by pair: exactly these are allowed, every other pair is refused.
    #[test]
    fn the_table_allows_exactly_the_lifecycle() {
        let allowed: &[(Action, S, S)] = &[
            (Action::Submit, S::Draft, S::Pending),
            (Action::Resubmit, S::Returned, S::Pending),
            (Action::Approve, S::Pending, S::Approved),
            (Action::Accept, S::Pending, S::Accepted),
            (Action::Return, S::Pending, S::Returned),
            (Action::Return, S::Approved, S::Returned),
            (Action::Report, S::Approved, S::Pending),
            (Action::Assign, S::Accepted, S::InReview),
            (Action::Assign, S::Void, S::InReview),
            (Action::Pass, S::InReview, S::Passed),
            (Action::Fail, S::InReview, S::Failed),
            (Action::Void, S::InReview, S::Void),
            (Action::Publish, S::Passed, S::Publicized),
            (Action::Publish, S::Failed, S::Publicized),
            (Action::Reopen, S::Publicized, S::Accepted),
            (Action::Certify, S::Publicized, S::Certified),
            (Action::ConfirmFailure, S::Publicized, S::Failed),
        ];
        for action in Action::ALL {
            for from in DeclarationStatus::ALL {
                let expected = allowed.iter().find(|(a, f, _)| a == action && f == from).map(|(_, _, to)| *to);
                match expected {
                    Some(to) => assert_eq!(action.apply(*from), Ok(to), "{action:?} from {from:?}"),
                    None => assert_eq!(
                        action.apply(*from),
                        Err(Refused { action: *action, from: *from }),
                        "{action:?} from {from:?} must be refused"
                    ),
                }
            }
        }
    }

    #[test]
    fn only_a_certificate_ends_the_story() {
        let finals: Vec<S> = DeclarationStatus::ALL.iter().copied().filter(|s| s.is_final()).collect();
        assert_eq!(finals, vec![S::Certified]);
        // A final failure is `failed` after 公示, which can still be published from before it:
        // the committee's records (not the status) tell the two apart.
        assert!(Action::Publish.allows(S::Failed));
    }

    #[test]
    fn every_status_is_reachable_from_a_draft() {
        let mut seen = vec![S::Draft];
        let mut frontier = vec![S::Draft];
        while let Some(status) = frontier.pop() {
            for action in status.actions() {
                let next = action.to();
                if !seen.contains(&next) {
                    seen.push(next);
                    frontier.push(next);
                }
            }
        }
        for status in DeclarationStatus::ALL {
            assert!(seen.contains(status), "{status:?} is unreachable");
        }
    }

    #[test]
    fn event_spellings_are_distinct() {
        let mut spellings: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        spellings.sort();
        spellings.dedup();
        assert_eq!(spellings.len(), Action::ALL.len());
    }
}
