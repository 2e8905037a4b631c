//! Evidence files (证明材料): typed by their bytes, opened once to prove a reviewer can read them,
//! within the account's quota, stored durably before their row, and readable only by their owner
//! and the organisations a declaration using them has reached. Uploads never linked to an item
//! are removed after a grace period by a periodic job.

use std::io::Cursor;
use std::time::Duration as StdDuration;

use chrono::Duration;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QuerySelect, Statement, TransactionTrait,
};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::Role;
use crate::domain::evidence::{self, EvidenceKind};
use crate::entities::{account, attachment, item_attachment, plan};
use crate::error::{AppError, AppResult, FieldError};
use crate::jobs::{JobContext, JobResult};
use crate::state::AppState;
use crate::storage::Staged;

/// Longest a file may take to open before it is refused: parsing runs off the request threads,
/// on at most 5 MiB (the upload limit).
const CHECK_TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// How many files are opened at once (one per core: the parse is CPU work). A file is read whole
/// to be opened and an image may take [`MAX_IMAGE_ALLOC`] to decode, so without a bound N uploads
/// arriving together could take N times that. (The deadline night of `make bench` — PDFs that
/// parse in milliseconds — showed no difference: it bounds the worst case, not the usual one.)
static CHECKS: std::sync::LazyLock<std::sync::Arc<tokio::sync::Semaphore>> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    std::sync::Arc::new(tokio::sync::Semaphore::new(cores))
});
/// Largest image side accepted (pixels); a scan at 600 dpi of an A3 page is about 7000.
const MAX_IMAGE_SIDE: u32 = 12_000;
/// Most memory one image may take to decode.
const MAX_IMAGE_ALLOC: u64 = 512 * 1024 * 1024;

/// Stores a staged upload for a person: typed by content, proved readable, within the quota,
/// committed to storage, then recorded under a name that ends with its type.
pub async fn create(state: &AppState, user: &AuthUser, staged: Staged, filename: &str) -> AppResult<attachment::Model> {
    user.require(&[Role::Person])?;
    if staged.size == 0 {
        return Err(AppError::field("/file", "文件为空，请重新选择"));
    }
    let Some(kind) = evidence::sniff(&staged.head) else {
        return Err(AppError::UnsupportedMediaType(
            "仅支持PDF、JPG、PNG格式的文件（按文件内容识别，修改扩展名无效）".into(),
        ));
    };
    let size = i64::try_from(staged.size).map_err(anyhow::Error::from)?;
    // Cheap before costly: a full quota refuses before the file is parsed.
    check_quota(&state.db, state, &user.id, size).await?;
    check_readable(&staged, kind).await?;
    let key = state.storage.commit(&staged.path, &staged.sha256).await?;
    let model = attachment::Model {
        id: db::new_id(),
        owner_id: user.id.clone(),
        filename: evidence::stored_filename(filename, kind),
        content_type: kind.content_type().to_string(),
        size,
        sha256: staged.sha256.clone(),
        storage_key: key,
        created_at: db::now(),
        linked_at: None,
    };
    let tx = db::begin_write(&state.db).await?;
    // Uploads of one account take turns here, so parallel ones cannot together pass the quota.
    account::Entity::find_by_id(user.id.clone()).lock_exclusive().one(&tx).await?;
    if let Err(refused) = check_quota(&tx, state, &user.id, size).await {
        drop(tx);
        remove_blob_if_unused(state, &model.storage_key).await?;
        return Err(refused);
    }
    attachment::Entity::insert(attachment::ActiveModel::from(model.clone())).exec_without_returning(&tx).await?;
    tx.commit().await?;
    Ok(model)
}

/// Refuses before the body is read when the account has no room left for any file.
pub async fn ensure_room(state: &AppState, user: &AuthUser) -> AppResult<()> {
    check_quota(&state.db, state, &user.id, 0).await
}

#[derive(Debug, FromQueryResult)]
struct Usage {
    files: i64,
    bytes: Option<i64>,
}

