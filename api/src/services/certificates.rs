//! 职称电子证书: issued in the transaction that makes a result final, a PDF with the certificate's
//! facts and a QR code of its public verification address, and a detached Ed25519 signature over
//! the PDF's bytes by the platform's key (`APP__SECURITY__SIGNING_KEY`), whose public part is
//! published. Anyone verifies a number (masked facts, valid or revoked) or an uploaded PDF (one
//! changed byte fails); the bureau revokes with a reason; the holder sees who checked.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::NaiveDate;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, StringFormat, dictionary};
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::auth::AuthUser;
use crate::db;
use crate::domain::{Level, Role, mask_id_number};
use crate::entities::{account, certificate, certificate_check, committee, declaration, org, series, series_level};
use crate::error::{AppError, AppResult};
use crate::services::audit::{self, AuditEntry};
use crate::services::messages::{self, Note};
use crate::state::AppState;

pub const VALID: &str = "valid";
pub const REVOKED: &str = "revoked";

fn signing_key(state: &AppState) -> AppResult<SigningKey> {
    let seed = state.settings.signing_key().map_err(AppError::Unexpected)?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The platform's public key (base64 of the 32 bytes) that checks certificate signatures.
pub fn public_key(state: &AppState) -> AppResult<String> {
    Ok(BASE64.encode(signing_key(state)?.verifying_key().as_bytes()))
}

/// The public verification address of a certificate, as put in its QR code.
pub fn verify_url(state: &AppState, number: &str) -> String {
    format!("{}/verify/{number}", state.settings.security.public_url.trim_end_matches('/'))
}

fn new_number(year: i32) -> String {
    let digits: u64 = rand::rng().random_range(0..10_000_000_000);
    format!("ZC{year:04}{digits:010}")
}

/// Issues the certificate of a certified declaration (inside the finalising transaction).
pub async fn issue(
    state: &AppState,
    db: &impl ConnectionTrait,
    declaration: &declaration::Model,
    committee: &committee::Model,
    today: NaiveDate,
) -> AppResult<certificate::Model> {
    let person = account::Entity::find_by_id(declaration.person_id.clone()).one(db).await?;
    let masked = match &person {
        Some(person) => crate::services::accounts::account_id_number(state, person)?
            .map(|id| id.masked())
            .unwrap_or_else(|| mask_id_number("")),
        None => mask_id_number(""),
    };
    let series_name = series::Entity::find_by_id(declaration.series_code.clone())
        .one(db)
        .await?
        .map(|s| s.name)
        .unwrap_or_else(|| declaration.series_code.clone());
    let title_name = series_level::Entity::find()
        .filter(series_level::Column::SeriesCode.eq(declaration.series_code.as_str()))
        .filter(series_level::Column::Level.eq(declaration.level.as_str()))
        .one(db)
        .await?
        .map(|l| l.title_name)
        .unwrap_or_else(|| Level::parse(&declaration.level).map(|l| l.label()).unwrap_or("").to_string());
    let number = new_number(declaration.year);
    let issued_on = today.format("%Y-%m-%d").to_string();
    let level_label = Level::parse(&declaration.level).map(|l| l.label()).unwrap_or("").to_string();
    let pdf = render_pdf(&Facts {
        number: &number,
        holder: &declaration.applicant_name,
        id_number: &masked,
        series: &series_name,
        specialty: &declaration.specialty,
        level: &level_label,
        title: &title_name,
        committee: &committee.name,
        issued_on: &issued_on,
        url: &verify_url(state, &number),
    })?;
    let signature = signing_key(state)?.sign(&pdf);
    let row = certificate::ActiveModel {
        number: Set(number.clone()),
        declaration_id: Set(declaration.id.clone()),
        person_id: Set(declaration.person_id.clone()),
        holder_name: Set(declaration.applicant_name.clone()),
        id_number_masked: Set(masked),
        series_code: Set(declaration.series_code.clone()),
        series_name: Set(series_name),
        specialty: Set(declaration.specialty.clone()),
        level: Set(declaration.level.clone()),
        title_name: Set(title_name),
        committee_id: Set(committee.id.clone()),
        committee_name: Set(committee.name.clone()),
        bureau_org_id: Set(committee.bureau_org_id.clone()),
        issued_on: Set(issued_on),
        status: Set(VALID.into()),
        pdf: Set(BASE64.encode(&pdf)),
        signature: Set(BASE64.encode(signature.to_bytes())),
        revoked_reason: Set(None),
        revoked_by: Set(None),
        revoked_at: Set(None),
        created_at: Set(db::now()),
    };
    certificate::Entity::insert(row).exec_without_returning(db).await?;
    certificate::Entity::find_by_id(number).one(db).await?.ok_or(AppError::NotFound)
}

struct Facts<'a> {
    number: &'a str,
    holder: &'a str,
    id_number: &'a str,
    series: &'a str,
    specialty: &'a str,
    level: &'a str,
    title: &'a str,
    committee: &'a str,
    issued_on: &'a str,
    url: &'a str,
}

