//! 导出Excel: the clerk's lists as `.xlsx` — the review list with its filters and a report
//! batch's 上报花名册.
//!
//! Sheets are written with `rust_xlsxwriter` in constant-memory mode (rows go to a temp file as
//! they are written, in order), read from the database a chunk at a time, and the finished
//! workbook is an anonymous temp file the route streams: memory stays flat however many rows.
//! ID numbers and phones are masked unless the caller asks for them unmasked, and then only on
//! rows her organisation holds. Every cell that a spreadsheet could take for a formula is
//! escaped, and every export is in the audit log.

use std::borrow::Cow;
use std::io::{Seek, SeekFrom};

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::auth::AuthUser;
use crate::domain::plan::in_beijing;
use crate::domain::{DeclarationKind, Level};
use crate::entities::{declaration, org, report, report_item};
use crate::error::{AppError, AppResult};
use crate::services::audit::{self, AuditEntry};
use crate::services::reviews::{self, PageStart, ReviewFilter, ReviewRow};
use crate::state::AppState;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Rows read from the database at a time.
const CHUNK: u64 = 1000;

/// A cell that starts like a formula (`=`, `+`, `-`, `@`, a tab, a carriage return, a line
/// feed or NUL) gets a leading `'`, so no spreadsheet — nor a CSV saved from this one — runs it.
pub fn escape_cell(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n' | '\0') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

fn xlsx_error(error: XlsxError) -> AppError {
    AppError::Unexpected(anyhow::anyhow!("xlsx: {error}"))
}

/// One worksheet written row by row.
pub struct Sheet {
    workbook: Workbook,
    row: u32,
    bold: Format,
}

impl Sheet {
    pub fn new(name: &str, widths: &[f64]) -> AppResult<Self> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
        sheet.set_name(name).map_err(xlsx_error)?;
        for (column, width) in widths.iter().enumerate() {
            sheet.set_column_width(column as u16, *width).map_err(xlsx_error)?;
        }
        Ok(Self { workbook, row: 0, bold: Format::new().set_bold() })
    }

    fn write(&mut self, cells: &[String], bold: bool) -> AppResult<()> {
        let format = self.bold.clone();
        let sheet = self.workbook.worksheet_from_index(0).map_err(xlsx_error)?;
        for (column, value) in cells.iter().enumerate() {
            let text = escape_cell(value);
            if bold {
                sheet.write_string_with_format(self.row, column as u16, text.as_ref(), &format).map_err(xlsx_error)?;
            } else {
                sheet.write_string(self.row, column as u16, text.as_ref()).map_err(xlsx_error)?;
            }
        }
        self.row += 1;
        Ok(())
    }

    pub fn row(&mut self, cells: &[String]) -> AppResult<()> {
        self.write(cells, false)
    }

    pub fn header(&mut self, cells: &[&str]) -> AppResult<()> {
        let cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
        self.write(&cells, true)
    }

    /// The finished workbook, as a temp file already unlinked (it goes when the handle does),
    /// positioned at its start. Zipping is CPU work: it runs off the async threads.
    pub async fn finish(self) -> AppResult<std::fs::File> {
        let mut workbook = self.workbook;
        tokio::task::spawn_blocking(move || -> AppResult<std::fs::File> {
            let mut file = tempfile::tempfile().map_err(|e| AppError::Unexpected(e.into()))?;
            workbook.save_to_writer(&mut file).map_err(xlsx_error)?;
            file.seek(SeekFrom::Start(0)).map_err(|e| AppError::Unexpected(e.into()))?;
            Ok(file)
        })
        .await
        .map_err(|e| AppError::Unexpected(e.into()))?
    }
}

/// A finished export: the file to stream and the name to give it.
pub struct Export {
    pub file: std::fs::File,
    pub filename: String,
    pub rows: u64,
}

const LIST_COLUMNS: [&str; 14] = [
    "序号",
    "姓名",
    "身份证号",
    "手机号码",
    "申报单位",
    "申报年度",
    "申报类别",
    "申报系列",
    "申报级别",
    "资格名称",
    "专业",
    "审核状态",
    "当前所在单位",
    "确认申报时间",
];
const LIST_WIDTHS: [f64; 14] = [6.0, 12.0, 21.0, 14.0, 30.0, 9.0, 10.0, 12.0, 10.0, 16.0, 14.0, 12.0, 30.0, 18.0];

