//! Forms that know what they ask: every series' form gets a new version in which 民族
//! (`ethnicity`) is chosen from the 56 of GB/T 3304 (`"list": "ethnicity"`, checked by the server)
//! and which asks 工作所在地 (`work_region`, optional): a GB/T 2260 行政区划 down to the
//! 乡镇（街道） (`"list": "division"`, the code is stored). Declarations already started keep
//! their version, where 民族 stays free text for the server and 工作所在地 is not asked.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult};

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEY: &str = "work_region";

#[derive(FromQueryResult)]
struct Latest {
    series_code: Option<String>,
    version: i32,
    body: serde_json::Value,
}

fn field() -> serde_json::Value {
    serde_json::json!({"key": KEY, "label": "工作所在地", "type": "text", "required": false,
        "list": "division", "depth": 4})
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let select = Query::select()
            .columns([FormTemplates::SeriesCode, FormTemplates::Version, FormTemplates::Body])
            .from(FormTemplates::Table)
            .order_by(FormTemplates::Version, Order::Desc)
            .to_owned();
        let rows = Latest::find_by_statement(db.get_database_backend().build(&select)).all(db).await?;
        let mut done: Vec<Option<String>> = Vec::new();
        let now = chrono::Utc::now();
        for row in rows {
            if done.contains(&row.series_code) {
                continue;
            }
            done.push(row.series_code.clone());
            let mut body = row.body;
            let Some(fields) = body.get_mut("info_fields").and_then(serde_json::Value::as_array_mut) else { continue };
            if fields.iter().any(|f| f["key"] == KEY) {
                continue;
            }
            for field in fields.iter_mut() {
                if field["key"] == "ethnicity" && field["type"] == "text" {
                    field["list"] = "ethnicity".into();
                }
            }
            let at = fields.iter().position(|f| f["key"] == "position").map_or(fields.len(), |i| i + 1);
            fields.insert(at, field());
            let version = row.version + 1;
            let id = format!("template-{}-{version}-g1", row.series_code.as_deref().unwrap_or("default"));
            let insert = Query::insert()
                .into_table(FormTemplates::Table)
                .columns([
                    FormTemplates::Id,
                    FormTemplates::SeriesCode,
                    FormTemplates::Version,
                    FormTemplates::Body,
                    FormTemplates::CreatedAt,
                ])
                .values_panic([id.into(), row.series_code.into(), version.into(), body.into(), now.into()])
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(FormTemplates::Table)
            .and_where(Expr::col(FormTemplates::Id).like("template-%-g1"))
            .to_owned();
        manager.exec_stmt(delete).await
    }
}

#[derive(DeriveIden)]
enum FormTemplates {
    Table,
    Id,
    SeriesCode,
    Version,
    Body,
    CreatedAt,
}
