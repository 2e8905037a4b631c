use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_holders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub declaration_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_id: String,
    pub arrived_at: DateTimeUtc,
    /// The declaration's `updated_at`, copied by the database's triggers (never set by a service):
    /// the review list's order.
    pub updated_at: Option<DateTimeUtc>,
    /// Where the declaration stands as seen from `org_id` (`reviews::Standing`), kept by the same
    /// triggers.
    pub standing: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
