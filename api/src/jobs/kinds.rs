//! Every kind of background job the platform runs, and which of them are periodic. Add a line
//! here to register a handler (see the module docs of [`crate::jobs`]).

use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{JobContext, JobResult, Registry, Schedule, status};
use crate::entities::job;
use crate::services::attachments;

/// The platform's handlers and periodic jobs.
pub fn registry() -> Registry {
    Registry::new()
        .every(PRUNE, Schedule::daily_at(3, 0), prune)
        .every(attachments::REMOVE_ORPHANS, Schedule::every(Duration::hours(1)), attachments::remove_orphans)
        .handle(crate::services::sms::SEND, crate::services::sms::send_queued)
        .every(crate::services::reminders::DAILY, Schedule::daily_at(9, 0), crate::services::reminders::daily)
        .every(
            crate::services::publicity::FINALISE_DUE,
            Schedule::every(Duration::hours(1)),
            crate::services::publicity::finalise_job,
        )
}

/// Deletes finished jobs older than `jobs.keep_done_days` (failed ones stay for an operator), and
/// the shared rate-limit keys whose allowance is whole again.
pub const PRUNE: &str = "jobs.prune";

pub async fn prune(ctx: JobContext) -> JobResult {
    let before = ctx.state.clock.now() - Duration::days(ctx.state.settings.jobs.keep_done_days);
    let removed = job::Entity::delete_many()
        .filter(job::Column::Status.eq(status::DONE))
        .filter(job::Column::FinishedAt.lt(before))
        .exec(&ctx.state.db)
        .await?;
    tracing::info!(removed = removed.rows_affected, "finished jobs pruned");
    let keys = crate::rate_limit::prune_shared(&ctx.state.db).await?;
    tracing::info!(removed = keys, "idle rate-limit keys pruned");
    Ok(())
}
