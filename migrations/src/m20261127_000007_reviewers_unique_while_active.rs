//! A disabled reviewer may be registered again: the real-name uniqueness applies to active reviewers.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS uq_accounts_reviewer").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_accounts_active_reviewer ON accounts (org_id, id_number_hash) \
             WHERE role = 'reviewer' AND status = 'active'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS uq_accounts_active_reviewer").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_accounts_reviewer ON accounts (org_id, id_number_hash) WHERE role = 'reviewer'",
        )
        .await?;
        Ok(())
    }
}
