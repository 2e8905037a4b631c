use sea_orm::entity::prelude::*;

/// 资格条件 of a level, optionally of one series and of one plan; `rules` is a
/// `domain::eligibility::RuleSet`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "eligibility_rule_sets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// `<plan or *>/<series or *>/<level>`: unique.
    pub scope_key: String,
    pub plan_id: Option<String>,
    pub series_code: Option<String>,
    pub level: String,
    pub rules: Json,
    pub updated_by: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
