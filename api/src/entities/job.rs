use sea_orm::entity::prelude::*;

/// One piece of background work (see `crate::jobs`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// Which handler runs it (`sms.send`, `reminders.reviewers` …).
    pub kind: String,
    /// JSON handed to the handler.
    pub payload: String,
    /// `pending`, `running`, `done` or `failed` (given up).
    pub status: String,
    /// Not before this instant.
    pub run_at: DateTimeUtc,
    /// Claims so far, this one included.
    pub attempts: i32,
    pub max_attempts: i32,
    /// At most one job ever per key (a periodic job's slot).
    pub unique_key: Option<String>,
    /// The worker holding it while `running`, and until when.
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
