//! 批量导入: an employer's org admin imports applicants from an `.xlsx` (姓名, 身份证号, 手机号码,
//! 专业). The sheet is checked row by row and either imported entirely, in one transaction, or
//! refused with every problem by row and column. Each imported person gets a person account that
//! no password opens yet and an SMS (through the outbox and the `sms.send` job) with her username
//! and a one-time code to set her own password (找回密码 gives a new code once it expires).

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::auth::{AuthUser, password};
use crate::db;
use crate::domain::{IdCardNumber, Phone, Role, Username, text};
use crate::entities::{account, applicant_import};
use crate::error::{AppError, AppResult, FieldError};
use crate::services::accounts::{self, AccountFields};
use crate::services::audit::{self, AuditEntry};
use crate::services::codes::{self, Purpose};
use crate::services::{orgs, sms};
use crate::state::AppState;

/// The template's columns, in order: (header, key used in problem pointers).
pub const COLUMNS: [(&str, &str); 4] =
    [("姓名", "name"), ("身份证号", "id_number"), ("手机号码", "phone"), ("专业", "specialty")];

/// One checked row.
#[derive(Debug)]
pub struct ApplicantRow {
    /// The sheet's row number (1 is the header).
    pub sheet_row: usize,
    pub name: String,
    pub id_number: IdCardNumber,
    pub phone: Phone,
    pub specialty: String,
}

fn column_letter(index: usize) -> char {
    (b'A' + index as u8) as char
}

fn problem(sheet_row: usize, column: usize, message: impl std::fmt::Display) -> FieldError {
    let (header, key) = COLUMNS[column];
    FieldError::new(
        format!("/rows/{sheet_row}/{key}"),
        format!("第{sheet_row}行{}列（{header}）：{message}", column_letter(column)),
    )
}

/// A cell as text: numbers typed into a text column (a phone) come back without `.0`.
fn cell_text(cell: Option<&Data>) -> String {
    match cell {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{f:.0}"),
        Some(other) => other.to_string(),
    }
}

fn check_name(raw: &str) -> Result<String, String> {
    let name = text::single_line(raw).map_err(|e| e.0)?;
    let name = text::fold_name_dots(name.trim());
    let length = name.chars().count();
    if length == 0 {
        return Err("请填写姓名".into());
    }
    if !(2..=50).contains(&length) {
        return Err("姓名长度须在2到50个字符之间".into());
    }
    if name.chars().any(|c| c.is_ascii_digit()) {
        return Err("姓名不能包含数字".into());
    }
    Ok(name)
}

fn check_specialty(raw: &str) -> Result<String, String> {
    let specialty = text::single_line(raw).map_err(|e| e.0)?;
    let length = specialty.trim().chars().count();
    if length == 0 {
        return Err("请填写专业".into());
    }
    if length > 50 {
        return Err("专业长度不能超过50个字符".into());
    }
    Ok(specialty.trim().to_string())
}

