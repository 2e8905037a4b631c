use sea_orm::entity::prelude::*;

/// What the worker did with one queued text (`id` is its `sms.send` job's id): sending, sent, failed, capped (the
/// phone had its day's texts) or opted_out (a non-essential text the person turned off).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub phone_hash: String,
    pub kind: String,
    pub status: String,
    /// The Beijing day it counts towards.
    pub day: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