/// UTF-16BE of `text`, as the `UniGB-UCS2-H` encoding of the standard Chinese font reads it.
fn ucs2(text: &str) -> Object {
    let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// A one-page A4 certificate. Chinese text uses the PDF standard CJK font `STSong-Light`
/// (Adobe-GB1, not embedded: every conforming reader supplies it); the QR code is drawn as
/// vector squares.
fn render_pdf(facts: &Facts) -> AppResult<Vec<u8>> {
    let mut doc = Document::with_version("1.7");
    let descendant = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType0",
        "BaseFont" => "STSong-Light",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("GB1"),
            "Supplement" => 2,
        },
        "FontDescriptor" => dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => "STSong-Light",
            "Flags" => 6,
            "FontBBox" => vec![(-25).into(), (-254).into(), 1000.into(), 880.into()],
            "ItalicAngle" => 0,
            "Ascent" => 880,
            "Descent" => -120,
            "CapHeight" => 880,
            "StemV" => 93,
        },
        "DW" => 1000,
    });
    let font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "STSong-Light",
        "Encoding" => "UniGB-UCS2-H",
        "DescendantFonts" => vec![descendant.into()],
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let mut ops = Vec::new();
    let line = |ops: &mut Vec<Operation>, size: i64, x: i64, y: i64, text: &str| {
        ops.push(Operation::new("BT", vec![]));
        ops.push(Operation::new("Tf", vec!["F1".into(), size.into()]));
        ops.push(Operation::new("Td", vec![x.into(), y.into()]));
        ops.push(Operation::new("Tj", vec![ucs2(text)]));
        ops.push(Operation::new("ET", vec![]));
    };
    line(&mut ops, 28, 170, 760, "专业技术职务任职资格证书");
    line(&mut ops, 12, 200, 730, "（职称电子证书）");
    let rows = [
        format!("证书编号：{}", facts.number),
        format!("姓　　名：{}", facts.holder),
        format!("身份证号：{}", facts.id_number),
        format!("系　　列：{}", facts.series),
        format!("专　　业：{}", facts.specialty),
        format!("级　　别：{}", facts.level),
        format!("资格名称：{}", facts.title),
        format!("评审机构：{}", facts.committee),
        format!("取得日期：{}", facts.issued_on),
    ];
    for (i, row) in rows.iter().enumerate() {
        line(&mut ops, 14, 80, 660 - 32 * i as i64, row);
    }
    line(&mut ops, 10, 80, 330, "扫描二维码或访问下列地址核验本证书：");
    line(&mut ops, 10, 80, 314, facts.url);
    let code =
        qrcode::QrCode::new(facts.url.as_bytes()).map_err(|e| AppError::Unexpected(anyhow::anyhow!("qr code: {e}")))?;
    let width = code.width();
    let module = 4i64;
    let (left, top) = (400i64, 300i64);
    ops.push(Operation::new("rg", vec![0.into(), 0.into(), 0.into()]));
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == qrcode::Color::Dark {
            let (x, y) = ((i % width) as i64, (i / width) as i64);
            ops.push(Operation::new(
                "re",
                vec![(left + x * module).into(), (top - (y + 1) * module).into(), module.into(), module.into()],
            ));
        }
    }
    ops.push(Operation::new("f", vec![]));
    let content =
        Content { operations: ops }.encode().map_err(|e| AppError::Unexpected(anyhow::anyhow!("pdf content: {e}")))?;
    let content = doc.add_object(Stream::new(dictionary! {}, content));
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages,
        "Contents" => content,
        "Resources" => resources,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).map_err(|e| AppError::Unexpected(anyhow::anyhow!("pdf: {e}")))?;
    Ok(bytes)
}

async fn find(db: &impl ConnectionTrait, number: &str) -> AppResult<certificate::Model> {
    certificate::Entity::find_by_id(number.to_string()).one(db).await?.ok_or(AppError::NotFound)
}

/// Records one public check; the checker's organisation when logged in as its member.
async fn record_check(state: &AppState, number: &str, via: &str, checker: Option<&AuthUser>) -> AppResult<()> {
    let org = match checker.and_then(|u| u.org_id.clone()) {
        Some(org_id) => org::Entity::find_by_id(org_id).one(&state.db).await?,
        None => None,
    };
    certificate_check::Entity::insert(certificate_check::ActiveModel {
        id: Set(db::new_id()),
        certificate_number: Set(number.to_string()),
        via: Set(via.to_string()),
        checker_org_id: Set(org.as_ref().map(|o| o.id.clone())),
        checker_org_name: Set(org.map(|o| o.name)),
        checked_at: Set(db::now()),
    })
    .exec_without_returning(&state.db)
    .await?;
    Ok(())
}