/// Refuses an upload of `size` bytes that would take the account past its count or byte quota.
async fn check_quota(db: &impl ConnectionTrait, state: &AppState, owner_id: &str, size: i64) -> AppResult<()> {
    let usage = attachment::Entity::find()
        .select_only()
        .column_as(attachment::Column::Id.count(), "files")
        .column_as(Expr::cust("CAST(COALESCE(SUM(size), 0) AS BIGINT)"), "bytes")
        .filter(attachment::Column::OwnerId.eq(owner_id))
        .into_model::<Usage>()
        .one(db)
        .await?
        .unwrap_or(Usage { files: 0, bytes: None });
    let settings = &state.settings.storage;
    let max_files = i64::try_from(settings.max_files_per_account).unwrap_or(i64::MAX);
    let max_bytes = i64::try_from(settings.max_bytes_per_account).unwrap_or(i64::MAX);
    let grace = settings.orphan_grace_hours;
    if usage.files >= max_files {
        return Err(quota_refusal(format!(
            "您已上传{}个文件，达到每个账号{max_files}个的上限；未用于任何材料的文件会在上传{grace}小时后自动清理",
            usage.files
        )));
    }
    if usage.bytes.unwrap_or(0).saturating_add(size) > max_bytes {
        return Err(quota_refusal(format!(
            "您已上传的文件共{}MB，加上此文件将超过每个账号{}MB的上限；未用于任何材料的文件会在上传{grace}小时后自动清理",
            usage.bytes.unwrap_or(0) / 1024 / 1024,
            max_bytes / 1024 / 1024
        )));
    }
    Ok(())
}

fn quota_refusal(message: String) -> AppError {
    AppError::Unprocessable {
        code: "upload_quota_exceeded",
        detail: message.clone(),
        errors: vec![FieldError::new("/file", message)],
    }
}

/// Why a file cannot be opened by a reviewer, in words the uploader can act on.
#[derive(Debug, PartialEq, Eq)]
pub enum Unreadable {
    Broken,
    TooLarge,
}

/// Opens the file as what its bytes say it is: a PDF must parse and have a page, an image must
/// decode within size and memory limits.
pub fn verify(kind: EvidenceKind, bytes: &[u8]) -> Result<(), Unreadable> {
    match kind {
        EvidenceKind::Pdf => {
            let document = lopdf::Document::load_mem(bytes).map_err(|_| Unreadable::Broken)?;
            if document.get_pages().is_empty() {
                return Err(Unreadable::Broken);
            }
            Ok(())
        }
        EvidenceKind::Jpeg | EvidenceKind::Png => {
            let format = if kind == EvidenceKind::Png { image::ImageFormat::Png } else { image::ImageFormat::Jpeg };
            let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
            let mut limits = image::Limits::default();
            limits.max_image_width = Some(MAX_IMAGE_SIDE);
            limits.max_image_height = Some(MAX_IMAGE_SIDE);
            limits.max_alloc = Some(MAX_IMAGE_ALLOC);
            reader.limits(limits);
            match reader.decode() {
                Ok(_) => Ok(()),
                Err(image::ImageError::Limits(_)) => Err(Unreadable::TooLarge),
                Err(_) => Err(Unreadable::Broken),
            }
        }
    }
}

