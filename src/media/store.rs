//! Where media bytes live: a folder (the default, inside the data folder) or S3-compatible
//! object storage, behind `object_store`'s one interface, every object named by the digest of
//! its bytes. The object storage's traffic runs on a small runtime of its own, so it never
//! waits on a busy HTTP worker, and so blocking code (a sweep inside a transaction) can use it.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::ops::Range;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::client::SpawnedReqwestConnector;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{
    ClientOptions, GetOptions, GetRange, GetResultPayload, ObjectStore, ObjectStoreExt, PutPayload,
    RetryConfig, WriteMultipart,
};

use crate::error::{ApiError, ApiResult};
use crate::ids::Sha256;

/// Parts of a large file sent to object storage at once (S3 wants at least 5 MiB).
const PART_BYTES: usize = 5 * 1024 * 1024;

/// Reads of at most this many bytes are made in one go; longer ones are streamed.
const WHOLE_READ: u64 = 1024 * 1024;

/// What a streamed local file is read in: few trips to a blocking thread, little memory held.
const FILE_CHUNK: u64 = 256 * 1024;

/// Where the objects are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A folder; `None` is `<data-dir>/media`.
    Folder(Option<PathBuf>),
    /// `s3://bucket/prefix`.
    S3 { bucket: String, prefix: String },
}

impl StoreLocation {
    /// `s3://bucket/prefix`, or a folder's path.
    pub fn parse(text: &str) -> Result<StoreLocation, String> {
        match text.strip_prefix("s3://") {
            Some(rest) => {
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err("`s3://` needs a bucket: `s3://bucket/prefix`".into());
                }
                Ok(StoreLocation::S3 {
                    bucket: bucket.to_owned(),
                    prefix: prefix.trim_matches('/').to_owned(),
                })
            }
            None if text.is_empty() => Err("the media store is empty".into()),
            None => Ok(StoreLocation::Folder(Some(PathBuf::from(text)))),
        }
    }
}

