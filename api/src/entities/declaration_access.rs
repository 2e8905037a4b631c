use sea_orm::entity::prelude::*;

/// 访问记录: an organisation's account opened a declaration or downloaded one of its files
/// (`services::access_log`); repeats within the fold window raise `count`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "declaration_access_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub declaration_id: String,
    pub org_id: String,
    pub org_name: String,
    pub account_id: String,
    /// The account's real name (实名).
    pub account_name: String,
    pub username: String,
    /// `view` (opened the declaration) or `download` (a file).
    pub action: String,
    pub attachment_id: Option<String>,
    pub attachment_name: Option<String>,
    pub first_at: DateTimeUtc,
    pub last_at: DateTimeUtc,
    pub count: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
