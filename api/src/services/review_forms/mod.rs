//! 评审表 (the 《专业技术职务任职资格评审表》): a declaration as a PDF the clerk can stamp, with a
//! QR code whose public address tells whether the paper still matches the platform's record.
//!
//! [`build`] is the plain function that turns a declaration and its history into what the form
//! shows ([`FormData`]); its SHA-256 over a canonical JSON is the content hash the QR carries.
//! [`pdf`] lays it out. Every distinct content generated is kept in `review_form_prints`, so a
//! hash can be looked up; [`verify`] recomputes the current content and compares.

pub mod pdf;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::lifecycle::Action;
use crate::domain::plan::in_beijing;
use crate::domain::{DeclarationKind, DeclarationStatus, Level};
use crate::entities::{declaration, declaration_event, review_form_print};
use crate::error::{AppError, AppResult};
use crate::services::audit::{self, AuditEntry};
use crate::services::declarations::{self, DeclarationView};
use crate::state::AppState;

/// Everything the form prints, in print order. Its JSON is hashed: nothing here may depend on
/// when or by whom the form is generated.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FormData {
    pub declaration_id: String,
    pub applicant_name: String,
    pub year: i32,
    /// `2026年度 卫生系列 主管护师（职称申报）`
    pub subtitle: String,
    /// 基本信息: label, value.
    pub basics: Vec<(String, String)>,
    /// 申报信息 (the template's info fields): label, value.
    pub info: Vec<(String, String)>,
    pub sections: Vec<SectionData>,
    pub evidence: Vec<EvidenceRow>,
    pub opinions: Vec<OpinionRow>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SectionData {
    pub code: String,
    pub name: String,
    /// The template's field labels, then 证明材料.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EvidenceRow {
    pub section: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// One level's decision: who (real name), which organisation, what, and when (Beijing date).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OpinionRow {
    pub org_name: String,
    pub actor_name: String,
    pub action: String,
    pub opinion: String,
    pub date: String,
}

/// A field value as the form prints it.
pub fn display(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "是".into(),
        Some(Value::Bool(false)) => "否".into(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Array(values)) => values.iter().map(|v| display(Some(v))).collect::<Vec<_>>().join("、"),
        Some(other) => other.to_string(),
    }
}

/// An organisation's decision in the lifecycle (not the applicant's create, submit or resubmit).
fn is_opinion(action: &str) -> bool {
    Action::ALL.iter().any(|a| a.as_str() == action && !matches!(a, Action::Submit | Action::Resubmit))
}

