//! The review list stays flat at a province's size (issue 18): its rows are an organisation's
//! holder rows, so each holder row carries the two things the list filters and orders by — the
//! declaration's `updated_at` and where it stands as seen from that organisation (`standing`: the
//! spellings of `api::services::reviews::Standing`). Triggers keep both in the same transaction as
//! any change to the declaration or to the holder row, on both backends, so no service can forget
//! them; indexes on `(org_id, [standing,] updated_at, declaration_id)` read a page, a deep page by
//! keyset, or a capped count without touching the rest of the province.
//!
//! On PostgreSQL a GIN index over each name's characters and character pairs (`name_grams`) finds
//! a name by any part of it, two-character names included (`pg_trgm` needs three). SQLite, for a
//! district, keeps scanning the organisation's rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Where declaration `d` stands for the holder row `h` (`Standing::of` in the service, which a
/// test keeps equal to this).
pub(crate) fn standing(d: &str, h: &str) -> String {
    format!(
        "CASE \
           WHEN {d}.status IN ('accepted','in_review','passed','failed','void','publicized','certified') THEN 'accepted' \
           WHEN {d}.status IN ('returned','draft') THEN 'returned' \
           WHEN {d}.status = 'pending' AND {d}.holder_org_id = {h}.org_id THEN 'pending' \
           WHEN {d}.status = 'approved' AND {d}.holder_org_id = {h}.org_id THEN 'approved' \
           WHEN {d}.status IN ('pending','approved') \
                AND ({d}.submitted_at IS NULL OR {h}.arrived_at >= {d}.submitted_at) THEN 'reported' \
           ELSE 'returned' \
         END"
    )
}

/// What a declaration's update must carry to its holder rows.
pub(crate) const WATCHED: &str = "updated_at, status, holder_org_id, submitted_at";

const BACKFILL: &str = "UPDATE declaration_holders SET \
       updated_at = (SELECT d.updated_at FROM declarations d WHERE d.id = declaration_holders.declaration_id), \
       standing = (SELECT {standing} FROM declarations d WHERE d.id = declaration_holders.declaration_id)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        manager
            .alter_table(
                Table::alter()
                    .table(DeclarationHolders::Table)
                    .add_column(ColumnDef::new(DeclarationHolders::UpdatedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DeclarationHolders::Table)
                    .add_column(ColumnDef::new(DeclarationHolders::Standing).string_len(16).null())
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(&BACKFILL.replace("{standing}", &standing("d", "declaration_holders"))).await?;
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION review_order_from_declaration() RETURNS trigger AS $$ BEGIN \
                       UPDATE declaration_holders h SET updated_at = NEW.updated_at, standing = {} \
                        WHERE h.declaration_id = NEW.id; \
                       RETURN NULL; \
                     END; $$ LANGUAGE plpgsql",
                    standing("NEW", "h")
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER declarations_review_order AFTER UPDATE OF {WATCHED} ON declarations \
                     FOR EACH ROW EXECUTE FUNCTION review_order_from_declaration()"
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION review_order_of_holder() RETURNS trigger AS $$ BEGIN \
                       SELECT d.updated_at, {} INTO NEW.updated_at, NEW.standing \
                         FROM declarations d WHERE d.id = NEW.declaration_id; \
                       RETURN NEW; \
                     END; $$ LANGUAGE plpgsql",
                    standing("d", "NEW")
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER declaration_holders_review_order BEFORE INSERT OR UPDATE OF arrived_at, org_id \
                     ON declaration_holders FOR EACH ROW EXECUTE FUNCTION review_order_of_holder()",
                )
                .await?;
                // Every character and pair of characters of a name, for a GIN index that finds a
                // name by any part of it (a one- or two-character search included).
                db.execute_unprepared(
                    "CREATE FUNCTION name_grams(name text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ \
                       SELECT coalesce(array_agg(DISTINCT g), '{}') FROM ( \
                         SELECT substr(name, i, 1) AS g FROM generate_series(1, char_length(name)) AS i \
                         UNION ALL \
                         SELECT substr(name, i, 2) FROM generate_series(1, char_length(name) - 1) AS i) AS grams $$",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX idx_declarations_name_grams ON declarations USING gin (name_grams(applicant_name))",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER declarations_review_order AFTER UPDATE OF {WATCHED} ON declarations BEGIN \
                       UPDATE declaration_holders SET updated_at = NEW.updated_at, standing = {} \
                        WHERE declaration_id = NEW.id; \
                     END",
                    standing("NEW", "declaration_holders")
                ))
                .await?;
                for (name, event) in [
                    ("declaration_holders_review_order_insert", "INSERT"),
                    ("declaration_holders_review_order_update", "UPDATE OF arrived_at, org_id"),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} AFTER {event} ON declaration_holders BEGIN \
                           UPDATE declaration_holders SET \
                             updated_at = (SELECT d.updated_at FROM declarations d WHERE d.id = NEW.declaration_id), \
                             standing = (SELECT {} FROM declarations d WHERE d.id = NEW.declaration_id) \
                            WHERE declaration_id = NEW.declaration_id AND org_id = NEW.org_id; \
                         END",
                        standing("d", "declaration_holders")
                    ))
                    .await?;
                }
            }
        }
        for (name, columns) in [
            ("idx_holders_org_order", &[DeclarationHolders::OrgId, DeclarationHolders::UpdatedAt][..]),
            (
                "idx_holders_org_standing_order",
                &[DeclarationHolders::OrgId, DeclarationHolders::Standing, DeclarationHolders::UpdatedAt][..],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(DeclarationHolders::Table);
            for column in columns {
                index.col(*column);
            }
            manager.create_index(index.col(DeclarationHolders::DeclarationId).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for name in ["idx_holders_org_order", "idx_holders_org_standing_order"] {
            manager.drop_index(Index::drop().name(name).table(DeclarationHolders::Table).to_owned()).await?;
        }
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("DROP INDEX IF EXISTS idx_declarations_name_grams").await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS name_grams(text)").await?;
                db.execute_unprepared("DROP TRIGGER IF EXISTS declarations_review_order ON declarations").await?;
                db.execute_unprepared("DROP TRIGGER IF EXISTS declaration_holders_review_order ON declaration_holders")
                    .await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS review_order_from_declaration()").await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS review_order_of_holder()").await?;
            }
            _ => {
                for name in [
                    "declarations_review_order",
                    "declaration_holders_review_order_insert",
                    "declaration_holders_review_order_update",
                ] {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}")).await?;
                }
            }
        }
        for column in [DeclarationHolders::UpdatedAt, DeclarationHolders::Standing] {
            manager.alter_table(Table::alter().table(DeclarationHolders::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum DeclarationHolders {
    Table,
    DeclarationId,
    OrgId,
    UpdatedAt,
    Standing,
}
