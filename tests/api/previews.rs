//! Preview links: who may make one; what one shows to whoever holds it, without signing in (a
//! draft or scheduled post or page as it will look published); that no cache keeps what it
//! shows; and that it stops working when it expires or its post goes. Only a digest of each
//! token is stored.

use std::time::Duration;

use actix_web::body::MessageBody;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use folio::db::schema::preview_tokens as stored;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::on_both_backends;
use crate::paths::{API, AUTHORS, PAGES, POSTS, SETTINGS, preview, resource};
use crate::support::{Backend, Response, Served, TestApp, id, spawn, spawn_with};

on_both_backends!(
    a_link_shows_a_draft_without_signing_in,
    a_link_shows_a_scheduled_post,
    a_preview_has_the_address_the_post_will_have,
    who_may_make_a_link,
    a_preview_is_read_afresh_every_time,
    a_link_lasts_as_long_as_configured,
    a_link_with_no_time_left_is_not_found,
    a_link_dies_with_its_post,
    a_link_dies_with_the_account_that_made_it,
    expired_links_are_swept_when_a_new_one_is_made,
    unknown_and_malformed_links_are_not_found,
    only_a_digest_of_a_token_is_stored,
);

/// Each collection, and the `kind` its previews name.
const KINDS: [(&str, &str); 2] = [(POSTS, "post"), (PAGES, "page")];

/// The link is the credential: neither the reader's cache nor any other may keep it.
const NO_STORE: &str = "private, no-store";

/// Writes an item in `collection` as `token`: the item, and its path.
async fn write<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    collection: &str,
    token: &str,
    body: Value,
) -> (Value, String) {
    let item = app
        .post(collection, Some(token), body)
        .await
        .expect(201)
        .body;
    let path = resource(collection, id(&item));
    (item, path)
}

/// Makes a preview link of the item at `item` as `token`, and checks how it is answered: the
/// link, `{token, path, expires_at}`.
async fn link<S: Served<B>, B: MessageBody>(app: &TestApp<S>, item: &str, token: &str) -> Value {
    let res = app
        .post(&preview(item), Some(token), json!({}))
        .await
        .expect(201);
    let token = res.body["token"].as_str().expect("a token");
    let path = format!("{API}/preview/{token}");
    assert_eq!(res.body["path"], path.as_str());
    assert_eq!(res.header("location"), Some(path.as_str()));
    assert_eq!(res.header("cache-control"), Some(NO_STORE));
    let mut fields: Vec<&String> = res.body.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["expires_at", "path", "token"]);
    res.body
}

/// Reads the preview `link` with no credentials at all.
async fn open<S: Served<B>, B: MessageBody>(app: &TestApp<S>, link: &Value) -> Response {
    app.get(link["path"].as_str().expect("a path"), None).await
}

/// Reads the preview `link`, which must work: what it shows, `{kind, data}`.
async fn shown<S: Served<B>, B: MessageBody>(app: &TestApp<S>, link: &Value) -> Value {
    let res = open(app, link).await.expect(200);
    assert_eq!(res.header("cache-control"), Some(NO_STORE));
    let mut fields: Vec<&String> = res.body.as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["data", "kind"]);
    res.body
}

/// The hex SHA-256 digest of `token`.
fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every stored preview token: (token_hash, post_id, created_by).
async fn stored_tokens<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
) -> Vec<(String, String, String)> {
    let db = app.state().db.clone();
    actix_web::web::block(move || {
        let mut conn = db.conn().expect("a connection");
        stored::table
            .select((stored::token_hash, stored::post_id, stored::created_by))
            .load(&mut *conn)
    })
    .await
    .unwrap()
    .expect("the preview tokens")
}

/// Makes the preview `link` expire a minute ago, in the database: nothing else changes, so
/// nothing a cache watches for changes either.
async fn expire<S: Served<B>, B: MessageBody>(app: &TestApp<S>, link: &Value) {
    let db = app.state().db.clone();
    let hash = digest(link["token"].as_str().unwrap());
    let past = (Utc::now() - TimeDelta::minutes(1)).naive_utc();
    let changed = actix_web::web::block(move || {
        let mut conn = db.conn().expect("a connection");
        diesel::update(stored::table.find(hash))
            .set(stored::expires_at.eq(past))
            .execute(&mut *conn)
    })
    .await
    .unwrap()
    .expect("the update");
    assert_eq!(changed, 1, "one token expired");
}

