//! Where evidence files live. Uploads are staged in a local folder (streamed, hashed, size-capped),
//! then committed to the store under their content hash. The store is a port: the local folder
//! here, an S3-compatible store in [`s3`] (`storage.backend`).

pub mod s3;

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

#[async_trait::async_trait]
pub trait Storage: Send + Sync {
    /// A local folder for staging uploads (on the same filesystem as the store, for the local one).
    fn staging_dir(&self) -> &Path;

    /// Makes a staged, fsynced file durable under its content hash and returns its key.
    /// Identical content is stored once. Only after this returns may a row point to the key.
    async fn commit(&self, staged: &Path, sha256: &str) -> anyhow::Result<String>;

    /// Streams a stored file.
    async fn read(&self, key: &str) -> anyhow::Result<ByteStream>;

    /// Whether a key is stored, with its size.
    async fn size_of(&self, key: &str) -> anyhow::Result<Option<u64>>;

    /// Deletes a stored file; a key that is not stored is not an error. Only for keys no row uses.
    async fn remove(&self, key: &str) -> anyhow::Result<()>;

    /// Whether the store can be reached now (`/readyz`).
    async fn ready(&self) -> anyhow::Result<()>;

    /// Every stored key last written before `cutoff` (the sweep of objects no row uses).
    async fn keys_older_than(&self, cutoff: chrono::DateTime<chrono::Utc>) -> anyhow::Result<Vec<String>>;

    /// When a stored key was last written, if it is stored.
    async fn modified_at(&self, key: &str) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>>;

    /// A URL that lets whoever holds it GET the stored file for `ttl`, the store answering with
    /// `headers` (type, disposition, no-store) instead of what it keeps with the object. `None`
    /// when the store cannot sign one (the local folder): the caller streams the file instead.
    /// Only for a caller already authorized to read the file: the URL is a bearer ticket.
    async fn presigned_download(
        &self,
        _key: &str,
        _headers: &DownloadHeaders,
        _ttl: std::time::Duration,
    ) -> anyhow::Result<Option<String>> {
        Ok(None)
    }
}

/// The response headers a download is served with, whoever serves it.
pub struct DownloadHeaders {
    pub content_type: String,
    pub content_disposition: String,
}

/// The store chosen by `storage.backend`: `local` (the folder `storage.dir`) or `s3`.
pub fn from_settings(settings: &crate::config::StorageSettings) -> anyhow::Result<std::sync::Arc<dyn Storage>> {
    Ok(match settings.backend.as_str() {
        "local" => std::sync::Arc::new(LocalStorage::new(&settings.dir)?),
        "s3" => std::sync::Arc::new(s3::S3Storage::new(&settings.s3, &settings.dir.join("tmp"))?),
        other => anyhow::bail!("storage.backend must be local or s3, not {other}"),
    })
}

/// The key of content with this SHA-256: `ab/cd/abcd…`.
fn content_key(sha256: &str) -> anyhow::Result<String> {
    if sha256.len() != 64 || !sha256.chars().all(|c| c.is_ascii_hexdigit()) {
        anyhow::bail!("invalid content hash");
    }
    Ok(format!("{}/{}/{}", &sha256[..2], &sha256[2..4], sha256))
}

/// Keys are ours (hex and slashes); anything else is refused rather than trusted.
fn check_key(key: &str) -> anyhow::Result<()> {
    if key.is_empty()
        || !key.chars().all(|c| c.is_ascii_hexdigit() || c == '/')
        || key.contains("//")
        || key.starts_with('/')
    {
        anyhow::bail!("invalid storage key");
    }
    Ok(())
}

/// A folder on local disk: `<dir>/ab/cd/abcd…` by SHA-256, staging in `<dir>/tmp`.
pub struct LocalStorage {
    root: PathBuf,
    staging: PathBuf,
}

impl LocalStorage {
    pub fn new(root: &Path) -> io::Result<Self> {
        let staging = root.join("tmp");
        std::fs::create_dir_all(&staging)?;
        purge_stale(&staging, std::time::Duration::from_secs(3600))?;
        Ok(Self { root: root.to_path_buf(), staging })
    }

