use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "declarations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub person_id: String,
    pub applicant_name: String,
    pub year: i32,
    pub kind: String,
    pub series_code: String,
    pub level: String,
    pub specialty: String,
    /// The employer (申报单位).
    pub org_id: String,
    /// The organisation holding it now; None while a draft or returned.
    pub holder_org_id: Option<String>,
    pub status: String,
    pub template_id: String,
    pub info: Json,
    pub basic_confirmed: bool,
    /// Sections a reviewer opened for new items on return (新增).
    pub open_sections: Json,
    /// Whether a reviewer unlocked the declaration info on return.
    pub info_unlocked: bool,
    pub return_opinion: Option<String>,
    pub copied_from: Option<String>,
    pub version: i32,
    pub submitted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The 申报计划 it was declared in; None only for declarations older than plans.
    pub plan_id: Option<String>,
    /// 破格: failed eligibility rules are warnings the applicant explains.
    pub exceptional: bool,
    /// 破格 explanations by rule code.
    pub exceptional_explanations: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
