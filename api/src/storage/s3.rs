//! An S3-compatible object store (`storage.backend = "s3"`), through `object_store` (Apache-2.0,
//! the Arrow project's; reqwest 0.13 and rustls like the rest of the tree).
//!
//! The same content-addressed keys as the local folder (`ab/cd/<sha256>`), under an optional
//! prefix. An upload is staged and fsynced locally as before (it is typed, hashed and opened
//! there), then sent as a multipart upload read from the staged file part by part: memory per
//! upload is one part, whatever the file's size. The object exists, complete, when `commit`
//! returns (S3's completion is durable), and only then may a row point at it.

use std::path::Path;

use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::signer::{Method, SignedUrlOptions, Signer};
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use tokio::io::AsyncReadExt;

use super::{ByteStream, DownloadHeaders, Storage, content_key};
use crate::config::S3Settings;

/// Bytes read from the staged file at a time (the multipart writer gathers them into parts).
const READ_CHUNK: usize = 64 * 1024;

pub struct S3Storage {
    store: AmazonS3,
    prefix: Option<String>,
    staging: std::path::PathBuf,
    part_size: usize,
}

impl S3Storage {
    /// `staging` is a local folder for uploads in flight (`storage.dir`/tmp).
    pub fn new(settings: &S3Settings, staging: &Path) -> anyhow::Result<Self> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_virtual_hosted_style_request(settings.virtual_hosted_style)
            .with_allow_http(settings.endpoint.as_deref().is_some_and(|e| e.starts_with("http://")))
            // A few quick retries: a request waits seconds, not object_store's default minutes.
            .with_retry(object_store::RetryConfig {
                max_retries: 3,
                retry_timeout: std::time::Duration::from_secs(15),
                ..Default::default()
            });
        if let Some(endpoint) = &settings.endpoint {
            builder = builder.with_endpoint(endpoint);
        }
        if let (Some(key), Some(secret)) = (&settings.access_key_id, &settings.secret_access_key) {
            builder = builder.with_access_key_id(key).with_secret_access_key(secret);
        }
        std::fs::create_dir_all(staging)?;
        super::purge_stale(staging, std::time::Duration::from_secs(3600))?;
        let prefix = settings.prefix.trim_matches('/');
        Ok(Self {
            store: builder.build()?,
            prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
            staging: staging.to_path_buf(),
            // S3 refuses parts under 5 MiB (but the last).
            part_size: settings.part_size_bytes.max(5 * 1024 * 1024),
        })
    }

    fn path_of(&self, key: &str) -> anyhow::Result<ObjectPath> {
        super::check_key(key)?;
        Ok(match &self.prefix {
            Some(prefix) => ObjectPath::from(format!("{prefix}/{key}")),
            None => ObjectPath::from(key),
        })
    }
}

#[async_trait::async_trait]
impl Storage for S3Storage {
    fn staging_dir(&self) -> &Path {
        &self.staging
    }

    async fn commit(&self, staged: &Path, sha256: &str) -> anyhow::Result<String> {
        let key = content_key(sha256)?;
        let path = self.path_of(&key)?;
        // Sent even when the key is stored already: identical bytes, and the object's time is
        // renewed, so the sweep of objects no row uses (`uploads.orphans`) cannot take it away
        // between here and the row's commit.
        let upload = self.store.put_multipart(&path).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, self.part_size);
        let mut file = tokio::fs::File::open(staged).await?;
        let mut buffer = vec![0u8; READ_CHUNK];
        loop {
            let read = match file.read(&mut buffer).await {
                Ok(read) => read,
                Err(error) => {
                    writer.abort().await.ok();
                    return Err(error.into());
                }
            };
            if read == 0 {
                break;
            }
            // At most two parts in flight: memory stays a few parts per upload.
            if let Err(error) = writer.wait_for_capacity(2).await {
                return Err(error.into());
            }
            writer.write(&buffer[..read]);
        }
        writer.finish().await?;
        tokio::fs::remove_file(staged).await.ok();
        Ok(key)
    }

    async fn read(&self, key: &str) -> anyhow::Result<ByteStream> {
        let found = self.store.get(&self.path_of(key)?).await?;
        Ok(Box::pin(found.into_stream().map_err(std::io::Error::other)))
    }

    async fn size_of(&self, key: &str) -> anyhow::Result<Option<u64>> {
        match self.store.head(&self.path_of(key)?).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    async fn remove(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&self.path_of(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    async fn ready(&self) -> anyhow::Result<()> {
        if !tokio::fs::metadata(&self.staging).await?.is_dir() {
            anyhow::bail!("{} is not a folder", self.staging.display());
        }
        // A listing of an (empty) prefix: answers only if the endpoint, the bucket and the
        // credentials are all right.
        let probe = ObjectPath::from(match &self.prefix {
            Some(prefix) => format!("{prefix}/readyz"),
            None => "readyz".into(),
        });
        self.store.list_with_delimiter(Some(&probe)).await?;
        Ok(())
    }

    async fn keys_older_than(&self, cutoff: chrono::DateTime<chrono::Utc>) -> anyhow::Result<Vec<String>> {
        let prefix = self.prefix.as_ref().map(|prefix| ObjectPath::from(prefix.as_str()));
        let mut listing = self.store.list(prefix.as_ref());
        let mut keys = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            if meta.last_modified >= cutoff {
                continue;
            }
            let full = meta.location.to_string();
            let key = match &self.prefix {
                Some(prefix) => full.strip_prefix(&format!("{prefix}/")).unwrap_or(&full).to_string(),
                None => full,
            };
            if super::check_key(&key).is_ok() {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    async fn modified_at(&self, key: &str) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>> {
        match self.store.head(&self.path_of(key)?).await {
            Ok(meta) => Ok(Some(meta.last_modified)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    async fn presigned_download(
        &self,
        key: &str,
        headers: &DownloadHeaders,
        ttl: std::time::Duration,
    ) -> anyhow::Result<Option<String>> {
        // The `response-*` overrides are signed with the URL (SigV4 covers the query), so the
        // holder of the URL cannot change the name or type the store answers with. S3 has no
        // override for `X-Content-Type-Options`; the type it answers is the one typed from the bytes.
        let options = SignedUrlOptions::default().with_query([
            ("response-content-type", headers.content_type.as_str()),
            ("response-content-disposition", headers.content_disposition.as_str()),
            ("response-cache-control", "no-store"),
        ]);
        let url = self.store.signed_url_opts(Method::GET, &self.path_of(key)?, ttl, &options).await?;
        Ok(Some(url.to_string()))
    }
}
