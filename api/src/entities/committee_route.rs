use sea_orm::entity::prelude::*;

/// 评委会路径: a bureau's accepted declarations of a series and level go to a committee.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "committee_routes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub bureau_org_id: String,
    pub committee_id: String,
    pub series_code: String,
    pub level: String,
    pub status: String,
    pub reason: Option<String>,
    pub applied_by: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
