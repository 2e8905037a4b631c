use sea_orm::entity::prelude::*;

/// A reminder or 催办 given: at most one per kind, object and Beijing day.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reminders_sent")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub object_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: String,
    /// Who urged (催办); None for the scheduled reminders.
    pub actor_id: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