    fn path_of(&self, key: &str) -> anyhow::Result<PathBuf> {
        check_key(key)?;
        Ok(self.root.join(key))
    }
}

#[async_trait::async_trait]
impl Storage for LocalStorage {
    fn staging_dir(&self) -> &Path {
        &self.staging
    }

    async fn commit(&self, staged: &Path, sha256: &str) -> anyhow::Result<String> {
        let key = content_key(sha256)?;
        let target = self.path_of(&key)?;
        let staged = staged.to_path_buf();
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let Some(parent) = target.parent() else { anyhow::bail!("no parent folder") };
            if !parent.exists() {
                std::fs::create_dir_all(parent)?;
                // New folders' own entries must reach the disk too, up to the store's root.
                let mut folder = parent.parent();
                while let Some(dir) = folder {
                    std::fs::File::open(dir)?.sync_all()?;
                    if dir == root {
                        break;
                    }
                    folder = dir.parent();
                }
            }
            if target.exists() {
                // Same bytes already stored: keep the durable copy, drop the staged one. Its time
                // is renewed, so the sweep of files no row uses (`uploads.orphans`) cannot take it
                // away between here and the row's commit.
                std::fs::File::options().append(true).open(&target)?.set_modified(std::time::SystemTime::now())?;
                std::fs::remove_file(&staged)?;
                return Ok(());
            }
            std::fs::rename(&staged, &target)?;
            // The rename is only durable once the folder's entry is on disk.
            std::fs::File::open(parent)?.sync_all()?;
            Ok(())
        })
        .await??;
        Ok(key)
    }

    async fn read(&self, key: &str) -> anyhow::Result<ByteStream> {
        let file = tokio::fs::File::open(self.path_of(key)?).await?;
        Ok(Box::pin(tokio_util::io::ReaderStream::new(file)))
    }

    async fn size_of(&self, key: &str) -> anyhow::Result<Option<u64>> {
        match tokio::fs::metadata(self.path_of(key)?).await {
            Ok(metadata) => Ok(Some(metadata.len())),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    async fn remove(&self, key: &str) -> anyhow::Result<()> {
        match tokio::fs::remove_file(self.path_of(key)?).await {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error.into()),
            _ => Ok(()),
        }
    }

    async fn ready(&self) -> anyhow::Result<()> {
        for folder in [&self.root, &self.staging] {
            if !tokio::fs::metadata(folder).await?.is_dir() {
                anyhow::bail!("{} is not a folder", folder.display());
            }
        }
        Ok(())
    }

    async fn keys_older_than(&self, cutoff: chrono::DateTime<chrono::Utc>) -> anyhow::Result<Vec<String>> {
        let root = self.root.clone();
        let cutoff = std::time::SystemTime::from(cutoff);
        tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
            let mut keys = Vec::new();
            // `ab/cd/<sha256>`: two levels of two hex digits, then the files.
            for first in std::fs::read_dir(&root)?.flatten() {
                let first_name = first.file_name().to_string_lossy().into_owned();
                if first_name.len() != 2 || !first.path().is_dir() {
                    continue;
                }
                for second in std::fs::read_dir(first.path())?.flatten() {
                    let second_name = second.file_name().to_string_lossy().into_owned();
                    if !second.path().is_dir() {
                        continue;
                    }
                    for file in std::fs::read_dir(second.path())?.flatten() {
                        let old = file.metadata().and_then(|m| m.modified()).is_ok_and(|modified| modified < cutoff);
                        let key = format!("{first_name}/{second_name}/{}", file.file_name().to_string_lossy());
                        if old && check_key(&key).is_ok() {
                            keys.push(key);
                        }
                    }
                }
            }
            Ok(keys)
        })
        .await?
    }

    async fn modified_at(&self, key: &str) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>> {
        match tokio::fs::metadata(self.path_of(key)?).await {
            Ok(metadata) => Ok(Some(metadata.modified()?.into())),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error.into()),
        }
    }
}

