//! Triggers that refuse UPDATE and DELETE on history tables, on both backends.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub async fn protect(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            db.execute_unprepared(
                "CREATE OR REPLACE FUNCTION forbid_history_change() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql",
            )
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE FUNCTION forbid_history_change()"
            ))
            .await?;
        }
        _ => {
            for verb in ["UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {table}_no_{lower} BEFORE {verb} ON {table} \
                     BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
                    lower = verb.to_lowercase()
                ))
                .await?;
            }
        }
    }
    Ok(())
}

pub async fn unprotect(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Postgres => {
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {table}_append_only ON {table}")).await?;
        }
        _ => {
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {table}_no_update")).await?;
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {table}_no_delete")).await?;
        }
    }
    Ok(())
}