async fn a_link_shows_a_draft_without_signing_in(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    for (collection, kind) in KINDS {
        let body = json!({"title": "Not yet", "markdown": "Soon *here*."});
        let (item, path) = write(&app, collection, owner, body).await;
        app.get(&path, None).await.problem(404);

        let link = link(&app, &path, owner).await;
        let preview = shown(&app, &link).await;
        assert_eq!(preview["kind"], kind);
        let data = &preview["data"];
        assert_eq!(data["id"], item["id"]);
        assert_eq!(data["status"], "draft");
        assert_eq!(data["title"], "Not yet");
        assert!(data["html"].as_str().unwrap().contains("<em>here</em>"));
        // The same representation its writer reads (with no site address, no `url` either).
        let as_written = app.get(&path, Some(owner)).await.expect(200).body;
        assert_eq!(data, &as_written, "{collection}");
        // Only the link opens it: the draft is still hidden from readers.
        app.get(&path, None).await.problem(404);
    }
}

async fn a_link_shows_a_scheduled_post(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    for (collection, kind) in KINDS {
        let body = json!({"title": "Later", "status": "scheduled", "published_at": "2099-06-15T12:00:00Z"});
        let (item, path) = write(&app, collection, owner, body).await;
        app.get(&path, None).await.problem(404);
        let preview = shown(&app, &link(&app, &path, owner).await).await;
        assert_eq!(preview["kind"], kind);
        assert_eq!(preview["data"]["id"], item["id"]);
        assert_eq!(preview["data"]["status"], "scheduled");
        assert_eq!(preview["data"]["published_at"], item["published_at"]);
    }
}

async fn a_preview_has_the_address_the_post_will_have(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    let site = "https://blog.example.com";
    app.patch(SETTINGS, Some(owner), "*", json!({"url": site}))
        .await
        .expect(200);
    // Drafts: at `/p/{uuid}/` for their writers, at their permalink in the preview.
    for (collection, slug) in [(POSTS, "coming-soon"), (PAGES, "about-us")] {
        let body = json!({"title": "Draft", "slug": slug});
        let (item, path) = write(&app, collection, owner, body).await;
        let uuid = item["uuid"].as_str().unwrap();
        assert_eq!(item["url"], format!("{site}/p/{uuid}/"));
        let preview = shown(&app, &link(&app, &path, owner).await).await;
        assert_eq!(
            preview["data"]["url"],
            format!("{site}/{slug}/"),
            "{collection}"
        );
    }

    // A scheduled post's permalink has the date it will go live; a live one's is its own.
    app.patch(
        SETTINGS,
        Some(owner),
        "*",
        json!({"permalinks": "/{year}/{slug}/"}),
    )
    .await
    .expect(200);
    let body =
        json!({"title": "Future", "status": "scheduled", "published_at": "2099-06-15T12:00:00Z"});
    let (item, path) = write(&app, POSTS, owner, body).await;
    let uuid = item["uuid"].as_str().unwrap();
    assert_eq!(item["url"], format!("{site}/p/{uuid}/"));
    let preview = shown(&app, &link(&app, &path, owner).await).await;
    assert_eq!(preview["data"]["url"], format!("{site}/2099/future/"));

    let body =
        json!({"title": "Old news", "status": "published", "published_at": "2020-01-02T03:04:05Z"});
    let (item, path) = write(&app, POSTS, owner, body).await;
    assert_eq!(item["url"], format!("{site}/2020/old-news/"));
    let preview = shown(&app, &link(&app, &path, owner).await).await;
    assert_eq!(preview["data"]["url"], item["url"]);
}

