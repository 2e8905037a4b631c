use sea_orm::entity::prelude::*;

/// 申报计划: one bureau's plan for a year and kind. Instants are stored in UTC.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The `hrss` organisation that published it; declarations must end their chain there.
    pub bureau_org_id: String,
    pub year: i32,
    pub kind: String,
    pub name: String,
    pub notice: String,
    pub notice_attachment_id: Option<String>,
    /// Individuals may create and submit from this instant …
    pub opens_at: DateTimeUtc,
    /// … until this one (exclusive).
    pub closes_at: DateTimeUtc,
    /// A returned declaration may be resubmitted until this instant.
    pub return_closes_at: DateTimeUtc,
    /// 单位审核截止: the employer reviews and reports by then.
    pub employer_closes_at: DateTimeUtc,
    /// 主管部门（乡镇）上报截止.
    pub authority_closes_at: DateTimeUtc,
    /// 人社局受理截止.
    pub bureau_closes_at: DateTimeUtc,
    pub pledge_sha256: String,
    /// Whether declarations of this plan may be 破格 (exceptional).
    pub exceptional_allowed: bool,
    pub created_by: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
