//! Names are stored with one middle dot, U+00B7 (issue 11 §3): the names typed before with `•`,
//! `・`, `‧`, `･`, `∙` or `⋅` are folded too, so a search finds them. `api::domain::text` folds new ones.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const DOTS: [&str; 6] = ["\u{2022}", "\u{30FB}", "\u{2027}", "\u{FF65}", "\u{2219}", "\u{22C5}"];

fn fold(table: &str, column: &str) -> String {
    let mut folded = column.to_string();
    for dot in DOTS {
        folded = format!("REPLACE({folded}, '{dot}', '\u{00B7}')");
    }
    let any = DOTS.iter().map(|dot| format!("{column} LIKE '%{dot}%'")).collect::<Vec<_>>().join(" OR ");
    format!("UPDATE {table} SET {column} = {folded} WHERE {any}")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(&fold("accounts", "real_name")).await?;
        db.execute_unprepared(&fold("declarations", "applicant_name")).await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Which dot each name was typed with is not kept; `·` is right for every one of them.
        Ok(())
    }
}