/// What the form shows for a declaration and its history (oldest first).
pub fn build(view: &DeclarationView, events: &[declaration_event::Model]) -> FormData {
    let d = &view.declaration;
    let kind = DeclarationKind::parse(&d.kind).map(|k| k.label()).unwrap_or_default();
    let level = Level::parse(&d.level).map(|l| l.label()).unwrap_or_default();
    let status = DeclarationStatus::parse(&d.status).map(|s| s.label()).unwrap_or_default();
    let basics = vec![
        ("姓名".to_string(), view.applicant.name.clone()),
        ("身份证号".into(), view.applicant.id_number.as_ref().map(|i| i.masked()).unwrap_or_default()),
        ("手机号码".into(), view.applicant.phone.as_ref().map(|p| p.masked()).unwrap_or_default()),
        ("申报单位".into(), view.org.as_ref().map(|o| o.name.clone()).unwrap_or_default()),
        ("申报年度".into(), d.year.to_string()),
        ("申报类别".into(), kind.to_string()),
        ("申报系列".into(), view.series_name.clone()),
        ("申报级别".into(), level.to_string()),
        ("资格名称".into(), view.title_name.clone()),
        ("专业".into(), d.specialty.clone()),
        ("当前状态".into(), status.to_string()),
        (
            "确认申报时间".into(),
            d.submitted_at.map(|at| in_beijing(at).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
        ),
    ];
    let info_values = d.info.as_object();
    let info = view
        .template
        .body
        .info_fields
        .iter()
        .map(|f| {
            let value = info_values.and_then(|m| m.get(&f.key));
            (f.label.clone(), f.reading(value).unwrap_or_else(|| display(value)))
        })
        .collect();
    let mut evidence = Vec::new();
    let sections = view
        .template
        .body
        .sections
        .iter()
        .map(|section| {
            let mut columns: Vec<String> = section.fields.iter().map(|f| f.label.clone()).collect();
            columns.push("证明材料".into());
            let rows = view
                .items
                .iter()
                .filter(|i| i.item.section == section.code)
                .map(|i| {
                    let data = i.item.data.as_object();
                    let mut row: Vec<String> =
                        section.fields.iter().map(|f| display(data.and_then(|m| m.get(&f.key)))).collect();
                    row.push(if i.attachments.is_empty() {
                        "无".into()
                    } else {
                        format!("{}份", i.attachments.len())
                    });
                    for a in &i.attachments {
                        evidence.push(EvidenceRow {
                            section: section.name.clone(),
                            filename: a.filename.clone(),
                            content_type: a.content_type.clone(),
                            size: a.size,
                            sha256: a.sha256.clone(),
                        });
                    }
                    row
                })
                .collect();
            SectionData { code: section.code.clone(), name: section.name.clone(), columns, rows }
        })
        .collect();
    let opinions = events
        .iter()
        .filter(|e| is_opinion(&e.action))
        .map(|e| OpinionRow {
            org_name: e.org_name.clone().unwrap_or_default(),
            actor_name: e.actor_name.clone(),
            action: crate::domain::lifecycle::event_label(&e.action).to_string(),
            opinion: e.opinion.clone().unwrap_or_default(),
            date: in_beijing(e.at).format("%Y-%m-%d").to_string(),
        })
        .collect();
    let subtitle = format!("{}年度 {} {}（{}）", d.year, view.series_name, view.title_name, kind);
    FormData {
        declaration_id: d.id.clone(),
        applicant_name: view.applicant.name.clone(),
        year: d.year,
        subtitle,
        basics,
        info,
        sections,
        evidence,
        opinions,
    }
}

/// SHA-256 (hex) of the form's canonical JSON.
pub fn content_hash(data: &FormData) -> String {
    let json = serde_json::to_vec(data).unwrap_or_default();
    hex::encode(Sha256::digest(json))
}

/// The public address a form's QR code carries.
pub fn verify_url(public_url: &str, hash: &str) -> String {
    format!("{}/verify/forms/{hash}", public_url.trim_end_matches('/'))
}

pub struct RenderedForm {
    pub pdf: Vec<u8>,
    pub filename: String,
    pub content_hash: String,
}

async fn current(state: &AppState, declaration: declaration::Model) -> AppResult<FormData> {
    let id = declaration.id.clone();
    let view = declarations::load_view(state, &state.db, declaration).await?;
    let events = declarations::history(&state.db, &id).await?;
    Ok(build(&view, &events))
}

/// The 评审表 of a declaration, for its owner (a draft gives her a preview) and every
/// organisation it reached; anyone else gets 404.
pub async fn render(state: &AppState, user: &AuthUser, id: &str, ip: Option<String>) -> AppResult<RenderedForm> {
    let declaration = declarations::readable(state, user, id).await?;
    let draft = declaration.status == DeclarationStatus::Draft.as_str();
    let data = current(state, declaration).await?;
    let hash = content_hash(&data);
    let tx = db::begin_write(&state.db).await?;
    review_form_print::Entity::insert(review_form_print::ActiveModel {
        content_hash: Set(hash.clone()),
        declaration_id: Set(id.to_string()),
        printed_by: Set(user.id.clone()),
        printed_at: Set(db::now()),
    })
    .on_conflict(OnConflict::column(review_form_print::Column::ContentHash).do_nothing().to_owned())
    .exec_without_returning(&tx)
    .await?;
    audit::record(
        &tx,
        AuditEntry::new("review_form_print", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("declaration", id)
            .ip(ip)
            .detail(serde_json::json!({"content_hash": hash})),
    )
    .await?;
    tx.commit().await?;
    let settings = state.settings.documents.clone();
    let url = verify_url(&settings.public_url, &hash);
    let generated = in_beijing(state.clock.now());
    let filename = format!("评审表-{}-{}{}.pdf", data.applicant_name, data.year, if draft { "-预览" } else { "" });
    let for_render = hash.clone();
    let pdf = tokio::task::spawn_blocking(move || {
        let font = pdf::load_font(&settings.font_path, settings.font_index)?;
        pdf::render(&font, &data, &pdf::Stamp { content_hash: for_render, verify_url: url, generated, draft })
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))?
    .map_err(AppError::Unexpected)?;
    Ok(RenderedForm { pdf, filename, content_hash: hash })
}

/// What anyone holding a printed form learns at its QR address.
pub struct Verification {
    /// The content hash still matches the platform's current record of the declaration.
    pub current: bool,
    /// The applicant's name with all but its first character masked.
    pub applicant: String,
    pub year: i32,
    pub subtitle: String,
    pub printed_at: DateTime<Utc>,
}

/// Looks a printed form's hash up; 404 when the platform never generated it.
pub async fn verify(state: &AppState, hash: &str) -> AppResult<Verification> {
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let print = review_form_print::Entity::find_by_id(hash.to_ascii_lowercase())
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let declaration = declaration::Entity::find_by_id(print.declaration_id.clone())
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let data = current(state, declaration).await?;
    let applicant: String =
        data.applicant_name.chars().enumerate().map(|(i, c)| if i == 0 { c } else { '*' }).collect();
    Ok(Verification {
        current: content_hash(&data) == print.content_hash,
        applicant,
        year: data.year,
        subtitle: data.subtitle,
        printed_at: print.printed_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_a_clerk_reads_them() {
        assert_eq!(display(Some(&serde_json::json!("护理学"))), "护理学");
        assert_eq!(display(Some(&serde_json::json!(90))), "90");
        assert_eq!(display(Some(&serde_json::json!(true))), "是");
        assert_eq!(display(Some(&serde_json::json!(["甲", "乙"]))), "甲、乙");
        assert_eq!(display(None), "");
    }

    #[test]
    fn the_verify_address_has_one_slash() {
        assert_eq!(verify_url("https://zc.example.cn/", "ab"), "https://zc.example.cn/verify/forms/ab");
    }
}