/// Reads and checks the sheet: every row, or every problem (`/rows/<row>/<column>`), including
/// ID numbers and phones repeated within the sheet.
pub fn parse_sheet(bytes: &[u8], max_rows: usize) -> Result<Vec<ApplicantRow>, Vec<FieldError>> {
    let unreadable = || vec![FieldError::new("/file", "无法读取该文件，请使用导入模板（.xlsx）")];
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let range = match workbook.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        _ => return Err(unreadable()),
    };
    // Row numbers as the spreadsheet shows them, wherever the used range starts.
    let first_row = range.start().map(|(row, _)| row as usize + 1).unwrap_or(1);
    let first_col = range.start().map(|(_, col)| col as usize).unwrap_or(0);
    let mut rows = range.rows();
    let header: Vec<String> =
        rows.next().map(|r| r.iter().map(|c| cell_text(Some(c)).trim().to_string()).collect()).unwrap_or_default();
    let expected: Vec<&str> = COLUMNS.iter().map(|(h, _)| *h).collect();
    if first_col != 0 || header.iter().take(COLUMNS.len()).map(String::as_str).collect::<Vec<_>>() != expected {
        return Err(vec![FieldError::new(
            format!("/rows/{first_row}"),
            format!("第{first_row}行应为表头：{}（请使用导入模板）", expected.join("、")),
        )]);
    }
    let mut problems = Vec::new();
    let mut parsed = Vec::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut seen_phones: HashMap<String, usize> = HashMap::new();
    for (offset, row) in rows.enumerate() {
        let sheet_row = first_row + 1 + offset;
        let cells: Vec<String> = (0..COLUMNS.len()).map(|i| cell_text(row.get(i))).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if parsed.len() + problems.len() >= max_rows {
            return Err(vec![FieldError::new("/file", format!("一次最多导入{max_rows}行"))]);
        }
        let name = check_name(&cells[0]).map_err(|m| problems.push(problem(sheet_row, 0, m))).ok();
        let id_number = IdCardNumber::parse(cells[1].trim())
            .map_err(|e| {
                let hint = if cells[1].contains('E') || cells[1].contains('e') {
                    "（请将该列设为文本格式）"
                } else {
                    ""
                };
                problems.push(problem(sheet_row, 1, format!("{}{hint}", e.0)))
            })
            .ok();
        let phone = Phone::parse(cells[2].trim()).map_err(|e| problems.push(problem(sheet_row, 2, e.0))).ok();
        let specialty = check_specialty(&cells[3]).map_err(|m| problems.push(problem(sheet_row, 3, m))).ok();
        if let Some(id) = &id_number
            && let Some(earlier) = seen_ids.insert(id.as_str().to_string(), sheet_row)
        {
            problems.push(problem(sheet_row, 1, format!("与第{earlier}行重复")));
        }
        if let Some(p) = &phone
            && let Some(earlier) = seen_phones.insert(p.as_str().to_string(), sheet_row)
        {
            problems.push(problem(sheet_row, 2, format!("与第{earlier}行重复")));
        }
        if let (Some(name), Some(id_number), Some(phone), Some(specialty)) = (name, id_number, phone, specialty) {
            parsed.push(ApplicantRow { sheet_row, name, id_number, phone, specialty });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if parsed.is_empty() {
        return Err(vec![FieldError::new("/file", "表中没有可导入的人员")]);
    }
    Ok(parsed)
}

/// Problems with accounts that exist already: a person account with the ID number, or a phone
/// of someone with another ID number. A few queries whatever the number of rows.
async fn collisions(state: &AppState, db: &impl ConnectionTrait, rows: &[ApplicantRow]) -> AppResult<Vec<FieldError>> {
    let id_hashes: Vec<String> = rows.iter().map(|r| state.crypto.index("id_number", r.id_number.as_str())).collect();
    let phone_hashes: Vec<String> = rows.iter().map(|r| state.crypto.index("phone", r.phone.as_str())).collect();
    let mut taken_ids: HashSet<String> = HashSet::new();
    let mut phone_owners: HashMap<String, HashSet<Option<String>>> = HashMap::new();
    for chunk in id_hashes.chunks(500) {
        for a in account::Entity::find()
            .filter(account::Column::Role.eq(Role::Person.as_str()))
            .filter(account::Column::IdNumberHash.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            taken_ids.extend(a.id_number_hash);
        }
    }
    for chunk in phone_hashes.chunks(500) {
        for a in account::Entity::find().filter(account::Column::PhoneHash.is_in(chunk.to_vec())).all(db).await? {
            if let Some(phone) = a.phone_hash {
                phone_owners.entry(phone).or_default().insert(a.id_number_hash);
            }
        }
    }
    let mut problems = Vec::new();
    for ((row, id_hash), phone_hash) in rows.iter().zip(&id_hashes).zip(&phone_hashes) {
        if taken_ids.contains(id_hash) {
            problems.push(problem(row.sheet_row, 1, "该身份证号已注册账号，无需导入"));
        }
        if phone_owners.get(phone_hash).is_some_and(|owners| owners.iter().any(|o| o.as_deref() != Some(id_hash))) {
            problems.push(problem(row.sheet_row, 2, "该手机号已被他人的账号使用"));
        }
    }
    Ok(problems)
}

/// A fresh username for an imported person: she logs in with it, her ID number or her phone.
fn new_username() -> AppResult<Username> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    Username::parse(&format!("zc{}", &id[..10])).map_err(|e| AppError::Unexpected(anyhow::anyhow!("username: {}", e.0)))
}

pub struct ImportOutcome {
    pub batch_id: String,
    pub imported: Vec<(ApplicantRow, account::Model)>,
}

