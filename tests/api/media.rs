//! Media against both stores (the folder, and a real S3-compatible server) on both databases:
//! uploads told apart by their bytes, location metadata removed, the same bytes stored once,
//! bombs and impostors refused, variants made by the job queue at the configured widths only,
//! files served with ranges and validators, and media still shown by a post kept from
//! deletion.

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::test as actix_test;
use folio::media::settings::MediaConfig;
use folio::media::store::{S3Access, StoreLocation};
use serde_json::{Value, json};

use crate::images;
use crate::on_both_backends;
use crate::paths::{POSTS, resource};
use crate::receiver::Receiver;
use crate::support::{Backend, Response, Served, TestApp, id, spawn_with};

const MEDIA: &str = "/api/v1/media";

/// Long enough for variants on a busy machine; tests wait for what they expect, not this.
const PATIENCE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    Folder,
    S3,
}

/// Runs each named `async fn(Backend, Store)` four times: on SQLite and PostgreSQL, each with
/// the folder store and with S3-compatible storage (a real Garage server).
macro_rules! on_every_store {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::Store;
            use crate::support::Backend;
            #[actix_web::test]
            async fn sqlite_folder() {
                super::$name(Backend::Sqlite, Store::Folder).await
            }
            #[actix_web::test]
            async fn sqlite_s3() {
                super::$name(Backend::Sqlite, Store::S3).await
            }
            #[actix_web::test]
            async fn postgres_folder() {
                super::$name(Backend::Postgres, Store::Folder).await
            }
            #[actix_web::test]
            async fn postgres_s3() {
                super::$name(Backend::Postgres, Store::S3).await
            }
        }
    )*};
}

on_every_store!(
    a_phone_photo_is_stored_upright_without_its_location_and_gets_variants,
    the_same_bytes_are_stored_once,
    the_type_comes_from_the_bytes,
    a_decompression_bomb_is_refused_unread,
    an_upload_over_the_limit_is_refused_and_leaves_nothing,
    files_are_served_immutable_with_ranges_and_validators,
    only_the_configured_widths_exist,
    svg_is_sandboxed_when_allowed,
    the_library_lists_searches_and_changes_media,
    media_a_post_shows_is_kept_from_deletion,
    objects_without_a_record_are_swept,
    a_large_file_is_streamed_to_the_store,
    uploads_are_announced_to_webhooks,
);

// Object storage only: what a fleet of instances shares, and what happens when it is away.
on_both_backends!(
    two_instances_share_one_bucket,
    a_public_address_serves_files_from_object_storage,
    unreachable_storage_is_503_and_records_nothing,
);

/// The media configuration for `store`: S3 gets a bucket of its own on the test server.
fn media_config(store: Store) -> MediaConfig {
    match store {
        Store::Folder => MediaConfig::default(),
        Store::S3 => {
            let garage = crate::garage::garage();
            MediaConfig {
                location: StoreLocation::S3 {
                    bucket: garage.bucket(),
                    prefix: "blog".into(),
                },
                s3: S3Access {
                    endpoint: Some(garage.endpoint.clone()),
                    region: Some(garage.region.clone()),
                    access_key_id: Some(garage.access_key.clone()),
                    secret_access_key: Some(garage.secret_key.clone()),
                    path_style: true,
                },
                ..MediaConfig::default()
            }
        }
    }
}

/// A Folio with `store`, its worker running, and `configure` applied to its media settings.
macro_rules! media_app {
    ($backend:expr, $store:expr) => {
        media_app!($backend, $store, |_: &mut MediaConfig| {})
    };
    ($backend:expr, $store:expr, $configure:expr) => {{
        let mut media = media_config($store);
        $configure(&mut media);
        let app = spawn_with($backend, move |cfg| cfg.media = media).await;
        let worker = folio::worker::start(app.state());
        (app, worker)
    }};
}

/// A `multipart/form-data` body: the file as `file` (with a name and a claimed type) and
/// text fields.
fn form(file: Option<(&str, &str, &[u8])>, fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = format!("folio-{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, claimed, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; \
                 filename=\"{name}\"\r\ncontent-type: {claimed}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts the form `(content type, body)` to the uploads, signed in with `token` if any.
async fn send_form<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    token: Option<&str>,
    (content_type, body): (String, Vec<u8>),
) -> Response {
    let mut request = actix_test::TestRequest::post()
        .uri(MEDIA)
        .insert_header(("content-type", content_type));
    if let Some(token) = token {
        request = request.insert_header(("authorization", format!("Bearer {token}")));
    }
    app.send(request.set_payload(body)).await
}

async fn upload_as<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    token: &str,
    name: &str,
    claimed: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> Response {
    send_form(app, Some(token), form(Some((name, claimed, bytes)), fields)).await
}

async fn upload<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    name: &str,
    bytes: &[u8],
) -> Response {
    upload_as(
        app,
        &app.owner_token,
        name,
        "application/octet-stream",
        bytes,
        &[],
    )
    .await
}