async fn who_may_make_a_link(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.clone();
    let (_, admin) = app.staff("admin").await;
    let (_, editor) = app.staff("editor").await;
    let (_, author) = app.staff("author").await;
    let (_, other_author) = app.staff("author").await;
    let (_, contributor) = app.staff("contributor").await;
    for (collection, _) in KINDS {
        let (_, draft) = write(&app, collection, &author, json!({"title": "Draft"})).await;
        let live = json!({"title": "Live", "status": "published"});
        let (_, live) = write(&app, collection, &author, live).await;
        let (_, mine) = write(&app, collection, &contributor, json!({"title": "Mine"})).await;
        let (_, reviewed) = write(&app, collection, &contributor, json!({"title": "Rev"})).await;
        app.patch(
            &reviewed,
            Some(&editor),
            "*",
            json!({"status": "published"}),
        )
        .await
        .expect(200);
        let unknown = resource(collection, "no-such-post");

        for (who, token, path) in [
            ("owner", &owner, &draft),
            ("admin", &admin, &mine),
            ("editor", &editor, &live),
            ("the author", &author, &draft),
            ("the author", &author, &live),
            ("the contributor", &contributor, &mine),
        ] {
            let link = link(&app, path, token).await;
            assert!(open(&app, &link).await.status == 200, "{who}: {path}");
        }
        let before = stored_tokens(&app).await.len();
        for (who, token, path, status) in [
            // Who cannot see a post is told it does not exist ...
            ("another author", Some(&other_author), &draft, 404),
            ("another author", Some(&other_author), &mine, 404),
            ("the contributor", Some(&contributor), &draft, 404),
            ("the owner", Some(&owner), &unknown, 404),
            // ... who sees it but may not change it, that they may not.
            ("another author", Some(&other_author), &live, 403),
            ("the contributor", Some(&contributor), &live, 403),
            ("the contributor", Some(&contributor), &reviewed, 403),
            ("no one", None, &live, 401),
        ] {
            let res = app
                .post(&preview(path), token.map(String::as_str), json!({}))
                .await;
            assert_eq!(res.status, status, "{who}: {path}: {}", res.text);
            res.problem(status);
        }
        assert_eq!(stored_tokens(&app).await.len(), before, "no link was made");
    }
}

async fn a_preview_is_read_afresh_every_time(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    for (collection, _) in KINDS {
        for status in ["draft", "published"] {
            let body = json!({"title": "First", "status": status});
            let (_, path) = write(&app, collection, owner, body).await;
            let link = link(&app, &path, owner).await;
            let first = open(&app, &link).await.expect(200);
            let cache_control = first.header("cache-control").unwrap();
            assert!(!cache_control.contains("public"), "{cache_control}");
            assert_eq!(first.body["data"]["title"], "First");
            assert_eq!(shown(&app, &link).await["data"]["title"], "First");

            app.patch(&path, Some(owner), "*", json!({"title": "Second"}))
                .await
                .expect(200);
            assert_eq!(shown(&app, &link).await["data"]["title"], "Second");

            // Expiring changes no content, so only a read that asks the database sees it.
            expire(&app, &link).await;
            open(&app, &link).await.problem(404);
        }
    }
}

async fn a_link_lasts_as_long_as_configured(backend: Backend) {
    let ttl = Duration::from_secs(3 * 3600);
    let app = spawn_with(backend, |cfg| cfg.editorial.preview_ttl = ttl).await;
    let owner = app.owner_token.as_str();
    let ttl = TimeDelta::from_std(ttl).unwrap();
    for (collection, _) in KINDS {
        let (_, path) = write(&app, collection, owner, json!({"title": "Timed"})).await;
        let asked = Utc::now();
        let link = link(&app, &path, owner).await;
        let answered = Utc::now();
        let expires_at: DateTime<Utc> = link["expires_at"]
            .as_str()
            .expect("a time")
            .parse()
            .expect("an RFC 3339 time");
        // Stored times may be rounded; a second either side covers that, and nothing else.
        let second = TimeDelta::seconds(1);
        assert!(
            asked + ttl - second <= expires_at && expires_at <= answered + ttl + second,
            "{expires_at} is not {ttl} after {asked}"
        );
        shown(&app, &link).await;
    }
}

async fn a_link_with_no_time_left_is_not_found(backend: Backend) {
    let app = spawn_with(backend, |cfg| cfg.editorial.preview_ttl = Duration::ZERO).await;
    let owner = app.owner_token.as_str();
    for (collection, _) in KINDS {
        let (_, path) = write(&app, collection, owner, json!({"title": "Gone at once"})).await;
        let link = link(&app, &path, owner).await;
        open(&app, &link).await.problem(404);
    }
}