/// Removes staged files left behind by a crash (a killed process cannot clean up after itself).
/// Only old ones: another instance sharing the folder may be mid-upload.
fn purge_stale(staging: &Path, older_than: std::time::Duration) -> io::Result<()> {
    for entry in std::fs::read_dir(staging)?.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified.elapsed().is_ok_and(|age| age > older_than));
        if stale && entry.path().extension().is_some_and(|e| e == "part") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// A file streamed into the staging folder: fully written and fsynced, hashed and measured.
/// Dropping it removes the file unless it was committed (moved away).
pub struct Staged {
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    /// The first bytes, for deciding the type by content.
    pub head: Vec<u8>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("the upload exceeds {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("reading the upload failed: {0}")]
    Read(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Enough first bytes to judge the type by ([`crate::domain::evidence::sniff`]).
const HEAD_BYTES: usize = crate::domain::evidence::SNIFF_BYTES;

/// Streams `body` into a new file under `dir`, never holding more than one chunk in memory and
/// stopping as soon as `limit` is passed (the rest of the request is not read).
pub async fn stage<S, E>(dir: &Path, mut body: S, limit: u64) -> Result<Staged, StageError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let path = dir.join(format!("{}.part", uuid::Uuid::new_v4()));
    let mut staged = Staged { path, size: 0, sha256: String::new(), head: Vec::new() };
    let mut file = tokio::fs::File::create(&staged.path).await?;
    let mut hasher = Sha256::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| StageError::Read(e.to_string()))?;
        staged.size += chunk.len() as u64;
        if staged.size > limit {
            return Err(StageError::TooLarge { limit });
        }
        if staged.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - staged.head.len()).min(chunk.len());
            staged.head.extend_from_slice(&chunk[..take]);
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await?;
    }
    file.flush().await?;
    file.sync_all().await?;
    staged.sha256 = hex::encode(hasher.finalize());
    Ok(staged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: &[&'static [u8]]) -> impl Stream<Item = Result<Bytes, io::Error>> + Unpin {
        futures_util::stream::iter(parts.iter().map(|p| Ok(Bytes::from_static(p))).collect::<Vec<_>>())
    }

    #[tokio::test]
    async fn staging_hashes_and_committing_deduplicates() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::new(dir.path()).unwrap();
        let first = stage(storage.staging_dir(), chunks(&[b"%PDF-1.4 ", b"hello"]), 100).await.unwrap();
        assert_eq!(first.size, 14);
        assert_eq!(first.sha256, hex::encode(Sha256::digest(b"%PDF-1.4 hello")));
        assert!(first.head.starts_with(b"%PDF-"));
        let key = storage.commit(&first.path, &first.sha256).await.unwrap();
        drop(first);
        let second = stage(storage.staging_dir(), chunks(&[b"%PDF-1.4 hello"]), 100).await.unwrap();
        assert_eq!(storage.commit(&second.path, &second.sha256).await.unwrap(), key);
        drop(second);
        let mut read = storage.read(&key).await.unwrap();
        let mut bytes = Vec::new();
        while let Some(chunk) = read.next().await {
            bytes.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(bytes, b"%PDF-1.4 hello");
        assert_eq!(std::fs::read_dir(storage.staging_dir()).unwrap().count(), 0, "nothing left staged");
    }

    #[tokio::test]
    async fn staging_stops_past_the_limit_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::new(dir.path()).unwrap();
        let result = stage(storage.staging_dir(), chunks(&[b"12345", b"67890", b"never read"]), 8).await;
        assert!(matches!(result, Err(StageError::TooLarge { limit: 8 })));
        assert_eq!(std::fs::read_dir(storage.staging_dir()).unwrap().count(), 0);
    }

    #[test]
    fn stale_staged_files_are_purged_on_start_and_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join("tmp");
        std::fs::create_dir_all(&staging).unwrap();
        let old = std::fs::File::create(staging.join("old.part")).unwrap();
        old.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200)).unwrap();
        std::fs::write(staging.join("fresh.part"), b"x").unwrap();
        LocalStorage::new(dir.path()).unwrap();
        assert!(!staging.join("old.part").exists());
        assert!(staging.join("fresh.part").exists());
    }

    #[tokio::test]
    async fn keys_outside_the_store_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let storage = LocalStorage::new(dir.path()).unwrap();
        assert!(storage.read("../../etc/passwd").await.is_err());
    }
}
