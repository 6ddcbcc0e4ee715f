//! Revisions of posts and pages: one kept with every change that changes something, saying why
//! and by whom; who may read a history; bringing a revision back; how much history a post
//! keeps; and that its history goes with a deleted post.

use actix_web::body::MessageBody;
use diesel::prelude::*;
use folio::db::schema::revisions as stored;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{AUTHORS, PAGES, POSTS, TAGS, resource, restore, revision, revisions};
use crate::support::{Backend, Served, TestApp, id, spawn, spawn_with};

on_both_backends!(
    each_change_keeps_a_revision_saying_why,
    a_history_says_who_changed_which_fields,
    a_revision_holds_everything_a_writer_sets,
    changes_that_change_nothing_keep_no_revision,
    refused_changes_keep_no_revision,
    a_history_is_paged_newest_first,
    who_may_read_a_history,
    unknown_revisions_are_not_found,
    restoring_brings_the_content_back_and_keeps_the_rest,
    restoring_needs_the_current_version,
    restoring_leaves_out_tags_and_authors_that_are_gone,
    code_injection_comes_back_for_editors_only,
    an_author_restoring_keeps_the_byline_an_editor_set,
    who_may_restore,
    only_the_latest_revisions_are_kept,
    deleting_a_post_deletes_its_history,
    racing_changes_keep_one_revision_each,
);

/// Posts and pages have the same operations: each rule is checked on both.
const KINDS: [&str; 2] = [POSTS, PAGES];

/// The plain fields a restore brings back (authors and tags aside), in alphabetical order.
const CONTENT: [&str; 18] = [
    "canonical_url",
    "codeinjection_foot",
    "codeinjection_head",
    "custom_excerpt",
    "custom_template",
    "feature_image",
    "feature_image_alt",
    "feature_image_caption",
    "markdown",
    "meta_description",
    "meta_title",
    "og_description",
    "og_image",
    "og_title",
    "title",
    "twitter_description",
    "twitter_image",
    "twitter_title",
];

/// A value for each [`CONTENT`] field, different for each `version`.
fn content(version: &str) -> Value {
    let mut body = json!({});
    for field in CONTENT {
        body[field] = match field {
            "canonical_url" | "feature_image" | "og_image" | "twitter_image" => {
                json!(format!("https://example.com/{version}/{field}.png"))
            }
            "custom_template" => json!(format!("template-{version}")),
            "markdown" => json!(format!("The *{version}* text.")),
            _ => json!(format!("{field} {version}")),
        };
    }
    body
}

/// `body` with `extra`'s fields added.
fn with(mut body: Value, extra: Value) -> Value {
    for (field, value) in extra.as_object().expect("an object") {
        body[field] = value.clone();
    }
    body
}

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

/// Changes the item at `path` as `token`, whatever its version (`If-Match: *`).
async fn change<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    path: &str,
    token: &str,
    body: Value,
) -> Value {
    app.patch(path, Some(token), "*", body)
        .await
        .expect(200)
        .body
}

/// Brings revision `number` of the item at `path` back as `token`, whatever its version.
async fn restored<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    path: &str,
    token: &str,
    number: i64,
) -> Value {
    app.call(
        "POST",
        &restore(path, number),
        Some(token),
        None,
        &[("if-match", "*")],
    )
    .await
    .expect(200)
    .body
}

/// The whole history of the item at `path`, as the owner reads it, newest first.
async fn history<S: Served<B>, B: MessageBody>(app: &TestApp<S>, path: &str) -> Vec<Value> {
    app.get(
        &format!("{}?limit=100", revisions(path)),
        Some(&app.owner_token),
    )
    .await
    .expect(200)
    .body["data"]
        .as_array()
        .expect("a list")
        .clone()
}

/// The numbers of the revisions of the item at `path`, newest first.
async fn numbers<S: Served<B>, B: MessageBody>(app: &TestApp<S>, path: &str) -> Vec<i64> {
    numbers_in(&json!({"data": history(app, path).await}))
}

fn numbers_in(list: &Value) -> Vec<i64> {
    list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r["number"].as_i64().expect("a number"))
        .collect()
}

/// The ids of the authors or tags (`field`) of `item`, in order.
fn ids_of(item: &Value, field: &str) -> Vec<String> {
    item[field]
        .as_array()
        .unwrap_or_else(|| panic!("`{field}` in {item}"))
        .iter()
        .map(|v| id(v).to_owned())
        .collect()
}

