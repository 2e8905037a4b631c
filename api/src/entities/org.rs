use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orgs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub uscc: String,
    pub kind: String,
    pub region_code: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone_enc: String,
    pub status: String,
    /// 单位认证: `unverified`, `verified` or `refused`.
    pub verification: String,
    /// Why the bureau refused it.
    pub verification_reason: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