/// The path of a file's address (the tests' app is reached in-process).
fn path_of(url: &str) -> String {
    let parsed = url::Url::parse(url).expect("an absolute address");
    parsed.path().to_owned()
}

async fn fetch<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    url: &str,
    headers: &[(&str, &str)],
) -> Response {
    app.call("GET", &path_of(url), None, None, headers).await
}

/// The media `id` once its variants are ready.
async fn with_variants<S: Served<B>, B: MessageBody>(app: &TestApp<S>, id: &str) -> Value {
    let started = std::time::Instant::now();
    loop {
        let media = app
            .get(&resource(MEDIA, id), Some(&app.owner_token))
            .await
            .expect(200)
            .body;
        if !media["variants"].as_array().unwrap().is_empty() {
            return media;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "no variants within {PATIENCE:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn count<S: Served<B>, B: MessageBody>(app: &TestApp<S>) -> u64 {
    app.get(&format!("{MEDIA}?count=true"), Some(&app.owner_token))
        .await
        .expect(200)
        .body["meta"]["pagination"]["total"]
        .as_u64()
        .unwrap()
}

async fn a_phone_photo_is_stored_upright_without_its_location_and_gets_variants(
    backend: Backend,
    store: Store,
) {
    let (app, _worker) = media_app!(backend, store);
    let (editor_id, editor) = app.staff("editor").await;
    // A camera's landscape picture, tagged "turn 90° clockwise to view", with GPS and a
    // maker note in EXIF and the position again in XMP.
    let photo = images::jpeg_with_exif(1200, 800, 6);
    assert!(images::has_gps(&photo) && images::orientation(&photo) == Some(6));
    let made = upload_as(
        &app,
        &editor,
        "IMG_2041.JPG",
        "image/jpeg",
        &photo,
        &[
            ("alt", "The harbour at dusk"),
            ("caption", "Taken from the pier"),
        ],
    )
    .await
    .expect(201);
    let media = made.body.clone();
    assert_eq!(
        made.header("location"),
        Some(resource(MEDIA, id(&media)).as_str())
    );
    assert_eq!(media["kind"], "image");
    assert_eq!(media["mime_type"], "image/jpeg");
    assert_eq!(media["file_name"], "img-2041.jpg");
    assert_eq!(
        (media["width"].as_i64(), media["height"].as_i64()),
        (Some(800), Some(1200))
    );
    assert_eq!(media["alt"], "The harbour at dusk");
    assert_eq!(media["caption"], "Taken from the pier");
    assert_eq!(media["uploaded_by"], editor_id.as_str());
    assert_eq!(media["variants"], json!([]));

    let stored = fetch(&app, media["url"].as_str().unwrap(), &[])
        .await
        .expect(200);
    assert_eq!(stored.header("content-type"), Some("image/jpeg"));
    assert_eq!(
        stored.bytes.len() as i64,
        media["size_bytes"].as_i64().unwrap()
    );
    let digest = folio::ids::Sha256::of(&stored.bytes);
    assert_eq!(
        media["sha256"],
        digest.as_str(),
        "the address names the stored bytes"
    );
    assert!(!images::has_gps(&stored.bytes), "the location is gone");
    assert_eq!(images::exif_fields(&stored.bytes), Vec::<String>::new());
    // Stood upright: the picture's left (red) half is now its top.
    assert_eq!(images::dimensions(&stored.bytes), (800, 1200));
    let [r, _, b] = images::pixel(&stored.bytes, 400, 300);
    assert!(r > 200 && b < 60, "the top is red: {r} {b}");
    let [r, _, b] = images::pixel(&stored.bytes, 400, 900);
    assert!(b > 200 && r < 60, "the bottom is blue: {r} {b}");

    // The editor uses it as a post's feature image.
    let post = app
        .post(
            POSTS,
            Some(&editor),
            json!({"title": "Harbour", "markdown": "Dusk.", "feature_image": media["url"]}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(post["feature_image"], media["url"]);

    // Variants at every configured width below its 800 pixels, in WebP and JPEG.
    let ready = with_variants(&app, id(&media)).await;
    let variants = ready["variants"].as_array().unwrap();
    let shapes: Vec<(i64, i64, &str)> = variants
        .iter()
        .map(|v| {
            (
                v["width"].as_i64().unwrap(),
                v["height"].as_i64().unwrap(),
                v["mime_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shapes,
        [
            (320, 480, "image/jpeg"),
            (320, 480, "image/webp"),
            (640, 960, "image/jpeg"),
            (640, 960, "image/webp"),
        ]
    );
    for variant in variants {
        let file = fetch(&app, variant["url"].as_str().unwrap(), &[])
            .await
            .expect(200);
        assert_eq!(file.header("content-type"), variant["mime_type"].as_str());
        let (w, h) = images::dimensions(&file.bytes);
        assert_eq!(
            (w as i64, h as i64),
            (
                variant["width"].as_i64().unwrap(),
                variant["height"].as_i64().unwrap()
            )
        );
        assert!(!images::has_gps(&file.bytes));
    }
}

async fn the_same_bytes_are_stored_once(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store);
    let (_, author) = app.staff("author").await;
    let png = images::png(64, 48);
    let first = upload(&app, "a.png", &png).await.expect(201).body;
    // Another name, another uploader: the same bytes, the same record.
    let second = upload_as(&app, &author, "b.png", "image/png", &png, &[])
        .await
        .expect(200)
        .body;
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["url"], first["url"]);
    // Metadata alone differs: what is stored is the same, so is the record.
    let photo = images::jpeg_with_exif(320, 240, 1);
    let stripped = images::without_app1(&photo);
    let a = upload(&app, "a.jpg", &photo).await.expect(201).body;
    let b = upload(&app, "b.jpg", &stripped).await.expect(200).body;
    assert_eq!(a["id"], b["id"]);
    assert_eq!(count(&app).await, 2);
}

async fn the_type_comes_from_the_bytes(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store);
    let token = app.owner_token.clone();
    // HTML named and declared as an image.
    let refused = upload_as(
        &app,
        &token,
        "evil.png",
        "image/png",
        &images::polyglot_html_png(),
        &[],
    )
    .await
    .problem(415);
    assert!(
        refused["detail"].as_str().unwrap().contains("JPEG"),
        "{refused}"
    );
    // SVG is refused unless the server allows it.
    upload_as(
        &app,
        &token,
        "logo.svg",
        "image/svg+xml",
        &images::svg(),
        &[],
    )
    .await
    .problem(415);
    // A PDF named as a picture is a document, and named as one.
    let pdf = upload_as(
        &app,
        &token,
        "report.jpg",
        "image/jpeg",
        &images::pdf(),
        &[],
    )
    .await
    .expect(201)
    .body;
    assert_eq!(
        (pdf["kind"].as_str(), pdf["mime_type"].as_str()),
        (Some("document"), Some("application/pdf"))
    );
    assert_eq!(pdf["file_name"], "report.pdf");
    assert_eq!(
        (pdf["width"].clone(), pdf["height"].clone()),
        (Value::Null, Value::Null)
    );
    let file = fetch(&app, pdf["url"].as_str().unwrap(), &[])
        .await
        .expect(200);
    assert_eq!(file.header("content-type"), Some("application/pdf"));
    assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(file.bytes, images::pdf());
    // An animated GIF is kept whole: no still variants of it.
    let gif = upload(&app, "spinner.gif", &images::gif_animated(700, 400, 3))
        .await
        .expect(201)
        .body;
    assert_eq!(gif["mime_type"], "image/gif");
    let stored = fetch(&app, gif["url"].as_str().unwrap(), &[])
        .await
        .expect(200);
    assert_eq!(images::gif_frames(&stored.bytes), 3);
    // A WebP and a still GIF are images with their sizes.
    let webp = upload(&app, "w.webp", &images::webp(120, 90))
        .await
        .expect(201)
        .body;
    assert_eq!(
        (webp["mime_type"].as_str(), webp["width"].as_i64()),
        (Some("image/webp"), Some(120))
    );
    let still = upload(&app, "s.gif", &images::gif_still(50, 40))
        .await
        .expect(201)
        .body;
    assert_eq!(still["height"], 40);
    // Not a form at all.
    let not_form = app
        .call("POST", MEDIA, Some(&token), Some(json!({"file": "x"})), &[])
        .await
        .problem(415);
    assert!(not_form["detail"].as_str().unwrap().contains("multipart"));
    // A form without a file.
    let missing = send_form(&app, Some(&token), form(None, &[("alt", "nothing")]))
        .await
        .problem(422);
    assert_eq!(missing["errors"][0]["field"], "file");
    // The form takes no other parts, and its text has the same limits as an edit.
    let png = images::png(8, 8);
    let too_long = "a".repeat(1001);
    for (fields, field) in [
        (&[("title", "x")][..], "title"),
        (&[("alt", too_long.as_str())][..], "alt"),
    ] {
        let refused = send_form(
            &app,
            Some(&token),
            form(Some(("a.png", "image/png", &png)), fields),
        )
        .await
        .problem(422);
        assert_eq!(refused["errors"][0]["field"], field, "{refused}");
    }
    // Uploads are for staff.
    send_form(&app, None, form(Some(("a.png", "image/png", &png)), &[]))
        .await
        .problem(401);
    assert_eq!(count(&app).await, 4);
}

async fn a_decompression_bomb_is_refused_unread(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store);
    let bomb = images::png_bomb();
    assert!(bomb.len() < 100 * 1024, "small on disk");
    let refused = upload(&app, "bomb.png", &bomb).await.problem(422);
    assert_eq!(refused["errors"][0]["code"], "too_many_pixels", "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("20000"),
        "{refused}"
    );
    assert_eq!(count(&app).await, 0);
    // The pixel limit is the server's to set.
    let (small, _w) = media_app!(backend, store, |m: &mut MediaConfig| {
        m.limits.max_pixels = 100 * 100
    });
    upload(&small, "big.png", &images::png(101, 100))
        .await
        .problem(422);
    upload(&small, "ok.png", &images::png(100, 100))
        .await
        .expect(201);
}

async fn an_upload_over_the_limit_is_refused_and_leaves_nothing(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store, |m: &mut MediaConfig| {
        m.max_bytes = 64 * 1024
    });
    let mut big = images::pdf();
    big.resize(64 * 1024 + 1, b' ');
    let refused = upload(&app, "big.pdf", &big).await.problem(413);
    assert!(
        refused["detail"].as_str().unwrap().contains("larger"),
        "{refused}"
    );
    assert_eq!(count(&app).await, 0);
    let incoming = app.config().data_dir.join("incoming");
    assert_eq!(
        std::fs::read_dir(&incoming).unwrap().count(),
        0,
        "no spool file is left"
    );
    big.truncate(64 * 1024);

    // A client that goes away halfway through: its spool file goes with it.
    let (content_type, body) = form(Some(("cut.pdf", "application/pdf", &big)), &[]);
    let half = actix_web::web::Bytes::from(body[..body.len() / 2].to_vec());
    let chunks: Vec<Result<actix_web::web::Bytes, actix_http::error::PayloadError>> = vec![
        Ok(half),
        Err(actix_http::error::PayloadError::Incomplete(None)),
    ];
    let cut = app
        .send_streaming(
            actix_test::TestRequest::post()
                .uri(MEDIA)
                .insert_header(("authorization", format!("Bearer {}", app.owner_token)))
                .insert_header(("content-type", content_type)),
            futures_util::stream::iter(chunks),
        )
        .await
        .problem(400);
    assert!(
        cut["detail"]
            .as_str()
            .unwrap()
            .contains("could not be read"),
        "{cut}"
    );
    assert_eq!(count(&app).await, 0);
    assert_eq!(std::fs::read_dir(&incoming).unwrap().count(), 0);

    upload(&app, "fits.pdf", &big).await.expect(201);
}

async fn files_are_served_immutable_with_ranges_and_validators(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store);
    let pdf = images::pdf();
    let media = upload(&app, "doc.pdf", &pdf).await.expect(201).body;
    let url = media["url"].as_str().unwrap();
    let whole = fetch(&app, url, &[]).await.expect(200);
    let etag = whole.header("etag").unwrap().to_owned();
    assert_eq!(etag, format!("\"{}\"", media["sha256"].as_str().unwrap()));
    assert_eq!(
        whole.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    assert_eq!(
        whole.header("content-length"),
        Some(pdf.len().to_string().as_str())
    );

    let part = fetch(&app, url, &[("range", "bytes=2-9")])
        .await
        .expect(206);
    assert_eq!(part.bytes, pdf[2..10]);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 2-9/{}", pdf.len()).as_str())
    );
    let tail = fetch(&app, url, &[("range", "bytes=-5")]).await.expect(206);
    assert_eq!(tail.bytes, pdf[pdf.len() - 5..]);
    // A range for another version of the file is ignored; several are answered whole.
    let stale = fetch(
        &app,
        url,
        &[("range", "bytes=0-3"), ("if-range", "\"other\"")],
    )
    .await;
    assert_eq!((stale.status, stale.bytes.len()), (200, pdf.len()));
    let current = fetch(&app, url, &[("range", "bytes=0-3"), ("if-range", &etag)]).await;
    assert_eq!((current.status, current.bytes.as_slice()), (206, &pdf[..4]));
    let several = fetch(&app, url, &[("range", "bytes=0-1,5-6")])
        .await
        .expect(200);
    assert_eq!(several.bytes, pdf);
    let outside = fetch(
        &app,
        url,
        &[("range", &format!("bytes={}-", pdf.len() + 10))],
    )
    .await
    .problem(416);
    assert!(outside["detail"].as_str().unwrap().contains("bytes"));

    let unchanged = fetch(&app, url, &[("if-none-match", &etag)]).await;
    assert_eq!((unchanged.status, unchanged.bytes.len()), (304, 0));
    assert_eq!(unchanged.header("etag"), Some(etag.as_str()));

    let head = app.call("HEAD", &path_of(url), None, None, &[]).await;
    assert_eq!(head.status, 200);
    assert!(head.bytes.is_empty());
    assert_eq!(head.header("etag"), Some(etag.as_str()));
    assert_eq!(head.header("content-type"), Some("application/pdf"));
    assert_eq!(
        head.header("content-length"),
        Some(pdf.len().to_string().as_str())
    );

    // Addresses that name nothing.
    let sha = media["sha256"].as_str().unwrap();
    for missing in [
        format!("/media/{sha}/other-name.pdf"),
        format!("/media/{}/doc.pdf", "0".repeat(64)),
        "/media/not-a-digest/doc.pdf".to_owned(),
    ] {
        let problem = app.get(&missing, None).await.problem(404);
        assert!(problem["detail"].is_string());
    }
}

async fn only_the_configured_widths_exist(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store, |m: &mut MediaConfig| {
        m.widths = vec![100, 200, 5000]
    });
    let media = upload(&app, "pic.png", &images::png(300, 150))
        .await
        .expect(201)
        .body;
    let ready = with_variants(&app, id(&media)).await;
    let widths: Vec<i64> = ready["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["width"].as_i64().unwrap())
        .collect();
    // Never larger than the original.
    assert_eq!(widths, [100, 100, 200, 200]);
    let sha = media["sha256"].as_str().unwrap();
    app.get(&format!("/media/{sha}/200w.webp"), None)
        .await
        .expect(200);
    app.get(&format!("/media/{sha}/200w.png"), None)
        .await
        .expect(200);
    for asked in [
        "150w.webp",
        "320w.webp",
        "5000w.webp",
        "200w.gif",
        "0200w.webp",
    ] {
        app.get(&format!("/media/{sha}/{asked}"), None)
            .await
            .problem(404);
    }
}

async fn svg_is_sandboxed_when_allowed(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store, |m: &mut MediaConfig| m.allow_svg = true);
    let media = upload(&app, "logo.svg", &images::svg())
        .await
        .expect(201)
        .body;
    assert_eq!(media["mime_type"], "image/svg+xml");
    assert_eq!(media["variants"], json!([]));
    let file = fetch(&app, media["url"].as_str().unwrap(), &[])
        .await
        .expect(200);
    assert_eq!(
        file.header("content-security-policy"),
        Some("sandbox; script-src 'none'")
    );
    assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(file.bytes, images::svg());
}