/// 证书核验 by number: the certificate's masked facts and whether it is valid.
pub async fn verify(state: &AppState, number: &str, checker: Option<&AuthUser>) -> AppResult<certificate::Model> {
    let certificate = find(&state.db, number).await?;
    record_check(state, number, "lookup", checker).await?;
    Ok(certificate)
}

/// Checks an uploaded PDF against the certificate's detached signature with the public key.
pub async fn verify_pdf(
    state: &AppState,
    number: &str,
    pdf: &[u8],
    checker: Option<&AuthUser>,
) -> AppResult<(certificate::Model, bool)> {
    let certificate = find(&state.db, number).await?;
    let key: VerifyingKey = signing_key(state)?.verifying_key();
    let signature = BASE64
        .decode(&certificate.signature)
        .ok()
        .and_then(|bytes| Signature::from_slice(&bytes).ok())
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("a stored signature is corrupt")))?;
    let genuine = key.verify(pdf, &signature).is_ok();
    record_check(state, number, "pdf", checker).await?;
    Ok((certificate, genuine))
}

/// The holder's certificates.
pub async fn mine(state: &AppState, user: &AuthUser) -> AppResult<Vec<certificate::Model>> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(user.id.as_str()))
        .order_by_desc(certificate::Column::CreatedAt)
        .all(&state.db)
        .await?)
}

/// One of the holder's certificates (anyone else: 404).
pub async fn own(state: &AppState, user: &AuthUser, number: &str) -> AppResult<certificate::Model> {
    let certificate = find(&state.db, number).await?;
    if certificate.person_id != user.id {
        return Err(AppError::NotFound);
    }
    Ok(certificate)
}

/// The PDF bytes and the signature (base64) of a certificate.
pub fn pdf_of(certificate: &certificate::Model) -> AppResult<Vec<u8>> {
    BASE64
        .decode(&certificate.pdf)
        .map_err(|_| AppError::Unexpected(anyhow::anyhow!("a stored certificate is corrupt")))
}

/// Who checked the holder's certificate ("谁查询了我"), newest first.
pub async fn checks(state: &AppState, user: &AuthUser, number: &str) -> AppResult<Vec<certificate_check::Model>> {
    own(state, user, number).await?;
    Ok(certificate_check::Entity::find()
        .filter(certificate_check::Column::CertificateNumber.eq(number))
        .order_by_desc(certificate_check::Column::CheckedAt)
        .all(&state.db)
        .await?)
}

/// 撤销: by a member (admin or reviewer) of the bureau the committee reports to, with a reason.
pub async fn revoke(
    state: &AppState,
    user: &AuthUser,
    number: &str,
    reason: String,
    ip: Option<String>,
) -> AppResult<certificate::Model> {
    let tx = db::begin_write(&state.db).await?;
    let certificate = find(&tx, number).await?;
    let bureau_member = matches!(user.role, Role::OrgAdmin | Role::Reviewer)
        && user.org_id.as_deref() == Some(certificate.bureau_org_id.as_str());
    if !bureau_member {
        return Err(AppError::NotFound);
    }
    let done = certificate::Entity::update_many()
        .col_expr(certificate::Column::Status, Expr::value(REVOKED))
        .col_expr(certificate::Column::RevokedReason, Expr::value(reason.clone()))
        .col_expr(certificate::Column::RevokedBy, Expr::value(user.id.clone()))
        .col_expr(certificate::Column::RevokedAt, Expr::value(db::now()))
        .filter(certificate::Column::Number.eq(number))
        .filter(certificate::Column::Status.eq(VALID))
        .exec(&tx)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::conflict("already_revoked", "该证书已撤销"));
    }
    messages::post(
        &tx,
        std::slice::from_ref(&certificate.person_id),
        &Note::new(
            "certificate_revoked",
            format!("职称电子证书{number}已撤销"),
            format!("您的{}证书已被撤销：{reason}", certificate.title_name),
        )
        .object("certificate", number),
    )
    .await?;
    audit::record(
        &tx,
        AuditEntry::new("certificate_revoked", true)
            .actor(&user.id, &user.real_name, user.org_id.as_deref())
            .object("certificate", number)
            .ip(ip)
            .detail(json!({"reason": reason})),
    )
    .await?;
    let saved = find(&tx, number).await?;
    tx.commit().await?;
    Ok(saved)
}