fn beijing(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| in_beijing(at).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

/// The cells of one declaration; the ID number and phone in full only when `unmasked`.
fn row_cells(n: u64, row: &ReviewRow, unmasked: bool) -> Vec<String> {
    let d = &row.declaration;
    let id_number = row.id_number.as_ref().map(|i| if unmasked { i.as_str().to_string() } else { i.masked() });
    let phone = row.phone.as_ref().map(|p| if unmasked { p.as_str().to_string() } else { p.masked() });
    vec![
        n.to_string(),
        d.applicant_name.clone(),
        id_number.unwrap_or_default(),
        phone.unwrap_or_default(),
        row.employer.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
        d.year.to_string(),
        DeclarationKind::parse(&d.kind).map(|k| k.label()).unwrap_or_default().to_string(),
        row.series_name.clone(),
        Level::parse(&d.level).map(|l| l.label()).unwrap_or_default().to_string(),
        row.title_name.clone(),
        d.specialty.clone(),
        row.standing.label().to_string(),
        row.holder.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
        beijing(d.submitted_at),
    ]
}

/// Unmasked only on request, and only for a declaration the caller's organisation holds now.
fn unmask(requested: bool, row: &ReviewRow, org_id: &str) -> bool {
    requested && row.declaration.holder_org_id.as_deref() == Some(org_id)
}

/// The review list under `filter`, every matching row (the same query as the list).
pub async fn review_list(
    state: &AppState,
    user: &AuthUser,
    filter: ReviewFilter,
    unmasked: bool,
    ip: Option<String>,
) -> AppResult<Export> {
    let org_id = reviews::member_org(user)?.to_string();
    let mut sheet = Sheet::new("审核列表", &LIST_WIDTHS)?;
    sheet.header(&LIST_COLUMNS)?;
    let mut n = 0;
    let mut unmasked_rows = 0;
    // Chunk after chunk by the list's own keyset, so the last chunk costs what the first did.
    let mut start = PageStart::Number(1);
    loop {
        let (rows, next) = reviews::page(&state.db, &org_id, &filter, start, CHUNK).await?;
        for row in reviews::rows_with_names(state, &org_id, rows).await? {
            n += 1;
            let full = unmask(unmasked, &row, &org_id);
            unmasked_rows += u64::from(full);
            sheet.row(&row_cells(n, &row, full))?;
        }
        let Some(next) = next else { break };
        start = PageStart::After(next);
    }
    let file = sheet.finish().await?;
    audit::record_alone(
        &state.db,
        AuditEntry::new("export_review_list", true)
            .actor(&user.id, &user.real_name, Some(&org_id))
            .object("org", &org_id)
            .ip(ip)
            .detail(json!({
                "rows": n, "unmasked_rows": unmasked_rows,
                "filter": {"status": filter.standing, "year": filter.year, "level": filter.level.map(|l| l.as_str()),
                           "series": filter.series, "q": filter.q},
            })),
    )
    .await?;
    let date = in_beijing(state.clock.now()).format("%Y%m%d");
    Ok(Export { file, filename: format!("审核列表-{date}.xlsx"), rows: n })
}

/// A report batch with its organisations and declarations, for the organisation that sent it
/// or the one it went to; anyone else gets 404.
pub struct ReportBatch {
    pub report: report::Model,
    pub from_org: Option<org::Model>,
    pub to_org: Option<org::Model>,
    pub rows: Vec<ReviewRow>,
}

pub async fn report_batch(state: &AppState, user: &AuthUser, id: &str) -> AppResult<ReportBatch> {
    let org_id = reviews::member_org(user)?.to_string();
    let report = report::Entity::find_by_id(id.to_string())
        .one(&state.db)
        .await?
        .filter(|r| r.from_org_id == org_id || r.to_org_id == org_id)
        .ok_or(AppError::NotFound)?;
    let ids: Vec<String> = report_item::Entity::find()
        .filter(report_item::Column::ReportId.eq(id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|i| i.declaration_id)
        .collect();
    let declarations = if ids.is_empty() {
        Vec::new()
    } else {
        declaration::Entity::find()
            .filter(declaration::Column::Id.is_in(ids))
            .order_by_asc(declaration::Column::ApplicantName)
            .order_by_asc(declaration::Column::Id)
            .all(&state.db)
            .await?
    };
    let rows = reviews::rows_with_names(state, &org_id, declarations).await?;
    let orgs = crate::services::orgs::by_ids(&state.db, [report.from_org_id.clone(), report.to_org_id.clone()]).await?;
    Ok(ReportBatch {
        from_org: orgs.get(&report.from_org_id).cloned(),
        to_org: orgs.get(&report.to_org_id).cloned(),
        report,
        rows,
    })
}

/// 上报花名册: the batch's organisations, date and count to stamp, then one row per declaration.
pub async fn report_roster(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    unmasked: bool,
    ip: Option<String>,
) -> AppResult<Export> {
    let batch = report_batch(state, user, id).await?;
    let org_id = reviews::member_org(user)?.to_string();
    let mut sheet = Sheet::new("上报花名册", &LIST_WIDTHS)?;
    let from = batch.from_org.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let to = batch.to_org.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    let date = in_beijing(batch.report.created_at).format("%Y-%m-%d").to_string();
    sheet.header(&["上报花名册"])?;
    sheet.row(&["上报单位".into(), from.clone()])?;
    sheet.row(&["接收单位".into(), to])?;
    sheet.row(&["上报日期".into(), date.clone()])?;
    sheet.row(&["上报人数".into(), batch.rows.len().to_string()])?;
    sheet.row(&["经办人".into(), batch.report.actor_name.clone()])?;
    sheet.row(&[])?;
    sheet.header(&LIST_COLUMNS)?;
    let mut unmasked_rows = 0;
    for (n, row) in batch.rows.iter().enumerate() {
        let full = unmask(unmasked, row, &org_id);
        unmasked_rows += u64::from(full);
        sheet.row(&row_cells(n as u64 + 1, row, full))?;
    }
    sheet.row(&[])?;
    sheet.row(&["上报单位（盖章）".into(), String::new(), String::new(), "负责人签字".into()])?;
    let rows = batch.rows.len() as u64;
    let file = sheet.finish().await?;
    audit::record_alone(
        &state.db,
        AuditEntry::new("export_report_roster", true)
            .actor(&user.id, &user.real_name, Some(&org_id))
            .object("report", id)
            .ip(ip)
            .detail(json!({"rows": rows, "unmasked_rows": unmasked_rows})),
    )
    .await?;
    Ok(Export { file, filename: format!("上报花名册-{from}-{date}.xlsx"), rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_escaped_and_others_kept() {
        for risky in ["=1+2", "+86", "-3", "@SUM(A1)", "\tx", "\rx", "\0x"] {
            assert_eq!(escape_cell(risky), format!("'{risky}"));
        }
        for plain in ["李护士", "1-2", "a=b", ""] {
            assert_eq!(escape_cell(plain), plain);
        }
    }
}