async fn the_library_lists_searches_and_changes_media(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store);
    let (_, contributor) = app.staff("contributor").await;
    let photo = upload_as(
        &app,
        &contributor,
        "Beach.png",
        "image/png",
        &images::png(40, 30),
        &[("alt", "Waves on the sand")],
    )
    .await
    .expect(201)
    .body;
    let pdf = upload(&app, "Annual Report.pdf", &images::pdf())
        .await
        .expect(201)
        .body;

    let list = |query: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("{MEDIA}{query}"), Some(&app.owner_token))
                .await
                .expect(200)
                .body
        }
    };
    let ids = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| id(m).to_owned())
            .collect()
    };
    assert_eq!(ids(&list("").await), [id(&pdf), id(&photo)], "newest first");
    assert_eq!(ids(&list("?kind=document").await), [id(&pdf)]);
    assert_eq!(ids(&list("?q=WAVES").await), [id(&photo)]);
    assert_eq!(ids(&list("?q=annual").await), [id(&pdf)]);
    let first = list("?limit=1").await;
    assert_eq!(ids(&first), [id(&pdf)]);
    let cursor = first["meta"]["pagination"]["next_cursor"].as_str().unwrap();
    let next = app
        .get(
            &format!("{MEDIA}?limit=1&cursor={cursor}"),
            Some(&app.owner_token),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(ids(&next), [id(&photo)]);
    app.get(&format!("{MEDIA}?kind=spreadsheet"), Some(&app.owner_token))
        .await
        .problem(400);
    app.get(MEDIA, None).await.problem(401);

    // Changing a description needs the version read.
    let at = resource(MEDIA, id(&photo));
    app.patch_body(&at, Some(&contributor), json!({"alt": "x"}))
        .await
        .problem(428);
    let changed = app
        .patch_body(
            &at,
            Some(&contributor),
            json!({"alt": "Low tide", "caption": null, "version": photo["version"]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        (changed["alt"].as_str(), changed["version"].as_i64()),
        (Some("Low tide"), Some(2))
    );
    app.patch_body(
        &at,
        Some(&contributor),
        json!({"alt": "again", "version": photo["version"]}),
    )
    .await
    .problem(412);
    let too_long = "a".repeat(1001);
    app.patch_body(
        &at,
        Some(&contributor),
        json!({"alt": too_long, "version": changed["version"]}),
    )
    .await
    .problem(422);
    // A contributor changes only their own uploads; editors change any.
    app.patch_body(
        &resource(MEDIA, id(&pdf)),
        Some(&contributor),
        json!({"alt": "mine?", "version": pdf["version"]}),
    )
    .await
    .problem(403);
    let (_, editor) = app.staff("editor").await;
    app.patch_body(
        &at,
        Some(&editor),
        json!({"caption": "By an editor", "version": changed["version"]}),
    )
    .await
    .expect(200);
    let unchanged = app
        .get(&resource(MEDIA, id(&pdf)), Some(&app.owner_token))
        .await
        .expect(200);
    assert_eq!(unchanged.body["alt"], Value::Null);
    app.get(&resource(MEDIA, "no-such-media"), Some(&app.owner_token))
        .await
        .problem(404);
}

async fn media_a_post_shows_is_kept_from_deletion(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store);
    let (_, author) = app.staff("author").await;
    let upload_by = |name: &'static str, bytes: Vec<u8>| {
        let (app, author) = (&app, author.clone());
        async move {
            upload_as(app, &author, name, "image/png", &bytes, &[])
                .await
                .expect(201)
                .body
        }
    };
    let inline = upload_by("inline.png", images::png(20, 20)).await;
    let social = upload_by("social.png", images::png(21, 20)).await;
    let unused = upload_by("unused.png", images::png(22, 20)).await;
    let markdown = format!("Look: ![a picture]({})", inline["url"].as_str().unwrap());
    let post = app
        .post(
            POSTS,
            Some(&author),
            json!({"title": "Pictures", "markdown": markdown, "og_image": social["url"]}),
        )
        .await
        .expect(201)
        .body;

    for shown in [&inline, &social] {
        let refused = app
            .delete(&resource(MEDIA, id(shown)), Some(&author))
            .await
            .problem(409);
        let detail = refused["detail"].as_str().unwrap();
        assert!(
            detail.contains("Pictures") && detail.contains(id(&post)),
            "{detail}"
        );
        // Forcing is for editors and above.
        app.delete(
            &format!("{}?force=true", resource(MEDIA, id(shown))),
            Some(&author),
        )
        .await
        .problem(403);
    }
    app.delete(&resource(MEDIA, id(&unused)), Some(&author))
        .await
        .expect(204);
    app.get(&path_of(unused["url"].as_str().unwrap()), None)
        .await
        .problem(404);

    // Once the post no longer shows it, it may go.
    let current = app
        .get(&resource(POSTS, id(&post)), Some(&author))
        .await
        .expect(200)
        .body;
    let edited = app
        .patch_body(
            &resource(POSTS, id(&post)),
            Some(&author),
            json!({"markdown": "No pictures.", "version": current["version"]}),
        )
        .await
        .expect(200)
        .body;
    app.delete(&resource(MEDIA, id(&inline)), Some(&author))
        .await
        .expect(204);
    // An editor may delete what is still shown.
    let (_, editor) = app.staff("editor").await;
    app.delete(&resource(MEDIA, id(&social)), Some(&editor))
        .await
        .problem(409);
    app.delete(
        &format!("{}?force=true", resource(MEDIA, id(&social))),
        Some(&editor),
    )
    .await
    .expect(204);
    assert_eq!(count(&app).await, 0);
    // A deleted post no longer holds anything.
    let again = upload_by("again.png", images::png(23, 20)).await;
    let holder = app
        .post(
            POSTS,
            Some(&author),
            json!({"title": "Holder", "feature_image": again["url"]}),
        )
        .await
        .expect(201)
        .body;
    app.delete(&resource(POSTS, id(&holder)), Some(&author))
        .await
        .expect(204);
    app.delete(&resource(MEDIA, id(&again)), Some(&author))
        .await
        .expect(204);
    let _ = edited;
}

