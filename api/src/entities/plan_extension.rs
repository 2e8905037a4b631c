use sea_orm::entity::prelude::*;

/// 延期: later deadlines for one organisation and everything below it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_extensions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub plan_id: String,
    pub org_id: String,
    /// Individuals at or below the organisation may create, submit and resubmit until then.
    pub declare_until: Option<DateTimeUtc>,
    /// The organisation and those below it may review and report until then.
    pub review_until: Option<DateTimeUtc>,
    pub reason: String,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