/// How to reach S3-compatible storage; what is not given comes from the usual `AWS_*`
/// variables.
#[derive(Debug, Clone, Default)]
pub struct S3Access {
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key`.
    pub path_style: bool,
}

/// The runtime object storage traffic runs on; stopped without waiting when the store goes.
struct Io(Option<tokio::runtime::Runtime>);

impl Io {
    fn handle(&self) -> &tokio::runtime::Handle {
        self.0
            .as_ref()
            .expect("the runtime lives as long as the store")
            .handle()
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// The media objects.
#[derive(Clone)]
pub struct MediaStore {
    objects: Arc<dyn ObjectStore>,
    /// The folder, when the store is one: files are moved into it rather than copied.
    folder: Option<Arc<LocalFileSystem>>,
    /// Where uploads are spooled before they are stored.
    incoming: PathBuf,
    io: Arc<Io>,
}

/// The key of the original bytes `sha256`.
pub fn original_key(sha256: &Sha256, extension: &str) -> Path {
    let sha = sha256.as_str();
    Path::from(format!("originals/{}/{sha}.{extension}", &sha[..2]))
}

/// The key of the variant of `sha256` at `width` in the format of `extension`.
pub fn variant_key(sha256: &Sha256, width: i32, extension: &str) -> Path {
    let sha = sha256.as_str();
    Path::from(format!("variants/{}/{sha}/{width}.{extension}", &sha[..2]))
}

fn variants_prefix(sha256: &Sha256) -> Path {
    let sha = sha256.as_str();
    Path::from(format!("variants/{}/{sha}", &sha[..2]))
}

fn unreachable(err: object_store::Error) -> ApiError {
    match err {
        object_store::Error::NotFound { .. } => {
            ApiError::NotFound("The file is not in the media store.".into())
        }
        err => ApiError::StorageUnavailable(err.into()),
    }
}

impl MediaStore {
    /// Opens the store at `location`; `data_dir` holds the default folder and the spool.
    pub fn open(
        location: &StoreLocation,
        access: &S3Access,
        data_dir: &FsPath,
    ) -> Result<MediaStore, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("folio-media-io")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the media store's runtime: {e}"))?;
        let io = Arc::new(Io(Some(runtime)));
        let incoming = data_dir.join("incoming");
        std::fs::create_dir_all(&incoming)
            .map_err(|e| format!("cannot make {}: {e}", incoming.display()))?;
        let (objects, folder): (Arc<dyn ObjectStore>, _) = match location {
            StoreLocation::Folder(path) => {
                let path = path.clone().unwrap_or_else(|| data_dir.join("media"));
                std::fs::create_dir_all(&path)
                    .map_err(|e| format!("cannot make {}: {e}", path.display()))?;
                let local = Arc::new(
                    LocalFileSystem::new_with_prefix(&path)
                        .map_err(|e| format!("cannot open {}: {e}", path.display()))?
                        .with_automatic_cleanup(true),
                );
                (local.clone(), Some(local))
            }
            StoreLocation::S3 { bucket, prefix } => {
                // reqwest leaves the choice of TLS library's crypto to the process; the one
                // rustls already uses here. Installing it twice is harmless.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let mut builder = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_http_connector(SpawnedReqwestConnector::new(io.handle().clone()))
                    .with_client_options(
                        ClientOptions::new()
                            .with_connect_timeout(Duration::from_secs(5))
                            .with_timeout(Duration::from_secs(60)),
                    )
                    // A request waits on storage that is down for seconds, not minutes.
                    .with_retry(RetryConfig {
                        max_retries: 3,
                        retry_timeout: Duration::from_secs(15),
                        ..RetryConfig::default()
                    });
                if let Some(endpoint) = &access.endpoint {
                    builder = builder
                        .with_allow_http(endpoint.starts_with("http://"))
                        .with_endpoint(endpoint);
                }
                if let Some(region) = &access.region {
                    builder = builder.with_region(region);
                }
                if let Some(key) = &access.access_key_id {
                    builder = builder.with_access_key_id(key);
                }
                if let Some(secret) = &access.secret_access_key {
                    builder = builder.with_secret_access_key(secret);
                }
                if access.path_style {
                    builder = builder.with_virtual_hosted_style_request(false);
                }
                let s3 = builder
                    .build()
                    .map_err(|e| format!("cannot use the S3 bucket `{bucket}`: {e}"))?;
                let objects: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(PrefixStore::new(s3, prefix.as_str()))
                };
                (objects, None)
            }
        };
        Ok(MediaStore {
            objects,
            folder,
            incoming,
            io,
        })
    }

    /// Whether the objects are in a folder this instance serves them from.
    pub fn is_folder(&self) -> bool {
        self.folder.is_some()
    }

    /// A new spool file for an upload: gone when dropped, so an interrupted upload leaves
    /// nothing (a crash leaves it for [`Self::forget_incoming`]).
    pub fn incoming_file(&self) -> ApiResult<tempfile::NamedTempFile> {
        tempfile::Builder::new()
            .prefix("upload-")
            .tempfile_in(&self.incoming)
            .map_err(ApiError::internal)
    }

    /// Deletes spool files older than `age` (left by a crash).
    pub fn forget_incoming(&self, age: Duration) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.incoming) else {
            return 0;
        };
        entries
            .flatten()
            .filter(|entry| {
                entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|at| at.elapsed().is_ok_and(|elapsed| elapsed > age))
            })
            .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
            .count()
    }

    /// Stores `bytes` at `key`.
    pub async fn put(&self, key: &Path, bytes: Bytes) -> ApiResult<()> {
        let (objects, key) = (self.objects.clone(), key.clone());
        self.spawn(async move { objects.put(&key, PutPayload::from(bytes)).await })
            .await
            .map(|_| ())
    }

    /// Stores the spooled `file` at `key`: moved into the folder, or sent in parts to object
    /// storage, never held in memory whole.
    pub async fn put_file(&self, key: &Path, file: tempfile::NamedTempFile) -> ApiResult<()> {
        if let Some(folder) = &self.folder {
            let target = folder.path_to_filesystem(key).map_err(ApiError::internal)?;
            return actix_web::web::block(move || move_into(file, &target))
                .await
                .map_err(ApiError::internal)?;
        }
        let (objects, key) = (self.objects.clone(), key.clone());
        let handle = self.io.handle().clone();
        let sent = self.io.handle().spawn_blocking(move || {
            use std::io::Read;
            let spool_error = |err: std::io::Error| object_store::Error::Generic {
                store: "spool",
                source: err.into(),
            };
            // The spool's own handle is at its end: read it from the start.
            let mut reader = file.reopen().map_err(spool_error)?;
            let size = reader.metadata().map_err(spool_error)?.len();
            if size <= PART_BYTES as u64 {
                let mut bytes = Vec::with_capacity(size as usize);
                reader.read_to_end(&mut bytes).map_err(spool_error)?;
                return handle
                    .block_on(objects.put(&key, PutPayload::from(bytes)))
                    .map(|_| ());
            }
            let upload = handle.block_on(objects.put_multipart(&key))?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
            let mut buffer = vec![0; 1024 * 1024];
            loop {
                let read = match reader.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(read) => read,
                    Err(err) => {
                        let _ = handle.block_on(writer.abort());
                        return Err(spool_error(err));
                    }
                };
                // One part in flight at a time: memory stays a part or two per upload.
                handle.block_on(writer.wait_for_capacity(1))?;
                writer.write(&buffer[..read]);
            }
            handle.block_on(writer.finish()).map(|_| ())
        });
        sent.await.map_err(ApiError::internal)?.map_err(unreachable)
    }

    /// The whole object at `key`.
    pub async fn get(&self, key: &Path) -> ApiResult<Bytes> {
        let (objects, key) = (self.objects.clone(), key.clone());
        self.spawn(async move { objects.get(&key).await?.bytes().await })
            .await
    }

    /// The bytes of `key` in `range` (all of them without one), as they are read.
    pub async fn read(
        &self,
        key: &Path,
        range: Option<Range<u64>>,
    ) -> ApiResult<BoxStream<'static, std::io::Result<Bytes>>> {
        let (objects, key) = (self.objects.clone(), key.clone());
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..Default::default()
        };
        let read = self
            .spawn(async move {
                let result = objects.get_opts(&key, options).await?;
                let range = result.range.clone();
                // Most files served are variants of a few hundred KiB: read in one go, they
                // cost one trip to a blocking thread instead of one per 8 KiB chunk.
                if range.end - range.start <= WHOLE_READ {
                    return Ok(Read::Whole(result.bytes().await?));
                }
                Ok(match result.payload {
                    GetResultPayload::File(mut file, path) => {
                        // A seek only moves the file's offset: no waiting on the disk.
                        file.seek(SeekFrom::Start(range.start)).map_err(|source| {
                            object_store::Error::Generic {
                                store: "folder",
                                source: format!("{}: {source}", path.display()).into(),
                            }
                        })?;
                        Read::File(file, range.end - range.start)
                    }
                    GetResultPayload::Stream(stream) => Read::Stream(stream),
                })
            })
            .await?;
        Ok(match read {
            Read::Whole(bytes) => futures_util::stream::once(async { Ok(bytes) }).boxed(),
            Read::File(file, length) => file_chunks(file, length),
            Read::Stream(stream) => stream
                .map(|chunk| chunk.map_err(std::io::Error::other))
                .boxed(),
        })
    }

    /// Deletes the original and every variant of `sha256`, waiting for it: for code that must
    /// not let go of a lock meanwhile. Objects already gone are no error.
    pub fn delete_blocking(&self, sha256: &Sha256, extension: &str) -> ApiResult<()> {
        let (objects, original) = (self.objects.clone(), original_key(sha256, extension));
        let prefix = variants_prefix(sha256);
        self.io
            .handle()
            .block_on(async move {
                let mut keys: Vec<Path> = objects
                    .list(Some(&prefix))
                    .map(|meta| meta.map(|m| m.location))
                    .collect::<Vec<_>>()
                    .await
                    .into_iter()
                    .collect::<Result<_, _>>()?;
                keys.push(original);
                for key in keys {
                    match objects.delete(&key).await {
                        Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                        Err(err) => return Err(err),
                    }
                }
                Ok(())
            })
            .map_err(unreachable)
    }

    /// Runs `work` on the store's runtime.
    async fn spawn<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = object_store::Result<T>> + Send + 'static,
    ) -> ApiResult<T> {
        self.io
            .handle()
            .spawn(work)
            .await
            .map_err(ApiError::internal)?
            .map_err(unreachable)
    }
}

/// A read of an object: small ones whole, larger ones as they come.
enum Read {
    Whole(Bytes),
    /// A local file, at the range's start, and the range's length.
    File(std::fs::File, u64),
    Stream(BoxStream<'static, object_store::Result<Bytes>>),
}

/// The next `length` bytes of a local file in chunks of [`FILE_CHUNK`], each read on a
/// blocking thread.
fn file_chunks(file: std::fs::File, length: u64) -> BoxStream<'static, std::io::Result<Bytes>> {
    futures_util::stream::try_unfold((file, length), |(mut file, remaining)| async move {
        if remaining == 0 {
            return Ok(None);
        }
        tokio::task::spawn_blocking(move || {
            let wanted = remaining.min(FILE_CHUNK);
            let mut chunk = Vec::with_capacity(wanted as usize);
            let read = (&mut file).take(wanted).read_to_end(&mut chunk)? as u64;
            if read == 0 {
                // The file is shorter than its record says: end the body short, not hang.
                return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof));
            }
            Ok(Some((Bytes::from(chunk), (file, remaining - read))))
        })
        .await
        .map_err(std::io::Error::other)?
    })
    .boxed()
}

/// Moves the spooled file to `target`, making its folder; copies it across file systems.
fn move_into(file: tempfile::NamedTempFile, target: &FsPath) -> ApiResult<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(ApiError::internal)?;
    }
    match file.persist(target) {
        Ok(_) => Ok(()),
        Err(err) => {
            std::fs::copy(err.file.path(), target).map_err(ApiError::internal)?;
            Ok(())
        }
    }
}