/// The item at `path` as the owner reads it, its Markdown included.
async fn read<S: Served<B>, B: MessageBody>(app: &TestApp<S>, path: &str) -> Value {
    app.get(
        &format!("{path}?formats=html,markdown"),
        Some(&app.owner_token),
    )
    .await
    .expect(200)
    .body
}

/// The revisions of post `post_id` in the database, whatever the API shows.
async fn stored_revisions<S: Served<B>, B: MessageBody>(app: &TestApp<S>, post_id: &str) -> i64 {
    let (db, post_id) = (app.state().db.clone(), post_id.to_owned());
    actix_web::web::block(move || {
        let mut conn = db.conn().expect("a connection");
        stored::table
            .filter(stored::post_id.eq(post_id))
            .count()
            .get_result::<i64>(&mut *conn)
    })
    .await
    .unwrap()
    .expect("a count")
}

async fn each_change_keeps_a_revision_saying_why(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    for collection in KINDS {
        let (_, path) = write(
            &app,
            collection,
            owner,
            json!({"title": "First", "markdown": "Text."}),
        )
        .await;
        for body in [
            json!({"title": "Second"}),
            json!({"status": "published"}),
            json!({"status": "draft"}),
            json!({"status": "scheduled", "published_at": "2099-06-15T12:00:00Z"}),
            // Scheduled to published is no change of whether it is out: an edit.
            json!({"status": "published", "published_at": null}),
            json!({"status": "draft"}),
        ] {
            change(&app, &path, owner, body).await;
        }
        restored(&app, &path, owner, 1).await;

        let why: Vec<Value> = history(&app, &path)
            .await
            .iter()
            .map(|r| json!([r["number"], r["reason"], r["changed_fields"]]))
            .collect();
        let when = json!(["published_at", "status"]);
        assert_eq!(
            why,
            [
                json!([8, "restored", ["title"]]),
                json!([7, "unpublished", ["status"]]),
                json!([6, "edited", when]),
                json!([5, "published", when]),
                json!([4, "unpublished", ["status"]]),
                json!([3, "published", when]),
                json!([2, "edited", ["title"]]),
                json!([
                    1,
                    "created",
                    [
                        "authors",
                        "markdown",
                        "slug",
                        "status",
                        "title",
                        "visibility"
                    ]
                ]),
            ],
            "{collection}"
        );
    }
}

async fn a_history_says_who_changed_which_fields(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    let (editor_id, editor) = app.staff("editor").await;
    let editor_author = app
        .get(&resource(AUTHORS, &editor_id), Some(owner))
        .await
        .expect(200)
        .body;
    let mut paths = Vec::new();
    for collection in KINDS {
        let (_, path) = write(&app, collection, owner, json!({"title": "Named"})).await;
        let body = json!({"title": "Renamed", "meta_title": "Meta", "featured": true, "custom_excerpt": "Short"});
        change(&app, &path, &editor, body).await;
        let list = history(&app, &path).await;
        let (edit, creation) = (&list[0], &list[1]);
        assert_eq!(
            edit["author"],
            json!({"id": editor_id, "slug": editor_author["slug"], "name": editor_author["name"]})
        );
        assert_eq!(
            creation["author"],
            json!({"id": app.owner_id, "slug": "owner", "name": "Owner"})
        );
        assert_eq!(
            edit["changed_fields"],
            json!(["custom_excerpt", "featured", "meta_title", "title"]),
            "alphabetical"
        );
        for summary in [edit, creation] {
            let mut fields: Vec<&String> = summary.as_object().unwrap().keys().collect();
            fields.sort();
            assert_eq!(
                fields,
                [
                    "author",
                    "changed_fields",
                    "created_at",
                    "id",
                    "number",
                    "reason"
                ]
            );
            assert!(summary["id"].is_string());
            let at = summary["created_at"].as_str().expect("a time");
            chrono::DateTime::parse_from_rfc3339(at).expect("an RFC 3339 time");
        }
        // One revision is its summary and its snapshot.
        let mut one = app
            .get(&revision(&path, 2), Some(owner))
            .await
            .expect(200)
            .body;
        assert_eq!(one["snapshot"]["title"], "Renamed");
        one.as_object_mut().unwrap().remove("snapshot");
        assert_eq!(&one, edit);
        paths.push(path);
    }
    // Once the editor's account is gone, their revisions stay, by no one.
    app.delete(&resource(AUTHORS, &editor_id), Some(owner))
        .await
        .expect(204);
    for path in &paths {
        let list = history(&app, path).await;
        assert_eq!(numbers_in(&json!({"data": list})), [2, 1]);
        assert_eq!(list[0]["author"], Value::Null);
        assert_eq!(list[1]["author"]["id"], app.owner_id.as_str());
    }
}