async fn check_readable(staged: &Staged, kind: EvidenceKind) -> AppResult<()> {
    // Waiting for a turn is not the file's fault: the time limit starts once it is opened.
    let turn = CHECKS.clone().acquire_owned().await.map_err(anyhow::Error::from)?;
    let bytes = tokio::fs::read(&staged.path).await.map_err(anyhow::Error::from)?;
    // The turn ends with the parse, which may outlive the time limit on its blocking thread.
    let check = tokio::task::spawn_blocking(move || {
        let outcome = verify(kind, &bytes);
        drop(turn);
        outcome
    });
    let outcome = match tokio::time::timeout(CHECK_TIMEOUT, check).await {
        Ok(joined) => joined.map_err(anyhow::Error::from)?,
        // The parse keeps its blocking thread until it ends; the upload does not wait for it.
        Err(_) => Err(Unreadable::TooLarge),
    };
    let message = match (outcome, kind) {
        (Ok(()), _) => return Ok(()),
        (Err(Unreadable::Broken), EvidenceKind::Pdf) => {
            "该PDF文件无法打开（文件已损坏、不完整、没有页面或设置了打开密码），审核人员将无法查看，请重新导出或扫描后上传"
        }
        (Err(Unreadable::Broken), _) => {
            "该图片无法打开（文件已损坏或不完整），审核人员将无法查看，请重新保存或拍摄后上传"
        }
        (Err(Unreadable::TooLarge), EvidenceKind::Pdf) => "该PDF文件过于复杂，无法在规定时间内打开，请重新导出后上传",
        (Err(Unreadable::TooLarge), _) => "图片尺寸过大（长、宽均不能超过12000像素），请缩小后上传",
    };
    Err(AppError::Unprocessable {
        code: "file_unreadable",
        detail: message.to_string(),
        errors: vec![FieldError::new("/file", message)],
    })
}

