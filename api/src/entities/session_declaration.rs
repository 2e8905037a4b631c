use sea_orm::entity::prelude::*;

/// A declaration gathered into a session, with its result once closed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "session_declarations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub session_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub declaration_id: String,
    /// The applicant's employer: its experts are never drawn.
    pub org_id: String,
    pub result: Option<String>,
    pub eligible: Option<i32>,
    pub present: Option<i32>,
    pub agree: Option<i32>,
    pub disagree: Option<i32>,
    pub abstain: Option<i32>,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
