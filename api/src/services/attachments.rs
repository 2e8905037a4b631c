//! Evidence files (证明材料): typed by their bytes, stored durably before their row, and readable
//! only by their owner and the organisations a declaration using them has reached.

use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement};

use crate::auth::AuthUser;
use crate::db;
use crate::domain::Role;
use crate::entities::attachment;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::storage::{ByteStream, Staged};

/// The only accepted types, decided by content: PDF `%PDF-`, JPEG `FF D8 FF`, PNG signature.
const ACCEPTED: &[&str] = &["application/pdf", "image/jpeg", "image/png"];

/// The content type of a file by its first bytes, if it is one we accept.
pub fn detect_type(head: &[u8]) -> Option<&'static str> {
    let kind = infer::get(head)?;
    ACCEPTED.iter().copied().find(|accepted| *accepted == kind.mime_type())
}

/// The user's file name, for display only: no folders, no control characters, at most 200 characters.
pub fn clean_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." { "file".to_string() } else { cleaned }
}

/// Stores a staged upload for a person: type-checked, committed to storage, then recorded.
pub async fn create(state: &AppState, user: &AuthUser, staged: Staged, filename: &str) -> AppResult<attachment::Model> {
    user.require(&[Role::Person])?;
    if staged.size == 0 {
        return Err(AppError::field("/file", "文件为空，请重新选择"));
    }
    let Some(content_type) = detect_type(&staged.head) else {
        return Err(AppError::UnsupportedMediaType(
            "仅支持PDF、JPG、PNG格式的文件（按文件内容识别，修改扩展名无效）".into(),
        ));
    };
    let key = state.storage.commit(&staged.path, &staged.sha256).await?;
    let model = attachment::Model {
        id: db::new_id(),
        owner_id: user.id.clone(),
        filename: clean_filename(filename),
        content_type: content_type.to_string(),
        size: i64::try_from(staged.size).map_err(anyhow::Error::from)?,
        sha256: staged.sha256.clone(),
        storage_key: key,
        created_at: db::now(),
    };
    attachment::Entity::insert(attachment::ActiveModel::from(model.clone())).exec_without_returning(&state.db).await?;
    Ok(model)
}

/// Opens an attachment for the caller, or 404 when the caller may not see it.
pub async fn open(state: &AppState, user: &AuthUser, id: &str) -> AppResult<(attachment::Model, ByteStream)> {
    let row = attachment::Entity::find_by_id(id.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let allowed = match (&user.role, &user.org_id) {
        (Role::Person, _) => row.owner_id == user.id,
        (Role::OrgAdmin | Role::Reviewer, Some(org_id)) => reached_org(&state.db, id, org_id).await?,
        _ => false,
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let stream = state.storage.read(&row.storage_key).await?;
    Ok((row, stream))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_decided_by_the_bytes() {
        assert_eq!(detect_type(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(detect_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F']), Some("image/jpeg"));
        assert_eq!(detect_type(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]), Some("image/png"));
        assert_eq!(detect_type(b"<!doctype html><html>"), None);
        assert_eq!(detect_type(b"GIF89a......"), None);
        assert_eq!(detect_type(b"PK\x03\x04zip"), None);
    }

    #[test]
    fn file_names_lose_folders_and_control_characters() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\证书\\学历证书.pdf"), "学历证书.pdf");
        assert_eq!(clean_filename("a\u{0}b\nc.pdf"), "abc.pdf");
        assert_eq!(clean_filename(".."), "file");
        assert_eq!(clean_filename(&"长".repeat(300)).chars().count(), 200);
    }
}