async fn a_revision_holds_everything_a_writer_sets(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    let guest = app.author("Guest Writer").await;
    let tag = app.tag("News").await;
    for collection in KINDS {
        let body = with(
            content("one"),
            json!({
                "slug": "everything",
                "featured": true,
                "status": "published",
                "published_at": "2024-03-04T05:06:07Z",
                "visibility": "members",
                "authors": [id(&guest), app.owner_id],
                "tags": [id(&tag)],
            }),
        );
        let (item, path) = write(&app, collection, owner, body).await;
        let first = app
            .get(&revision(&path, 1), Some(owner))
            .await
            .expect(200)
            .body;
        let mut expected = with(
            content("one"),
            json!({
                "slug": "everything",
                "featured": true,
                "status": "published",
                "published_at": item["published_at"],
                "visibility": "members",
                "authors": [
                    {"id": id(&guest), "name": "Guest Writer"},
                    {"id": app.owner_id, "name": "Owner"},
                ],
                "tags": [{"id": id(&tag), "name": "News"}],
            }),
        );
        assert_eq!(first["snapshot"], expected, "{collection}");
        // Everything was set, so everything changed when it was written.
        let mut set: Vec<String> = expected.as_object_mut().unwrap().keys().cloned().collect();
        set.sort();
        assert_eq!(first["changed_fields"], json!(set));
        assert_eq!(first["reason"], "created");
    }
}

async fn changes_that_change_nothing_keep_no_revision(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    let tag = app.tag("Same").await;
    for collection in KINDS {
        let (_, path) = write(
            &app,
            collection,
            owner,
            json!({"title": "Same", "markdown": "Same.", "tags": [id(&tag)]}),
        )
        .await;
        for body in [
            json!({}),
            json!({"title": "Same"}),
            json!({"markdown": "Same.", "tags": [id(&tag)]}),
            json!({"custom_excerpt": null, "featured": false, "authors": [app.owner_id]}),
        ] {
            change(&app, &path, owner, body.clone()).await;
            assert_eq!(numbers(&app, &path).await, [1], "{collection}: {body}");
        }
        change(&app, &path, owner, json!({"title": "Different"})).await;
        assert_eq!(numbers(&app, &path).await, [2, 1], "{collection}");
    }
}

async fn refused_changes_keep_no_revision(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    let (_, author) = app.staff("author").await;
    let (_, contributor) = app.staff("contributor").await;
    for collection in KINDS {
        write(&app, collection, owner, json!({"title": "Taken"})).await;
        let (_, live) = write(
            &app,
            collection,
            owner,
            json!({"title": "Kept", "status": "published"}),
        )
        .await;
        let (_, draft) = write(&app, collection, &contributor, json!({"title": "Kept"})).await;
        for (path, token, etag, body, status) in [
            (&live, owner, "\"7\"", json!({"title": "Stale"}), 412),
            (&live, owner, "*", json!({"title": ""}), 422),
            (
                &live,
                owner,
                "*",
                json!({"title": "Changed", "tags": ["no-such-tag"]}),
                422,
            ),
            (
                &live,
                owner,
                "*",
                json!({"title": "Changed", "slug": "taken"}),
                409,
            ),
            (&live, &author, "*", json!({"title": "Not theirs"}), 403),
            (
                &draft,
                &contributor,
                "*",
                json!({"title": "Out", "status": "published"}),
                403,
            ),
            (
                &draft,
                &contributor,
                "*",
                json!({"title": "Coded", "codeinjection_head": "<meta>"}),
                403,
            ),
        ] {
            app.patch(path, Some(token), etag, body.clone())
                .await
                .problem(status);
            assert_eq!(numbers(&app, path).await, [1], "{collection}: {body}");
            assert_eq!(read(&app, path).await["title"], "Kept", "{body}");
        }
    }
}

