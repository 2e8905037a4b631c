//! 资格条件 read the current title's level: every series' form gets a new version with
//! 现有职称等级 (`current_title_level`, optional, one of the title levels or 无) after 现有职称.
//! Declarations already started keep their version; new ones get this one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult};

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEY: &str = "current_title_level";

#[derive(FromQueryResult)]
struct Latest {
    series_code: Option<String>,
    version: i32,
    body: serde_json::Value,
}

fn field() -> serde_json::Value {
    serde_json::json!({"key": KEY, "label": "现有职称等级", "type": "select", "required": false,
        "options": ["正高级", "副高级", "中级", "助理级", "员级", "无"]})
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
            let at = fields.iter().position(|f| f["key"] == "current_title").map_or(fields.len(), |i| i + 1);
            fields.insert(at, field());
            let version = row.version + 1;
            let id = format!("template-{}-{version}-f1", row.series_code.as_deref().unwrap_or("default"));
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
            .and_where(Expr::col(FormTemplates::Id).like("template-%-f1"))
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