/// Imports every row of the sheet, or nothing: 422 with every problem by row and column.
pub async fn import(state: &AppState, user: &AuthUser, bytes: &[u8], ip: Option<String>) -> AppResult<ImportOutcome> {
    user.require(&[Role::OrgAdmin])?;
    let org_id = user.org()?.to_string();
    let max_rows = state.settings.documents.import_max_rows;
    let rows = parse_sheet(bytes, max_rows).map_err(AppError::fields)?;
    let org_name =
        orgs::by_ids(&state.db, [org_id.clone()]).await?.get(&org_id).map(|o| o.name.clone()).unwrap_or_default();
    let tx = db::begin_write(&state.db).await?;
    let problems = collisions(state, &tx, &rows).await?;
    if !problems.is_empty() {
        return Err(AppError::fields(problems));
    }
    let batch_id = db::new_id();
    let now = db::now();
    let mut imported = Vec::with_capacity(rows.len());
    for row in rows {
        let username = new_username()?;
        let fields = AccountFields {
            role: Role::Person,
            real_name: &row.name,
            id_number: Some(&row.id_number),
            phone: Some(&row.phone),
            org_id: None,
            created_by: Some(&user.id),
        };
        let account = accounts::insert_account(state, &tx, &username, password::unusable_hash(), fields).await?;
        applicant_import::Entity::insert(applicant_import::ActiveModel {
            id: Set(db::new_id()),
            batch_id: Set(batch_id.clone()),
            org_id: Set(org_id.clone()),
            account_id: Set(account.id.clone()),
            specialty: Set(row.specialty.clone()),
            sheet_row: Set(row.sheet_row as i32),
            imported_by: Set(user.id.clone()),
            imported_at: Set(now),
        })
        .exec_without_returning(&tx)
        .await?;
        // A new account has had no code: this is never throttled.
        if let Ok(code_text) = codes::issue(state, &tx, &account.id, Purpose::PasswordReset).await? {
            // The code first (an SMS preview shows it), then what it is for.
            let text = format!(
                "{code_text}{org_name}已为您开通职称申报账号，用户名{}（也可用身份证号或手机号登录），请在登录页“找回密码”用此验证码设置您的密码。",
                account.username
            );
            sms::enqueue(&state.crypto, &tx, account.phone_enc.clone(), &text).await?;
        }
        imported.push((row, account));
    }
    audit::record(
        &tx,
        AuditEntry::new("import_applicants", true)
            .actor(&user.id, &user.real_name, Some(&org_id))
            .object("org", &org_id)
            .ip(ip)
            .detail(json!({"batch_id": batch_id, "rows": imported.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(ImportOutcome { batch_id, imported })
}

/// The template: the header row, the ID number and phone columns formatted as text (a number
/// would lose an ID number's last digits).
pub fn template() -> AppResult<Vec<u8>> {
    let error = |e: rust_xlsxwriter::XlsxError| AppError::Unexpected(anyhow::anyhow!("xlsx: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("申报人员").map_err(error)?;
    let text_format = Format::new().set_num_format("@");
    let bold = Format::new().set_bold();
    for (column, (header, _)) in COLUMNS.iter().enumerate() {
        let column = column as u16;
        sheet.set_column_width(column, if column == 1 { 22.0 } else { 16.0 }).map_err(error)?;
        sheet.set_column_format(column, &text_format).map_err(error)?;
        sheet.write_string_with_format(0, column, *header, &bold).map_err(error)?;
    }
    workbook.save_to_buffer().map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[[&str; 4]]) -> Vec<u8> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *value).unwrap();
            }
        }
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn a_good_sheet_parses_and_blank_rows_are_skipped() {
        let bytes = sheet(&[
            ["姓名", "身份证号", "手机号码", "专业"],
            ["张三", "110102199101010078", "139 0531 0001", "护理学"],
            ["", "", "", ""],
            ["李四", "360426199101010071", "+8613905310002", "临床医学"],
        ]);
        let rows = parse_sheet(&bytes, 100).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].sheet_row, 4);
        assert_eq!(rows[1].phone.as_str(), "13905310002");
    }

    #[test]
    fn every_problem_is_named_by_row_and_column() {
        let bytes = sheet(&[
            ["姓名", "身份证号", "手机号码", "专业"],
            ["张三", "360426199101010072", "12345", "护理学"],
            ["李四", "110102199101010078", "13905310001", ""],
            ["王五", "110102199101010078", "13905310003", "护理学"],
        ]);
        let problems = parse_sheet(&bytes, 100).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["/rows/2/id_number", "/rows/2/phone", "/rows/3/specialty", "/rows/4/id_number"]);
        assert!(problems[0].message.starts_with("第2行B列（身份证号）"), "{}", problems[0].message);
        assert!(problems[3].message.contains("与第3行重复"));
    }

    #[test]
    fn a_sheet_without_the_template_header_is_refused() {
        let bytes = sheet(&[["名字", "证件", "电话", "专业"]]);
        assert_eq!(parse_sheet(&bytes, 100).unwrap_err()[0].field, "/rows/1");
        assert_eq!(parse_sheet(b"not a spreadsheet", 100).unwrap_err()[0].field, "/file");
    }

    #[test]
    fn the_template_reads_back_as_an_empty_import() {
        let bytes = template().unwrap();
        assert_eq!(parse_sheet(&bytes, 100).unwrap_err()[0].message, "表中没有可导入的人员");
    }
}