async fn a_history_is_paged_newest_first(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let (_, path) = write(&app, POSTS, &app.owner_token, json!({"title": "Paged 1"})).await;
    for n in 2..=5 {
        change(
            &app,
            &path,
            &app.owner_token,
            json!({"title": format!("Paged {n}")}),
        )
        .await;
    }
    let list = revisions(&path);
    let page = |query: String| {
        let app = &app;
        let list = &list;
        async move {
            app.get(&format!("{list}?{query}"), owner)
                .await
                .expect(200)
                .body
        }
    };
    let cursor = |page: &Value, which: &str| {
        page["meta"]["pagination"][which]
            .as_str()
            .map(str::to_owned)
    };

    let first = page("limit=2".into()).await;
    assert_eq!(numbers_in(&first), [5, 4]);
    assert_eq!(first["meta"]["pagination"]["total"], Value::Null);
    let next = cursor(&first, "next_cursor").expect("a next page");
    let second = page(format!("limit=2&cursor={next}")).await;
    assert_eq!(numbers_in(&second), [3, 2]);
    let next = cursor(&second, "next_cursor").expect("a last page");
    let last = page(format!("limit=2&cursor={next}")).await;
    assert_eq!(numbers_in(&last), [1]);
    assert_eq!(cursor(&last, "next_cursor"), None);
    let back = cursor(&last, "prev_cursor").expect("a page before");
    assert_eq!(
        numbers_in(&page(format!("limit=2&cursor={back}")).await),
        [3, 2]
    );

    let numbered = page("limit=2&page=2".into()).await;
    assert_eq!(numbers_in(&numbered), [3, 2]);
    assert_eq!(numbered["meta"]["pagination"]["total"], 5);
    assert_eq!(numbered["meta"]["pagination"]["pages"], 3);
    let counted = page("limit=2&count=true".into()).await;
    assert_eq!(numbers_in(&counted), [5, 4]);
    assert_eq!(counted["meta"]["pagination"]["total"], 5);

    // A cursor marks a place in one post's history only.
    let (_, other) = write(&app, POSTS, &app.owner_token, json!({"title": "Other"})).await;
    change(&app, &other, &app.owner_token, json!({"title": "Other 2"})).await;
    let theirs = app
        .get(&format!("{}?limit=1", revisions(&other)), owner)
        .await
        .expect(200)
        .body;
    let theirs = cursor(&theirs, "next_cursor").unwrap();
    for (query, field) in [
        (format!("cursor={theirs}"), "cursor"),
        ("limit=0".to_owned(), "limit"),
        ("page=0".to_owned(), "page"),
        ("sort=title".to_owned(), "sort"),
    ] {
        let problem = app
            .get(&format!("{list}?{query}"), owner)
            .await
            .problem(400);
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
    }
}

async fn who_may_read_a_history(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.clone();
    let (_, admin) = app.staff("admin").await;
    let (_, editor) = app.staff("editor").await;
    let (author_id, author) = app.staff("author").await;
    let (_, other_author) = app.staff("author").await;
    let (_, contributor) = app.staff("contributor").await;
    let (_, other_contributor) = app.staff("contributor").await;
    for collection in KINDS {
        let (_, draft) = write(&app, collection, &author, json!({"title": "Draft"})).await;
        let live = json!({"title": "Live", "status": "published"});
        let (_, live) = write(&app, collection, &author, live).await;
        let shared = json!({"title": "Shared", "authors": [app.owner_id, author_id]});
        let (_, shared) = write(&app, collection, &owner, shared).await;
        let (_, contributed) =
            write(&app, collection, &contributor, json!({"title": "Mine"})).await;
        let items = [&draft, &live, &shared, &contributed];
        // Who reads, and whether they see the history of each item above.
        for (who, token, sees) in [
            ("owner", &owner, [true, true, true, true]),
            ("admin", &admin, [true, true, true, true]),
            ("editor", &editor, [true, true, true, true]),
            ("the author", &author, [true, true, true, false]),
            ("another author", &other_author, [false; 4]),
            ("the contributor", &contributor, [false, false, false, true]),
            ("another contributor", &other_contributor, [false; 4]),
        ] {
            for (item, sees) in items.iter().zip(sees) {
                for path in [revisions(item), revision(item, 1)] {
                    let res = app.get(&path, Some(token)).await;
                    // Never 403: to them the history does not exist, live post or not.
                    let status = if sees { 200 } else { 404 };
                    assert_eq!(res.status, status, "{who} reading {path}: {}", res.text);
                    if !sees {
                        res.problem(404);
                    }
                }
            }
        }
        for item in items {
            app.get(&revisions(item), None).await.problem(401);
            app.get(&revision(item, 1), None).await.problem(401);
        }
    }
}

