use sea_orm::entity::prelude::*;

/// 评委会: formed by `org_id` (组建单位), approved by `bureau_org_id`, with its rules.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "committees")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub org_id: String,
    pub bureau_org_id: String,
    pub series_code: String,
    /// The levels it reviews: a list of `Level` spellings.
    pub levels: Json,
    /// 学科组.
    pub specialty_group: Option<String>,
    /// The fewest members a session of each level draws: `{level: n}`.
    pub min_members: Json,
    pub quorum_numerator: i32,
    pub quorum_denominator: i32,
    pub pass_numerator: i32,
    pub pass_denominator: i32,
    pub status: String,
    pub reason: Option<String>,
    pub created_by: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
