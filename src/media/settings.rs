//! How this instance takes and serves media: the store, the limits, the variant widths, and
//! where the public reaches the files.

use std::path::Path as FsPath;
use std::sync::Arc;

use tokio::sync::Semaphore;

use super::detect::Format;
use super::picture::ImageLimits;
use super::store::{self, MediaStore, S3Access, StoreLocation};
use crate::ids::Sha256;

/// The widths variants are made at when none are configured.
pub const DEFAULT_WIDTHS: [u32; 5] = [320, 640, 1024, 1600, 2400];

/// Media configuration, as given.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    pub location: StoreLocation,
    pub s3: S3Access,
    /// Where the public reaches the stored objects (a CDN, or the bucket's root): the files'
    /// addresses start with it (and the store's prefix), and Folio's own addresses lead there.
    pub public_url: Option<String>,
    /// Serve files from object storage through Folio even when there is a public address.
    pub proxy: bool,
    pub allow_svg: bool,
    /// The largest upload, in bytes.
    pub max_bytes: u64,
    pub limits: ImageLimits,
    /// Variant widths, narrowest first.
    pub widths: Vec<u32>,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            location: StoreLocation::Folder(None),
            s3: S3Access::default(),
            public_url: None,
            proxy: false,
            allow_svg: false,
            max_bytes: 25 * 1024 * 1024,
            limits: ImageLimits::default(),
            widths: DEFAULT_WIDTHS.to_vec(),
        }
    }
}

/// How a request for a file at Folio's own address is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serving {
    /// From the folder, by Folio.
    Local,
    /// Read from object storage and passed on.
    Proxy,
    /// Sent to the public address of the object.
    Redirect,
}

/// Media as a running instance has it.
#[derive(Clone)]
pub struct MediaSettings {
    pub store: MediaStore,
    pub serving: Serving,
    /// With the store's prefix: what an object's key is appended to.
    public_url: Option<String>,
    pub allow_svg: bool,
    pub max_bytes: u64,
    pub limits: ImageLimits,
    pub widths: Vec<u32>,
    /// Images decoded at once, by uploads and variant jobs together: decoding takes memory
    /// in proportion to the pixels, so it is bounded however many requests come.
    pub decoding: Arc<Semaphore>,
    /// Uploaded images held in memory at once while metadata is removed from them.
    pub preparing: Arc<Semaphore>,
}

impl MediaSettings {
    pub fn open(config: &MediaConfig, data_dir: &FsPath) -> Result<MediaSettings, String> {
        let store = MediaStore::open(&config.location, &config.s3, data_dir)?;
        if store.is_folder() && config.public_url.is_some() {
            return Err(
                "--media-public-url is the public address of object storage: it needs \
                        --media-store s3://bucket/prefix (a folder is served by Folio)"
                    .into(),
            );
        }
        let prefix = match &config.location {
            StoreLocation::S3 { prefix, .. } if !prefix.is_empty() => format!("/{prefix}"),
            _ => String::new(),
        };
        let public_url = config
            .public_url
            .as_deref()
            .map(|url| format!("{}{prefix}", url.trim_end_matches('/')));
        let serving = match (&public_url, store.is_folder(), config.proxy) {
            (_, true, _) => Serving::Local,
            (Some(_), false, false) => Serving::Redirect,
            _ => Serving::Proxy,
        };
        let mut widths = config.widths.clone();
        widths.sort_unstable();
        widths.dedup();
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(MediaSettings {
            store,
            serving,
            public_url,
            allow_svg: config.allow_svg,
            max_bytes: config.max_bytes,
            limits: config.limits,
            widths,
            decoding: Arc::new(Semaphore::new(cores.max(1))),
            // Rewriting without metadata is quick and takes only the file's size, twice.
            preparing: Arc::new(Semaphore::new(cores.max(1) * 4)),
        })
    }

    /// Whether `width` is one variants are made at: no other size exists.
    pub fn is_variant_width(&self, width: u32) -> bool {
        self.widths.contains(&width)
    }

    /// The public address of the object at `key`, when objects have one of their own.
    /// (With a folder store, files are only reached through Folio.)
    pub fn object_url(&self, key: &object_store::path::Path) -> Option<String> {
        self.public_url.as_ref().map(|base| format!("{base}/{key}"))
    }
}

/// The file names variants are served under: `640w.webp`.
pub fn variant_name(width: i32, format: Format) -> String {
    format!("{width}w.{}", format.extension())
}

/// Folio's own address of a file of `sha256`, from `origin` (`https://host`, or empty for a
/// path alone).
pub fn folio_url(origin: &str, sha256: &Sha256, name: &str) -> String {
    format!("{origin}/media/{sha256}/{name}")
}

pub use store::{original_key, variant_key};
