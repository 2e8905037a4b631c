//! The closed vocabularies of the platform, stored as their `as_str` spelling.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The Chinese label of the seed guide.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// What an account may do.
    Role {
        Person = "person" / "个人",
        OrgAdmin = "org_admin" / "单位管理员",
        Reviewer = "reviewer" / "审核人员",
        Admin = "admin" / "平台管理员",
        Expert = "expert" / "评审专家",
    }
);

string_enum!(
    /// The kind of an organisation, which decides where it may report.
    OrgKind {
        Enterprise = "enterprise" / "企业",
        Institution = "institution" / "事业单位",
        Authority = "authority" / "主管部门",
        Township = "township" / "乡镇（街道）",
        Hrss = "hrss" / "人社局",
    }
);

impl OrgKind {
    /// The kinds an org of this kind may report to (SPEC §2); empty at the top.
    pub fn allowed_parents(self) -> &'static [OrgKind] {
        match self {
            OrgKind::Institution => &[OrgKind::Authority],
            OrgKind::Enterprise => &[OrgKind::Township],
            OrgKind::Authority | OrgKind::Township => &[OrgKind::Hrss],
            OrgKind::Hrss => &[],
        }
    }

    /// Whether an `hrss` bureau must vouch for an org of this kind (单位认证) before it may approve
    /// paths, receive reports or be chosen as a parent. Bureaus are verified when provisioned;
    /// enterprises and institutions are vouched for by their parent's path approval.
    pub fn verified_by_bureau(self) -> bool {
        matches!(self, OrgKind::Authority | OrgKind::Township)
    }

    /// Bureaus are provisioned by the platform admin, never self-registered.
    pub fn can_self_register(self) -> bool {
        self != OrgKind::Hrss
    }
}

string_enum!(
    /// 单位认证: whether someone who knows the organisation has vouched for it.
    OrgVerification {
        Unverified = "unverified" / "未认证",
        Verified = "verified" / "已认证",
        Refused = "refused" / "认证未通过",
    }
);

string_enum!(
    /// Title level.
    Level {
        Senior = "senior" / "正高级",
        DeputySenior = "deputy_senior" / "副高级",
        Intermediate = "intermediate" / "中级",
        Assistant = "assistant" / "助理级",
        Staff = "staff" / "员级",
    }
);

string_enum!(
    /// Where a reporting path application stands.
    PathStatus {
        Pending = "pending" / "待审核",
        Approved = "approved" / "审核通过",
        Rejected = "rejected" / "审核不通过",
        Withdrawn = "withdrawn" / "已撤回",
    }
);

string_enum!(
    /// 职称申报 or 考核认定; one of them per person per year.
    DeclarationKind {
        Title = "title" / "职称申报",
        Assessment = "assessment" / "考核认定",
    }
);

string_enum!(
    /// A declaration's status as everyone sees it (SPEC §4, §8); the moves between them are
    /// the table in `domain::lifecycle`.
    DeclarationStatus {
        Draft = "draft" / "草稿",
        Pending = "pending" / "待审核",
        Approved = "approved" / "通过未上报",
        Returned = "returned" / "退回",
        Accepted = "accepted" / "受理",
        InReview = "in_review" / "评审中",
        Passed = "passed" / "评审通过",
        Failed = "failed" / "评审未通过",
        Void = "void" / "评审无效",
        Publicized = "publicized" / "公示中",
        Certified = "certified" / "取得资格",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_round_trips() {
        for kind in OrgKind::ALL {
            assert_eq!(OrgKind::parse(kind.as_str()), Some(*kind));
        }
        for level in Level::ALL {
            assert_eq!(Level::parse(level.as_str()), Some(*level));
        }
        assert_eq!(Level::parse("chief"), None);
    }

    #[test]
    fn reporting_kinds_follow_the_guide() {
        assert_eq!(OrgKind::Institution.allowed_parents(), &[OrgKind::Authority]);
        assert_eq!(OrgKind::Enterprise.allowed_parents(), &[OrgKind::Township]);
        assert_eq!(OrgKind::Authority.allowed_parents(), &[OrgKind::Hrss]);
        assert_eq!(OrgKind::Township.allowed_parents(), &[OrgKind::Hrss]);
        assert!(OrgKind::Hrss.allowed_parents().is_empty());
    }

    #[test]
    fn serde_uses_the_stored_spelling() {
        assert_eq!(serde_json::to_string(&Level::DeputySenior).unwrap(), "\"deputy_senior\"");
        assert_eq!(serde_json::to_string(&Role::OrgAdmin).unwrap(), "\"org_admin\"");
    }
}