async fn unknown_revisions_are_not_found(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    let mut items = Vec::new();
    for collection in KINDS {
        let (item, path) = write(&app, collection, owner, json!({"title": "Known"})).await;
        for number in ["2", "0", "-1", "first", "99999999999"] {
            app.get(&format!("{path}/revisions/{number}"), Some(owner))
                .await
                .problem(404);
        }
        app.call(
            "POST",
            &restore(&path, 9),
            Some(owner),
            None,
            &[("if-match", "*")],
        )
        .await
        .problem(404);
        assert_eq!(numbers(&app, &path).await, [1]);
        items.push(item);
    }
    // A post's history is not under /pages, nor a page's under /posts.
    let (post, page) = (&items[0], &items[1]);
    for path in [
        resource(PAGES, id(post)),
        resource(POSTS, id(page)),
        resource(POSTS, "no-such-post"),
    ] {
        app.get(&revisions(&path), Some(owner)).await.problem(404);
        app.get(&revision(&path, 1), Some(owner)).await.problem(404);
    }
}

async fn restoring_brings_the_content_back_and_keeps_the_rest(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    let (first_tag, second_tag) = (app.tag("First").await, app.tag("Second").await);
    let guest = app.author("Guest").await;
    for collection in KINDS {
        let one = with(content("one"), json!({"tags": [id(&first_tag)]}));
        let (_, path) = write(&app, collection, owner, one.clone()).await;
        let two = json!({
            "slug": "moved",
            "status": "published",
            "featured": true,
            "visibility": "paid",
            "tags": [id(&second_tag), id(&first_tag)],
            "authors": [id(&guest), app.owner_id],
        });
        change(&app, &path, owner, with(content("two"), two)).await;
        let before = app.get(&path, Some(owner)).await.expect(200);

        let res = app
            .call(
                "POST",
                &restore(&path, 1),
                Some(owner),
                None,
                &[("if-match", &before.etag())],
            )
            .await
            .expect(200);
        assert_eq!(res.body["warnings"], json!([]));
        let data = &res.body["data"];
        assert_eq!(res.etag_version(), before.etag_version() + 1);
        assert_eq!(data["version"], before.etag_version() + 1);

        let now = read(&app, &path).await;
        for field in CONTENT {
            assert_eq!(now[field], one[field], "{collection}: {field}");
            if field != "markdown" {
                assert_eq!(data[field], one[field], "{collection}: {field}");
            }
        }
        assert!(
            now["html"].as_str().unwrap().contains("<em>one</em>"),
            "{now}"
        );
        assert_eq!(now["excerpt"], one["custom_excerpt"]);
        assert_eq!(ids_of(&now, "tags"), [id(&first_tag)]);
        assert_eq!(ids_of(&now, "authors"), [app.owner_id.as_str()]);
        // Where and whether the post is out, and how, stay as they are now.
        for field in ["slug", "status", "published_at", "visibility", "featured"] {
            assert_eq!(now[field], before.body[field], "{collection}: {field}");
            assert_eq!(data[field], before.body[field], "{collection}: {field}");
        }

        let list = history(&app, &path).await;
        assert_eq!(list[0]["number"], 3);
        assert_eq!(list[0]["reason"], "restored");
        let mut brought_back: Vec<&str> = CONTENT.to_vec();
        brought_back.extend(["authors", "tags"]);
        brought_back.sort();
        assert_eq!(list[0]["changed_fields"], json!(brought_back));
        let snapshot = &app
            .get(&revision(&path, 3), Some(owner))
            .await
            .expect(200)
            .body["snapshot"];
        assert_eq!(snapshot["title"], one["title"]);
        assert_eq!(snapshot["slug"], "moved");
        assert_eq!(snapshot["status"], "published");
    }
}