async fn objects_without_a_record_are_swept(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store);
    let settings = app.state().media.clone();
    let db = app.state().db.clone();
    let media = upload(&app, "gone.png", &images::png(30, 20))
        .await
        .expect(201)
        .body;
    let sha = folio::ids::Sha256::parse(media["sha256"].as_str().unwrap()).unwrap();
    let key = folio::media::settings::original_key(&sha, "png");
    assert!(settings.store.get(&key).await.is_ok());
    app.delete(&resource(MEDIA, id(&media)), Some(&app.owner_token))
        .await
        .expect(204);
    // The sweep queued by the deletion removes the object.
    let started = std::time::Instant::now();
    while settings.store.get(&key).await.is_ok() {
        assert!(started.elapsed() < PATIENCE, "the object is still stored");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }

    // An upload that stopped after storing its object, before recording it: the object is
    // marked, and swept once its grace has passed (here: at once).
    let orphan = folio::ids::Sha256::of(b"an interrupted upload");
    let orphan_key = folio::media::settings::original_key(&orphan, "pdf");
    let (mark, past) = (
        orphan.clone(),
        folio::db::now() - chrono::TimeDelta::hours(2),
    );
    db.write(move |conn| folio::media::storage::mark_for_sweep(conn, &mark, "pdf", past))
        .await
        .unwrap();
    settings
        .store
        .put(
            &orphan_key,
            bytes::Bytes::from_static(b"%PDF-1.4 never recorded"),
        )
        .await
        .unwrap();
    // A recorded file marked the same way (an upload that finished) is kept.
    let kept = upload(&app, "kept.pdf", &images::pdf())
        .await
        .expect(201)
        .body;
    let kept_sha = folio::ids::Sha256::parse(kept["sha256"].as_str().unwrap()).unwrap();
    let kept_key = folio::media::settings::original_key(&kept_sha, "pdf");
    let mark = kept_sha.clone();
    db.write(move |conn| folio::media::storage::mark_for_sweep(conn, &mark, "pdf", past))
        .await
        .unwrap();
    let swept = folio::media::service::sweep(&db, &settings).await.unwrap();
    assert_eq!(swept, 1);
    assert!(
        settings.store.get(&orphan_key).await.is_err(),
        "the orphan is gone"
    );
    assert!(
        settings.store.get(&kept_key).await.is_ok(),
        "the recorded file stays"
    );
    fetch(&app, kept["url"].as_str().unwrap(), &[])
        .await
        .expect(200);
}

