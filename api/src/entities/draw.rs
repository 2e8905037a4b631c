use sea_orm::entity::prelude::*;

/// A recorded draw: sealed with its seed and size, then run once over the candidates.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "draws")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub session_id: String,
    /// `initial` or `replacement`.
    pub kind: String,
    pub count: i32,
    pub replaces_expert_id: Option<String>,
    pub seed: String,
    pub algorithm: String,
    /// The sorted candidate expert ids.
    pub candidates: Option<Json>,
    /// The drawn expert ids, in the order drawn.
    pub output: Option<Json>,
    /// `sealed` or `done`.
    pub status: String,
    pub created_by: String,
    pub sealed_at: DateTimeUtc,
    pub run_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