async fn a_link_dies_with_its_post(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    for (collection, _) in KINDS {
        let (item, path) = write(&app, collection, owner, json!({"title": "Doomed"})).await;
        let links = [
            link(&app, &path, owner).await,
            link(&app, &path, owner).await,
        ];
        let (_, other) = write(&app, collection, owner, json!({"title": "Survivor"})).await;
        let survivor = link(&app, &other, owner).await;
        for link in &links {
            shown(&app, link).await;
        }

        app.delete(&path, Some(owner)).await.expect(204);
        for link in &links {
            open(&app, link).await.problem(404);
        }
        shown(&app, &survivor).await;
        let tokens = stored_tokens(&app).await;
        assert!(
            tokens.iter().all(|(_, post, _)| post != id(&item)),
            "{collection}: its tokens went with it"
        );
    }
}

async fn a_link_dies_with_the_account_that_made_it(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    let (editor_id, editor) = app.staff("editor").await;
    let mut links = Vec::new();
    for (collection, _) in KINDS {
        let (_, path) = write(&app, collection, owner, json!({"title": "Shared"})).await;
        let (theirs, mine) = (
            link(&app, &path, &editor).await,
            link(&app, &path, owner).await,
        );
        shown(&app, &theirs).await;
        links.push((theirs, mine));
    }
    app.delete(&resource(AUTHORS, &editor_id), Some(owner))
        .await
        .expect(204);
    for (theirs, mine) in &links {
        open(&app, theirs).await.problem(404);
        shown(&app, mine).await;
    }
    let tokens = stored_tokens(&app).await;
    assert!(
        tokens.iter().all(|(_, _, by)| *by != editor_id),
        "{tokens:?}"
    );
}

async fn expired_links_are_swept_when_a_new_one_is_made(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    let (_, post) = write(&app, POSTS, owner, json!({"title": "Old link"})).await;
    let (_, page) = write(&app, PAGES, owner, json!({"title": "New link"})).await;
    let old = link(&app, &post, owner).await;
    let kept = link(&app, &post, owner).await;
    expire(&app, &old).await;
    // A link to any post sweeps the expired ones of every post.
    let new = link(&app, &page, owner).await;
    let hashes: Vec<String> = stored_tokens(&app)
        .await
        .into_iter()
        .map(|(hash, _, _)| hash)
        .collect();
    let digest_of = |link: &Value| digest(link["token"].as_str().unwrap());
    assert_eq!(hashes.len(), 2, "{hashes:?}");
    assert!(!hashes.contains(&digest_of(&old)));
    assert!(hashes.contains(&digest_of(&kept)) && hashes.contains(&digest_of(&new)));
}

async fn unknown_and_malformed_links_are_not_found(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    let (_, path) = write(&app, POSTS, owner, json!({"title": "Previewed"})).await;
    let link = link(&app, &path, owner).await;
    let token = link["token"].as_str().unwrap();
    let mut tampered = token.to_owned();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let unprefixed = token.trim_start_matches("folio_pv_");
    for wrong in [
        tampered.as_str(),
        unprefixed,
        &token.to_uppercase(),
        &format!("{token}x"),
        &format!("folio_pv_{}", "A".repeat(43)),
        "folio_pv_",
        "nonsense",
        "%20",
        "%00",
        &"x".repeat(3000),
    ] {
        let at = format!("{API}/preview/{wrong}");
        app.get(&at, None).await.problem(404);
        // Signing in does not make an unknown link known.
        app.get(&at, Some(owner)).await.problem(404);
    }
    shown(&app, &link).await;
}

async fn only_a_digest_of_a_token_is_stored(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    let (author_id, author) = app.staff("author").await;
    let mut made = Vec::new();
    for (collection, _) in KINDS {
        let (item, path) = write(&app, collection, &author, json!({"title": "Secret"})).await;
        for (maker, token) in [(&app.owner_id, owner), (&author_id, &author)] {
            made.push((link(&app, &path, token).await, id(&item).to_owned(), maker));
        }
    }
    let rows = stored_tokens(&app).await;
    assert_eq!(rows.len(), made.len());
    for (link, post_id, maker) in &made {
        let token = link["token"].as_str().unwrap();
        let hash = digest(token);
        let row = rows
            .iter()
            .find(|(stored, _, _)| *stored == hash)
            .unwrap_or_else(|| panic!("a row with the digest of {token}"));
        assert_eq!((&row.1, &row.2), (post_id, *maker));
        // After the prefix that says what it is comes the secret: no column holds it.
        let secret = token.strip_prefix("folio_pv_").expect("a preview token");
        for (hash, post, by) in &rows {
            for column in [hash, post, by] {
                assert!(!column.contains(secret), "{column} holds {token}");
            }
        }
    }
}