/// An MP4 (as the bytes say: an `ftyp` box) of `size` bytes, different for each `seed`.
fn video(size: usize, seed: u64) -> Vec<u8> {
    let mut bytes = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    while bytes.len() < size {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

async fn a_large_file_is_streamed_to_the_store(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store);
    // Past one part of a multipart upload to object storage (5 MiB), and not a whole number of
    // them.
    let big = video(12 * 1024 * 1024 + 12345, 7);
    let media = upload(&app, "talk.mp4", &big).await.expect(201).body;
    assert_eq!(
        (media["kind"].as_str(), media["mime_type"].as_str()),
        (Some("video"), Some("video/mp4"))
    );
    assert_eq!(media["size_bytes"].as_u64(), Some(big.len() as u64));
    assert_eq!(
        media["sha256"],
        folio::ids::Sha256::of(&big).as_str(),
        "a file that is not an image is stored as it came"
    );
    let url = media["url"].as_str().unwrap();
    let whole = fetch(&app, url, &[]).await.expect(200);
    assert!(whole.bytes == big, "the stored file is the uploaded one");
    let end = big.len() - 1;
    let last = fetch(
        &app,
        url,
        &[("range", &format!("bytes={}-{end}", end - 99))],
    )
    .await
    .expect(206);
    assert_eq!(last.bytes, big[end - 99..]);
    // A range too long to read in one go, from the middle: streamed in chunks from its start.
    let middle = fetch(&app, url, &[("range", "bytes=1000001-3500000")])
        .await
        .expect(206);
    assert!(middle.bytes == big[1_000_001..=3_500_000]);
}

async fn uploads_are_announced_to_webhooks(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store);
    let receiver = Receiver::start();
    let made = app
        .post(
            "/api/v1/webhooks",
            Some(&app.owner_token),
            json!({"url": receiver.url("/hook"), "events": ["media.added", "media.edited", "media.deleted"]}),
        )
        .await
        .expect(201);
    receiver.trust(made.body["secret"].as_str().unwrap());
    let media = upload(&app, "sea.png", &images::png(700, 400))
        .await
        .expect(201)
        .body;
    // Added, then edited once its variants are ready.
    let got = receiver.wait_for(2, PATIENCE).await;
    let added = got
        .iter()
        .find(|g| g.event() == "media.added")
        .expect("media.added");
    assert_eq!(added.verified, Some(true));
    let current = &added.body["data"]["media"]["current"];
    assert_eq!(current["sha256"], media["sha256"]);
    assert_eq!(current["variants"], json!([]));
    assert!(
        current["url"].as_str().unwrap().starts_with("/media/"),
        "{current}"
    );
    let edited = got
        .iter()
        .find(|g| g.event() == "media.edited")
        .expect("media.edited");
    assert_eq!(
        edited.body["data"]["media"]["current"]["variants"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    app.delete(&resource(MEDIA, id(&media)), Some(&app.owner_token))
        .await
        .expect(204);
    let got = receiver.wait_for(3, PATIENCE).await;
    let deleted = got
        .iter()
        .find(|g| g.event() == "media.deleted")
        .expect("media.deleted");
    assert_eq!(deleted.body["data"]["media"]["previous"]["id"], media["id"]);
}

async fn two_instances_share_one_bucket(backend: Backend) {
    let (app, _worker) = media_app!(backend, Store::S3);
    // Another instance on the same database and bucket: it serves what the first stored, and
    // only one of them makes the variants.
    let other = app.sibling().await;
    let _other_worker = folio::worker::start(other.state());
    let photo = images::jpeg(900, 600);
    let media = upload(&app, "shared.jpg", &photo).await.expect(201).body;
    let file = fetch(&other, media["url"].as_str().unwrap(), &[])
        .await
        .expect(200);
    assert_eq!(
        file.header("etag"),
        Some(format!("\"{}\"", media["sha256"].as_str().unwrap()).as_str())
    );
    let ready = with_variants(&other, id(&media)).await;
    let variants = ready["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 4);
    for variant in variants {
        fetch(&app, variant["url"].as_str().unwrap(), &[])
            .await
            .expect(200);
    }
    // Uploading the same bytes to the other instance finds them.
    let again = upload(&other, "again.jpg", &photo).await.expect(200).body;
    assert_eq!(again["id"], media["id"]);
}

async fn a_public_address_serves_files_from_object_storage(backend: Backend) {
    let (app, _worker) = media_app!(backend, Store::S3, |m: &mut MediaConfig| {
        m.public_url = Some("https://cdn.example.com/".into())
    });
    let media = upload(&app, "doc.pdf", &images::pdf())
        .await
        .expect(201)
        .body;
    let sha = media["sha256"].as_str().unwrap();
    // The address is the CDN's, with the store's prefix and the object's key.
    let public = format!(
        "https://cdn.example.com/blog/originals/{}/{sha}.pdf",
        &sha[..2]
    );
    assert_eq!(media["url"], public.as_str());
    let redirect = app.get(&format!("/media/{sha}/doc.pdf"), None).await;
    assert_eq!(redirect.status, 302);
    assert_eq!(redirect.header("location"), Some(public.as_str()));
    // Unless Folio is to pass files through.
    let (proxied, _w) = media_app!(backend, Store::S3, |m: &mut MediaConfig| {
        m.public_url = Some("https://cdn.example.com".into());
        m.proxy = true;
    });
    upload(&proxied, "doc.pdf", &images::pdf())
        .await
        .expect(201);
    let file = proxied
        .get(&format!("/media/{sha}/doc.pdf"), None)
        .await
        .expect(200);
    assert_eq!(file.bytes, images::pdf());
}

async fn unreachable_storage_is_503_and_records_nothing(backend: Backend) {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let (app, _worker) = media_app!(backend, Store::S3, |m: &mut MediaConfig| {
        m.s3.endpoint = Some(format!("http://127.0.0.1:{port}"));
    });
    let refused = upload(&app, "doc.pdf", &images::pdf()).await.problem(503);
    assert_eq!(refused["type"], "urn:folio:problem:storage-unavailable");
    assert!(
        !refused["detail"].as_str().unwrap().contains("127.0.0.1"),
        "{refused}"
    );
    assert_eq!(count(&app).await, 0);
}

on_every_store!(
    racing_uploads_of_the_same_bytes_make_one_record,
    a_broken_image_keeps_its_original
);

async fn racing_uploads_of_the_same_bytes_make_one_record(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store);
    let png = images::png(50, 50);
    let answers = futures_util::future::join_all((0..8).map(|i| {
        let (app, png) = (&app, png.clone());
        async move { upload(app, &format!("race-{i}.png"), &png).await }
    }))
    .await;
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [200, 200, 200, 200, 200, 200, 200, 201],
        "{:?}",
        answers.iter().map(|a| &a.text).collect::<Vec<_>>()
    );
    let ids: std::collections::BTreeSet<&str> = answers.iter().map(|a| id(&a.body)).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(count(&app).await, 1);
}

async fn a_broken_image_keeps_its_original(backend: Backend, store: Store) {
    let (app, _worker) = media_app!(backend, store);
    // A PNG whose picture data is damaged is refused (its chunks' checksums say so).
    let mut damaged = images::png(700, 400);
    let idat = damaged.windows(4).position(|w| w == b"IDAT").unwrap();
    for byte in &mut damaged[idat + 40..idat + 80] {
        *byte ^= 0x5a;
    }
    let refused = upload(&app, "damaged.png", &damaged).await.problem(422);
    assert_eq!(
        refused["errors"][0]["code"], "unreadable_image",
        "{refused}"
    );
    // The same damage with its checksum made to match passes every check short of decoding
    // it all: it is stored, and no variant can be made of it.
    let idat_len = u32::from_be_bytes(damaged[idat - 4..idat].try_into().unwrap()) as usize;
    let mut crc = flate2::Crc::new();
    crc.update(&damaged[idat..idat + 4 + idat_len]);
    damaged[idat + 4 + idat_len..idat + 8 + idat_len].copy_from_slice(&crc.sum().to_be_bytes());
    let png = damaged;
    let media = upload(&app, "damaged.png", &png).await.expect(201).body;
    assert_eq!(
        (media["width"].as_i64(), media["height"].as_i64()),
        (Some(700), Some(400))
    );
    // Its variants job gives up rather than running for ever; the original is served.
    let db = app.state().db.clone();
    let started = std::time::Instant::now();
    loop {
        let queued = db.run(folio::jobs::depth).await.unwrap();
        // The hourly prune is always queued; nothing else.
        if queued.due + queued.running + queued.waiting == 1 {
            break;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "the variants job is still queued: {} due, {} running, {} waiting",
            queued.due,
            queued.running,
            queued.waiting
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let media = app
        .get(&resource(MEDIA, id(&media)), Some(&app.owner_token))
        .await
        .expect(200)
        .body;
    assert_eq!(media["variants"], json!([]));
    let file = fetch(&app, media["url"].as_str().unwrap(), &[])
        .await
        .expect(200);
    assert_eq!(file.bytes, png);
}