/// Records that these attachments are in use; called where items are linked to them.
pub async fn mark_linked(db: &impl ConnectionTrait, ids: &[String]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    attachment::Entity::update_many()
        .col_expr(attachment::Column::LinkedAt, Expr::value(db::now()))
        .filter(attachment::Column::Id.is_in(ids.to_vec()))
        .filter(attachment::Column::LinkedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The attachment's row if the caller may read it, or 404: the check before any byte or URL
/// of the file leaves the API.
pub async fn readable(state: &AppState, user: &AuthUser, id: &str) -> AppResult<attachment::Model> {
    let row = attachment::Entity::find_by_id(id.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let allowed = match (&user.role, &user.org_id) {
        (Role::Person, _) => row.owner_id == user.id,
        (Role::OrgAdmin | Role::Reviewer, Some(org_id)) => reached_org(&state.db, id, org_id).await?,
        _ => false,
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

/// Whether a declaration that uses the attachment has reached the organisation.
async fn reached_org(db: &impl ConnectionTrait, attachment_id: &str, org_id: &str) -> AppResult<bool> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT 1 FROM item_attachments ia \
             JOIN declaration_items i ON i.id = ia.item_id \
             JOIN declaration_holders h ON h.declaration_id = i.declaration_id \
             WHERE ia.attachment_id = $1 AND h.org_id = $2 LIMIT 1"
        }
        _ => {
            "SELECT 1 FROM item_attachments ia \
             JOIN declaration_items i ON i.id = ia.item_id \
             JOIN declaration_holders h ON h.declaration_id = i.declaration_id \
             WHERE ia.attachment_id = ? AND h.org_id = ? LIMIT 1"
        }
    };
    let row =
        db.query_one_raw(Statement::from_sql_and_values(backend, sql, [attachment_id.into(), org_id.into()])).await?;
    Ok(row.is_some())
}

/// The periodic job that removes uploads never linked to an item (see [`remove_orphans_before`]).
pub const REMOVE_ORPHANS: &str = "uploads.orphans";

/// Removes uploads never linked, older than `storage.orphan_grace_hours` by the rules' clock.
pub async fn remove_orphans(ctx: JobContext) -> JobResult {
    let grace = Duration::hours(ctx.state.settings.storage.orphan_grace_hours.max(1));
    let cutoff = ctx.state.clock.now() - grace;
    let removed = remove_orphans_before(&ctx.state, cutoff).await?;
    tracing::info!(removed, "unlinked uploads removed");
    let swept = remove_unused_files_before(&ctx.state, cutoff).await?;
    tracing::info!(removed = swept, "stored files no row uses removed");
    Ok(())
}

/// Removes stored files no row uses, last written before `cutoff`: those a crash left between
/// storing a file and committing its row (the store is written first, so no row ever points at
/// a missing file; this takes the other half away). Returns how many were removed.
///
/// An upload of the same bytes renews the file's time when it stores it, just before its row is
/// committed, so the time is read again after the rows: a file written since is kept.
pub async fn remove_unused_files_before(state: &AppState, cutoff: chrono::DateTime<chrono::Utc>) -> AppResult<u64> {
    let mut removed = 0;
    for key in state.storage.keys_older_than(cutoff).await? {
        let users =
            attachment::Entity::find().filter(attachment::Column::StorageKey.eq(key.as_str())).count(&state.db).await?;
        if users > 0 {
            continue;
        }
        if state.storage.modified_at(&key).await?.is_some_and(|written| written < cutoff) {
            state.storage.remove(&key).await?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Never linked, not in use, and uploaded before `cutoff`.
fn orphan_condition(cutoff: chrono::DateTime<chrono::Utc>) -> Condition {
    Condition::all()
        .add(attachment::Column::LinkedAt.is_null())
        .add(attachment::Column::CreatedAt.lt(cutoff))
        .add(attachment::Column::Id.not_in_subquery(
            Query::select().column(item_attachment::Column::AttachmentId).from(item_attachment::Entity).to_owned(),
        ))
        .add(
            attachment::Column::Id.not_in_subquery(
                Query::select()
                    .column(plan::Column::NoticeAttachmentId)
                    .from(plan::Entity)
                    .and_where(plan::Column::NoticeAttachmentId.is_not_null())
                    .to_owned(),
            ),
        )
}

/// Removes the rows of uploads never linked and uploaded before `cutoff`, and each stored file no
/// other row shares (identical content is stored once). Returns how many rows were removed.
pub async fn remove_orphans_before(state: &AppState, cutoff: chrono::DateTime<chrono::Utc>) -> AppResult<u64> {
    let mut removed = 0;
    loop {
        let batch = attachment::Entity::find().filter(orphan_condition(cutoff)).limit(200).all(&state.db).await?;
        if batch.is_empty() {
            return Ok(removed);
        }
        let mut progressed = false;
        for row in batch {
            // Deleted only if still an orphan: a person may have linked it since it was listed.
            let tx = state.db.begin().await?;
            let deleted = attachment::Entity::delete_many()
                .filter(attachment::Column::Id.eq(row.id.clone()))
                .filter(orphan_condition(cutoff))
                .exec(&tx)
                .await?;
            tx.commit().await?;
            if deleted.rows_affected == 1 {
                removed += 1;
                progressed = true;
                remove_blob_if_unused(state, &row.storage_key).await?;
            }
        }
        if !progressed {
            return Ok(removed);
        }
    }
}

/// Removes a stored file when no row points to it any more.
async fn remove_blob_if_unused(state: &AppState, storage_key: &str) -> AppResult<()> {
    let users =
        attachment::Entity::find().filter(attachment::Column::StorageKey.eq(storage_key)).count(&state.db).await?;
    if users == 0 {
        state.storage.remove(storage_key).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/files").join(name)).unwrap()
    }

    #[test]
    fn a_pdf_must_have_a_page_and_an_image_must_decode() {
        assert_eq!(verify(EvidenceKind::Pdf, &fixture("certificate.pdf")), Ok(()));
        assert_eq!(verify(EvidenceKind::Pdf, b"%PDF-1.4\n"), Err(Unreadable::Broken));
        assert_eq!(verify(EvidenceKind::Pdf, b"%PDF-1.5\n%%EOF\n"), Err(Unreadable::Broken));
        assert_eq!(verify(EvidenceKind::Png, &fixture("certificate.png")), Ok(()));
        assert_eq!(verify(EvidenceKind::Jpeg, &fixture("scan.jpg")), Ok(()));
        assert_eq!(verify(EvidenceKind::Jpeg, &fixture("header-only.jpg")), Err(Unreadable::Broken));
    }

    #[test]
    fn an_image_wider_than_the_limit_is_refused() {
        // 20000 × 1 pixels: refused on its header, before any pixel is decoded.
        let mut png = Vec::new();
        image::ImageEncoder::write_image(
            image::codecs::png::PngEncoder::new(&mut png),
            &vec![0u8; 20_000 * 3],
            20_000,
            1,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
        assert_eq!(verify(EvidenceKind::Png, &png), Err(Unreadable::TooLarge));
    }
}