async fn restoring_needs_the_current_version(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    for collection in KINDS {
        let (_, path) = write(&app, collection, owner, json!({"title": "One"})).await;
        change(&app, &path, owner, json!({"title": "Two"})).await;
        let etag = app.get(&path, Some(owner)).await.expect(200).etag();
        for (if_match, status) in [(None, 428), (Some("\"1\""), 412), (Some("W/\"2\""), 412)] {
            let headers: Vec<(&str, &str)> =
                if_match.map(|v| ("if-match", v)).into_iter().collect();
            app.call("POST", &restore(&path, 1), Some(owner), None, &headers)
                .await
                .problem(status);
            let now = app.get(&path, Some(owner)).await.expect(200);
            assert_eq!(now.etag(), etag, "{collection}: {if_match:?}");
            assert_eq!(now.body["title"], "Two");
            assert_eq!(numbers(&app, &path).await, [2, 1]);
        }
        let res = app
            .call(
                "POST",
                &restore(&path, 1),
                Some(owner),
                None,
                &[("if-match", &etag)],
            )
            .await
            .expect(200);
        assert_eq!(res.body["data"]["title"], "One");
        assert_eq!(numbers(&app, &path).await, [3, 2, 1]);
    }
}

async fn restoring_leaves_out_tags_and_authors_that_are_gone(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    let (gone, kept) = (
        app.author("Gone Writer").await,
        app.author("Kept Writer").await,
    );
    let (alpha, beta, gamma) = (
        app.tag("Alpha").await,
        app.tag("Beta").await,
        app.tag("Gamma").await,
    );
    let mut paths = Vec::new();
    for collection in KINDS {
        let body = json!({
            "title": "Before",
            "authors": [id(&gone), id(&kept), app.owner_id],
            "tags": [id(&alpha), id(&beta), id(&gamma)],
        });
        let (_, path) = write(&app, collection, owner, body).await;
        let after = json!({"title": "After", "authors": [app.owner_id], "tags": [id(&gamma)]});
        change(&app, &path, owner, after).await;
        paths.push(path);
    }
    app.delete(&resource(AUTHORS, id(&gone)), Some(owner))
        .await
        .expect(204);
    app.delete(&resource(TAGS, id(&beta)), Some(owner))
        .await
        .expect(204);
    for path in &paths {
        let body = restored(&app, path, owner, 1).await;
        let data = &body["data"];
        assert_eq!(data["title"], "Before");
        assert_eq!(ids_of(data, "authors"), [id(&kept), app.owner_id.as_str()]);
        assert_eq!(ids_of(data, "tags"), [id(&alpha), id(&gamma)]);
        let warnings = body["warnings"].as_array().expect("warnings");
        let named: Vec<(&str, &str)> = warnings
            .iter()
            .map(|w| (w["field"].as_str().unwrap(), w["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            named,
            [("authors[0]", "not_found"), ("tags[1]", "not_found")],
            "{path}"
        );
        assert!(
            warnings[0]["message"]
                .as_str()
                .unwrap()
                .contains("Gone Writer")
        );
        assert!(warnings[1]["message"].as_str().unwrap().contains("Beta"));
        assert_eq!(
            ids_of(&read(&app, path).await, "tags"),
            [id(&alpha), id(&gamma)]
        );
    }
}

async fn code_injection_comes_back_for_editors_only(backend: Backend) {
    let app = spawn(backend).await;
    let (author_id, author) = app.staff("author").await;
    let (_, editor) = app.staff("editor").await;
    let (one, two) = ("<meta name=\"one\">", "<meta name=\"two\">");
    for collection in KINDS {
        let body = json!({
            "title": "Coded",
            "authors": [author_id],
            "codeinjection_head": one,
            "codeinjection_foot": one,
        });
        let (_, path) = write(&app, collection, &editor, body).await;
        let recoded =
            json!({"title": "Recoded", "codeinjection_head": two, "codeinjection_foot": null});
        change(&app, &path, &editor, recoded).await;

        // The author gets the rest back; the code stays as an editor left it.
        let by_author = restored(&app, &path, &author, 1).await;
        assert_eq!(by_author["data"]["title"], "Coded");
        assert_eq!(by_author["data"]["codeinjection_head"], two);
        assert_eq!(by_author["data"]["codeinjection_foot"], Value::Null);
        let warned: Vec<(&str, &str)> = by_author["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .map(|w| (w["field"].as_str().unwrap(), w["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            warned,
            [
                ("codeinjection_head", "kept"),
                ("codeinjection_foot", "kept")
            ]
        );

        change(&app, &path, &editor, json!({"title": "Again"})).await;
        let by_editor = restored(&app, &path, &editor, 1).await;
        assert_eq!(by_editor["warnings"], json!([]));
        assert_eq!(by_editor["data"]["codeinjection_head"], one);
        assert_eq!(by_editor["data"]["codeinjection_foot"], one);
    }
}

/// Bylines are the editors' to set, as code injection is: an author, who may change their
/// post, may restore it too, and gets its content back with the byline as an editor left it.
async fn an_author_restoring_keeps_the_byline_an_editor_set(backend: Backend) {
    let app = spawn(backend).await;
    let (author_id, author) = app.staff("author").await;
    let (_, editor) = app.staff("editor").await;
    let guest = app.author("Co-writer").await;
    for collection in KINDS {
        let (_, path) = write(&app, collection, &author, json!({"title": "Mine"})).await;
        let ours = json!({"title": "Ours", "authors": [author_id, id(&guest)]});
        change(&app, &path, &editor, ours).await;
        // The author may make this change by hand, field by field.
        change(&app, &path, &author, json!({"title": "Mine again"})).await;

        let res = app
            .call(
                "POST",
                &restore(&path, 1),
                Some(&author),
                None,
                &[("if-match", "*")],
            )
            .await;
        assert_eq!(res.status, 200, "{collection}: {}", res.text);
        let data = &res.body["data"];
        assert_eq!(data["title"], "Mine");
        assert_eq!(ids_of(data, "authors"), [author_id.as_str(), id(&guest)]);
        let warned: Vec<(&str, &str)> = res.body["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .map(|w| (w["field"].as_str().unwrap(), w["code"].as_str().unwrap()))
            .collect();
        assert_eq!(warned, [("authors", "kept")]);
    }
}

/// An item in `collection` written by `token` from `body`, with two revisions: titled
/// "<name> 1", then "<name> 2". Its path.
async fn two_revisions<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    collection: &str,
    token: &str,
    name: &str,
    body: Value,
) -> String {
    let body = with(body, json!({"title": format!("{name} 1")}));
    let (_, path) = write(app, collection, token, body).await;
    change(app, &path, token, json!({"title": format!("{name} 2")})).await;
    path
}

async fn who_may_restore(backend: Backend) {
    let app = spawn(backend).await;
    let (author_id, author) = app.staff("author").await;
    let (_, other_author) = app.staff("author").await;
    let (contributor_id, contributor) = app.staff("contributor").await;
    let (editor_id, editor) = app.staff("editor").await;
    for collection in KINDS {
        let draft = two_revisions(&app, collection, &author, "Draft", json!({})).await;
        let live = json!({"status": "published"});
        let live = two_revisions(&app, collection, &author, "Live", live).await;
        let contributed =
            two_revisions(&app, collection, &contributor, "Contributed", json!({})).await;
        let reviewed = two_revisions(&app, collection, &contributor, "Reviewed", json!({})).await;
        change(&app, &reviewed, &editor, json!({"status": "published"})).await;

        for (path, token, status) in [
            (&live, Some(&other_author), 403),
            (&draft, Some(&other_author), 404),
            (&reviewed, Some(&contributor), 403),
            (&draft, Some(&contributor), 404),
            (&draft, None, 401),
        ] {
            let before = numbers(&app, path).await;
            app.call(
                "POST",
                &restore(path, 1),
                token.map(String::as_str),
                None,
                &[("if-match", "*")],
            )
            .await
            .problem(status);
            assert_eq!(numbers(&app, path).await, before, "{path}");
            assert!(
                read(&app, path).await["title"]
                    .as_str()
                    .unwrap()
                    .ends_with(" 2")
            );
        }

        for (path, (by, token), number, title) in [
            (&draft, (&author_id, &author), 1, "Draft 1"),
            (&live, (&author_id, &author), 1, "Live 1"),
            (
                &contributed,
                (&contributor_id, &contributor),
                1,
                "Contributed 1",
            ),
            (&live, (&editor_id, &editor), 2, "Live 2"),
        ] {
            let body = restored(&app, path, token, number).await;
            assert_eq!(body["data"]["title"], title, "{path}");
            let latest = &history(&app, path).await[0];
            assert_eq!(latest["reason"], "restored");
            assert_eq!(latest["author"]["id"], by.as_str(), "the restorer made it");
        }
    }
}

async fn only_the_latest_revisions_are_kept(backend: Backend) {
    let app = spawn_with(backend, |cfg| cfg.editorial.revisions_per_post = 3).await;
    let owner = app.owner_token.as_str();
    for collection in KINDS {
        let (_, quiet) = write(&app, collection, owner, json!({"title": "Quiet 1"})).await;
        change(&app, &quiet, owner, json!({"title": "Quiet 2"})).await;
        let (_, busy) = write(&app, collection, owner, json!({"title": "Busy 1"})).await;
        for n in 2..=5 {
            change(&app, &busy, owner, json!({"title": format!("Busy {n}")})).await;
        }
        assert_eq!(numbers(&app, &busy).await, [5, 4, 3]);
        let counted = app
            .get(&format!("{}?count=true", revisions(&busy)), Some(owner))
            .await
            .expect(200)
            .body;
        assert_eq!(counted["meta"]["pagination"]["total"], 3);
        assert_eq!(
            numbers(&app, &quiet).await,
            [2, 1],
            "another post's history"
        );

        for pruned in [1, 2] {
            app.get(&revision(&busy, pruned), Some(owner))
                .await
                .problem(404);
            app.call(
                "POST",
                &restore(&busy, pruned),
                Some(owner),
                None,
                &[("if-match", "*")],
            )
            .await
            .problem(404);
        }
        let oldest = app.get(&revision(&busy, 3), Some(owner)).await.expect(200);
        assert_eq!(oldest.body["snapshot"]["title"], "Busy 3");

        // Numbers keep counting up; pruning one post leaves the other's history alone.
        change(&app, &busy, owner, json!({"title": "Busy 6"})).await;
        assert_eq!(numbers(&app, &busy).await, [6, 5, 4]);
        for n in 3..=4 {
            change(&app, &quiet, owner, json!({"title": format!("Quiet {n}")})).await;
        }
        assert_eq!(numbers(&app, &quiet).await, [4, 3, 2]);
        assert_eq!(numbers(&app, &busy).await, [6, 5, 4]);
        let busy_id = busy.rsplit('/').next().unwrap();
        assert_eq!(stored_revisions(&app, busy_id).await, 3);
    }
}

async fn deleting_a_post_deletes_its_history(backend: Backend) {
    let app = spawn(backend).await;
    let owner = app.owner_token.as_str();
    for collection in KINDS {
        let (item, path) = write(&app, collection, owner, json!({"title": "Doomed"})).await;
        change(&app, &path, owner, json!({"title": "Doomed 2"})).await;
        let (survivor, other) = write(&app, collection, owner, json!({"title": "Survivor"})).await;
        assert_eq!(stored_revisions(&app, id(&item)).await, 2);

        app.delete(&path, Some(owner)).await.expect(204);
        app.get(&revisions(&path), Some(owner)).await.problem(404);
        app.get(&revision(&path, 1), Some(owner)).await.problem(404);
        app.call(
            "POST",
            &restore(&path, 1),
            Some(owner),
            None,
            &[("if-match", "*")],
        )
        .await
        .problem(404);
        assert_eq!(stored_revisions(&app, id(&item)).await, 0, "{collection}");
        assert_eq!(stored_revisions(&app, id(&survivor)).await, 1);
        assert_eq!(numbers(&app, &other).await, [1]);
    }
}

async fn racing_changes_keep_one_revision_each(backend: Backend) {
    const RACERS: i64 = 12;
    // A connection for every racer, so that on PostgreSQL they run side by side.
    let app = spawn_with(backend, |cfg| cfg.db_pool_size = RACERS as u32).await;
    let owner = app.owner_token.as_str();
    for collection in KINDS {
        let (_, path) = write(&app, collection, owner, json!({"title": "Raced 0"})).await;
        let changes = (1..=RACERS).map(|i| {
            app.patch(
                &path,
                Some(owner),
                "*",
                json!({"title": format!("Raced {i}")}),
            )
        });
        for res in join_all(changes).await {
            res.expect(200);
        }
        // Numbers were given out one at a time: none twice, none skipped.
        let expected: Vec<i64> = (1..=RACERS + 1).rev().collect();
        assert_eq!(numbers(&app, &path).await, expected, "{collection}");
        let latest = &history(&app, &path).await[0];
        let now = read(&app, &path).await;
        let snapshot = &app
            .get(&revision(&path, RACERS + 1), Some(owner))
            .await
            .expect(200)
            .body["snapshot"];
        assert_eq!(
            snapshot["title"], now["title"],
            "the latest is what the post holds"
        );
        assert_eq!(latest["reason"], "edited");
    }
}
