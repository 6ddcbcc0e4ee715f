use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{AUTHORS, POSTS, by_slug, resource};
use crate::support::{Backend, Served, TestApp, id, slugs, spawn};

on_both_backends!(
    posts_crud,
    derived_fields_follow_the_markdown,
    authors_and_tags_keep_their_order,
    unknown_duplicate_and_missing_links_are_refused,
    post_slugs,
    markdown_is_sanitised,
    visibility_of_drafts_scheduled_and_published_posts,
    writers_see_live_posts_and_their_own,
    a_scheduled_post_stays_in_the_future,
    a_scheduled_post_goes_live_on_time,
    publishing_rules,
    publishing_a_draft_sets_its_time,
    a_clock_a_little_ahead_publishes_but_not_early,
    no_lost_edits,
    editorial_roles_read_and_change_every_post,
    authors_write_their_own_posts,
    authors_leave_others_posts_alone,
    contributors_write_drafts_only,
    anonymous_readers_cannot_write,
    failed_writes_change_nothing,
    pagination,
    list_rejects_bad_parameters,
    deleting_the_last_author_of_a_post_is_refused,
    old_slugs_redirect_to_the_current_one,
    bodies_are_stored_packed_and_read_back_whole,
);

async fn posts_crud(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());

    let created = app
        .post(
            POSTS,
            owner,
            json!({"title": "Hello, Folio World", "markdown": "# Heading\n\nSome *text* here."}),
        )
        .await
        .expect(201);
    let post = created.body.clone();
    let path = post_path(&post);
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(created.etag_version(), 1);
    assert_eq!(post["version"], 1);
    assert_eq!(post["slug"], "hello-folio-world");
    assert_eq!(post["title"], "Hello, Folio World");
    // Writes answer like reads: HTML by default, the other formats on request.
    assert_eq!(post["markdown"], Value::Null);
    let all = app
        .get(&format!("{path}?formats=html,markdown,plaintext"), owner)
        .await
        .expect(200)
        .body;
    assert_eq!(all["markdown"], "# Heading\n\nSome *text* here.");
    assert_eq!(all["plaintext"], "Heading\nSome text here.");
    let html = post["html"].as_str().unwrap();
    assert!(html.contains("<h1>Heading</h1>"), "{html}");
    assert!(html.contains("<em>text</em>"), "{html}");
    assert_eq!(post["excerpt"], "Heading Some text here.");
    assert_eq!(post["custom_excerpt"], Value::Null);
    assert_eq!(post["reading_time"], 1);
    assert_eq!(post["featured"], false);
    assert_eq!(post["status"], "draft");
    assert_eq!(post["published_at"], Value::Null);
    assert_eq!(post["tags"], json!([]));
    let me = app
        .get(&resource(AUTHORS, &app.owner_id), owner)
        .await
        .expect(200)
        .body;
    assert_eq!(
        post["authors"],
        json!([byline(&me)]),
        "the caller is the author"
    );
    assert_eq!(post["created_at"], post["updated_at"]);

    let read = app.get(&path, owner).await.expect(200);
    assert_eq!(read.etag_version(), 1);
    assert_eq!(read.body, post, "a read returns what the create returned");
    let by_slug = app
        .get(&format!("{POSTS}/slug/hello-folio-world"), owner)
        .await
        .expect(200);
    assert_eq!(by_slug.etag_version(), 1);
    assert_eq!(by_slug.body, post);

    let changed = app
        .patch(&path, owner, &read.etag(), json!({"title": "Hello again"}))
        .await
        .expect(200);
    assert_eq!(changed.etag_version(), 2);
    assert_eq!(changed.body["version"], 2);
    assert_eq!(changed.body["title"], "Hello again");
    assert_eq!(
        changed.body["slug"], "hello-folio-world",
        "the slug does not follow the title"
    );
    assert_eq!(changed.body["created_at"], post["created_at"]);
    assert!(time(&changed.body["updated_at"]) >= time(&post["updated_at"]));
    let reread = app.get(&path, owner).await.expect(200);
    assert_eq!(reread.etag_version(), 2);
    assert_eq!(reread.body, changed.body);

    let list = app
        .get(&format!("{POSTS}?count=true"), owner)
        .await
        .expect(200);
    assert_eq!(list.body["meta"]["pagination"]["total"], 1);
    assert_eq!(list.body["data"], json!([changed.body]));

    app.delete(&path, owner).await.expect(204);
    app.get(&path, owner).await.problem(404);
    app.get(&format!("{POSTS}/slug/hello-folio-world"), owner)
        .await
        .problem(404);
    app.delete(&path, owner).await.problem(404);
    app.patch(&path, owner, "\"2\"", json!({"title": "Ghost"}))
        .await
        .problem(404);
    assert_eq!(list_total(&app, owner).await, 0);
}

async fn derived_fields_follow_the_markdown(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let post = app
        .post_as(
            None,
            json!({"title": "Excerpts", "markdown": "First words.", "custom_excerpt": "Hand-written"}),
        )
        .await;
    assert_eq!(post["excerpt"], "Hand-written");
    assert_eq!(post["custom_excerpt"], "Hand-written");
    let path = post_path(&post);

    // 600 words: three minutes at 265 words a minute.
    let long = "word ".repeat(600);
    let changed = app
        .patch(&path, owner, "\"1\"", json!({"markdown": long}))
        .await
        .expect(200)
        .body;
    assert_eq!(changed["reading_time"], 3);
    assert_eq!(changed["excerpt"], "Hand-written", "a custom excerpt stays");
    assert!(
        changed["html"]
            .as_str()
            .unwrap()
            .starts_with("<p>word word")
    );
    assert!(!changed["html"].as_str().unwrap().contains("First words"));

    let cleared = app
        .patch(&path, owner, "\"2\"", json!({"custom_excerpt": null}))
        .await
        .expect(200)
        .body;
    assert_eq!(cleared["custom_excerpt"], Value::Null);
    let excerpt = cleared["excerpt"].as_str().unwrap();
    assert!(excerpt.starts_with("word word "), "{excerpt}");
    assert!(excerpt.ends_with('…'), "a long text is cut: {excerpt}");
    assert!(excerpt.chars().count() <= 301, "{excerpt}");
}

async fn authors_and_tags_keep_their_order(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let a = app.author("Ada").await;
    let b = app.author("Babbage").await;
    let t1 = app.tag("One").await;
    let t2 = app.tag("Two").await;
    let t3 = app.tag("Three").await;

    let post = app
        .post_as(
            None,
            json!({
                "title": "Ordered",
                "status": "published",
                "authors": [id(&b), id(&a)],
                "tags": [id(&t2), id(&t1), id(&t3)],
            }),
        )
        .await;
    // A second post with other links, so that a list has to keep them apart.
    let other = app
        .post_as(
            None,
            json!({"title": "Other", "status": "published", "authors": [id(&a)], "tags": [id(&t3)]}),
        )
        .await;
    let path = post_path(&post);
    let authors = json!([byline(&b), byline(&a)]);
    let tags = json!([tag_ref(&t2), tag_ref(&t1), tag_ref(&t3)]);
    assert_eq!(post["authors"], authors);
    assert_eq!(post["tags"], tags);

    let read = app.get(&path, None).await.expect(200).body;
    assert_eq!(read["authors"], authors);
    assert_eq!(read["tags"], tags);
    let by_slug = app
        .get(&format!("{POSTS}/slug/ordered"), None)
        .await
        .expect(200)
        .body;
    assert_eq!(by_slug["authors"], authors);
    assert_eq!(by_slug["tags"], tags);
    for token in [None, owner] {
        let list = app.get(POSTS, token).await.expect(200).body;
        let listed = find_in(&list, id(&post));
        assert_eq!(listed["authors"], authors);
        assert_eq!(listed["tags"], tags);
        let listed_other = find_in(&list, id(&other));
        assert_eq!(listed_other["authors"], json!([byline(&a)]));
        assert_eq!(listed_other["tags"], json!([tag_ref(&t3)]));
    }

    // PATCH replaces and reorders.
    let me = app.get(&resource(AUTHORS, &app.owner_id), owner).await.body;
    let changed = app
        .patch(
            &path,
            owner,
            "\"1\"",
            json!({"authors": [id(&a), app.owner_id], "tags": [id(&t3), id(&t1)]}),
        )
        .await
        .expect(200)
        .body;
    let authors = json!([byline(&a), byline(&me)]);
    let tags = json!([tag_ref(&t3), tag_ref(&t1)]);
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["authors"], authors);
    assert_eq!(changed["tags"], tags);
    let read = app.get(&path, None).await.expect(200).body;
    assert_eq!(read["authors"], authors);
    assert_eq!(read["tags"], tags);
    let list = app.get(POSTS, None).await.body;
    assert_eq!(find_in(&list, id(&post))["authors"], authors);
    assert_eq!(find_in(&list, id(&post))["tags"], tags);

    // Leaving a relation out keeps it; an empty list of tags clears them.
    let untouched = app
        .patch(&path, owner, "\"2\"", json!({"title": "Retitled"}))
        .await
        .expect(200)
        .body;
    assert_eq!(untouched["authors"], authors);
    assert_eq!(untouched["tags"], tags);
    let cleared = app
        .patch(&path, owner, "\"3\"", json!({"tags": []}))
        .await
        .expect(200)
        .body;
    assert_eq!(cleared["tags"], json!([]));
    assert_eq!(cleared["authors"], authors);
    assert_eq!(
        app.get(&path, None).await.body["tags"],
        json!([]),
        "the old tag links are gone"
    );
}

async fn unknown_duplicate_and_missing_links_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let a = app.author("Ada").await;
    let t = app.tag("Tag").await;
    let missing = "0192f0c4-6a6e-7d31-a9f5-3c3a4a0d9e11";

    for (body, field, code) in [
        (
            json!({"title": "X", "authors": [id(&a), missing]}),
            "authors[1]",
            "not_found",
        ),
        (
            json!({"title": "X", "tags": [id(&t), id(&t), missing]}),
            "tags[1]",
            "duplicate",
        ),
        (
            json!({"title": "X", "tags": [id(&t), "nope", missing]}),
            "tags[1]",
            "not_found",
        ),
        (
            json!({"title": "X", "authors": [id(&a), id(&a)]}),
            "authors[1]",
            "duplicate",
        ),
        (json!({"title": "X", "authors": []}), "authors", "required"),
    ] {
        let problem = app.post(POSTS, owner, body.clone()).await.problem(422);
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}");
    }
    // Every unknown id is named, not just the first.
    let problem = app
        .post(
            POSTS,
            owner,
            json!({"title": "X", "authors": [missing], "tags": [id(&t), missing]}),
        )
        .await
        .problem(422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["authors[0]", "tags[1]"]);
    assert_eq!(list_total(&app, owner).await, 0, "nothing was created");

    // The same on PATCH, which then changes nothing.
    let post = app
        .post_as(
            None,
            json!({"title": "Linked", "authors": [id(&a)], "tags": [id(&t)]}),
        )
        .await;
    let path = post_path(&post);
    for (body, field) in [
        (json!({"authors": [id(&a), missing]}), "authors[1]"),
        (json!({"tags": [missing]}), "tags[0]"),
        (json!({"tags": [id(&t), id(&t)]}), "tags[1]"),
        (json!({"authors": []}), "authors"),
    ] {
        let problem = app
            .patch(&path, owner, "\"1\"", body.clone())
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
        assert_eq!(app.get(&path, owner).await.body, post, "{body}");
    }
    assert_eq!(list_total(&app, owner).await, 1);
}

async fn post_slugs(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    for expected in ["same-title", "same-title-2", "same-title-3"] {
        let post = app.post_as(None, json!({"title": "Same Title"})).await;
        assert_eq!(post["slug"], expected);
    }
    let unicode = app.post_as(None, json!({"title": "Ça va, Wörld?"})).await;
    assert_eq!(unicode["slug"], "ca-va-world");

    let taken = app
        .post(
            POSTS,
            owner,
            json!({"title": "Another", "slug": "same-title-2"}),
        )
        .await
        .problem(409);
    assert!(
        taken["detail"].as_str().unwrap().contains("same-title-2"),
        "{taken}"
    );
    let invalid = app
        .post(
            POSTS,
            owner,
            json!({"title": "Another", "slug": "Not A Slug"}),
        )
        .await
        .problem(422);
    assert_eq!(invalid["errors"][0]["field"], "slug");
    assert_eq!(list_total(&app, owner).await, 4, "nothing was created");

    let explicit = app
        .post_as(None, json!({"title": "Another", "slug": "my-own-slug"}))
        .await;
    assert_eq!(explicit["slug"], "my-own-slug");
    let path = post_path(&explicit);

    // Moving onto a taken slug is refused and changes nothing.
    app.patch(
        &path,
        owner,
        "\"1\"",
        json!({"slug": "same-title", "title": "Renamed"}),
    )
    .await
    .problem(409);
    let unchanged = app.get(&path, owner).await.expect(200);
    assert_eq!(unchanged.body, explicit);
    assert_eq!(unchanged.etag_version(), 1);
    app.get(&format!("{POSTS}/slug/same-title"), owner)
        .await
        .expect(200);

    // Its own slug is not "taken"; a free one moves the post.
    let same = app
        .patch(&path, owner, "\"1\"", json!({"slug": "my-own-slug"}))
        .await
        .expect(200);
    assert_eq!(same.body["slug"], "my-own-slug");
    let moved = app
        .patch(&path, owner, &same.etag(), json!({"slug": "moved"}))
        .await
        .expect(200);
    assert_eq!(moved.body["slug"], "moved");
    // The old slug now leads to the new one.
    let old = app.get(&format!("{POSTS}/slug/my-own-slug"), owner).await;
    assert_eq!(old.status, 301);
    assert_eq!(
        old.header("location"),
        Some(format!("{POSTS}/slug/moved").as_str())
    );
    assert_eq!(
        app.get(&format!("{POSTS}/slug/moved"), owner).await.body["id"],
        explicit["id"]
    );
}

async fn markdown_is_sanitised(backend: Backend) {
    let app = spawn(backend).await;
    let markdown = "# Safe heading\n\n\
                    <script>alert('xss')</script>\n\n\
                    <img src=\"https://example.com/a.png\" onerror=\"alert(1)\">\n\n\
                    Click [me](javascript:alert(1)) or <a href=\"JavaScript:alert(2)\">this</a> now.\n\n\
                    <iframe src=\"https://evil.example.com/\"></iframe>\n\n\
                    Some **bold** text.";
    let post = app
        .post_as(
            None,
            json!({"title": "Hostile", "markdown": markdown, "status": "published"}),
        )
        .await;
    for body in [
        app.get(
            &format!("{}?formats=html,markdown,plaintext", post_path(&post)),
            None,
        )
        .await
        .expect(200)
        .body,
        app.get(
            &format!("{POSTS}?formats=html,plaintext,markdown&limit=1"),
            None,
        )
        .await
        .expect(200)
        .body["data"][0]
            .clone(),
    ] {
        let html = body["html"].as_str().unwrap();
        let lower = html.to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "javascript:",
            "<iframe",
            "alert('xss')",
        ] {
            assert!(!lower.contains(bad), "`{bad}` survived: {html}");
        }
        // What is safe is kept.
        assert!(html.contains("<h1>Safe heading</h1>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(
            html.contains("<img src=\"https://example.com/a.png\""),
            "{html}"
        );

        let plaintext = body["plaintext"].as_str().unwrap();
        for markup in ["<", ">", "**", "#", "alert", "javascript"] {
            assert!(!plaintext.contains(markup), "`{markup}` in: {plaintext}");
        }
        assert_eq!(
            plaintext,
            "Safe heading\nClick me or this now.\nSome bold text."
        );
        assert_eq!(body["markdown"], markdown, "the source is kept as written");
    }

    // Links outside the Markdown must be web addresses.
    let owner = Some(app.owner_token.as_str());
    for field in ["feature_image", "canonical_url"] {
        for url in [
            "javascript:alert(1)",
            "data:text/html,<script>",
            "/relative",
        ] {
            let problem = app
                .post(POSTS, owner, json!({"title": "Links", field: url}))
                .await
                .problem(422);
            assert_eq!(problem["errors"][0]["field"], field, "{url}");
        }
    }
    let patched = app
        .patch(
            &post_path(&post),
            owner,
            "\"1\"",
            json!({"feature_image": "javascript:alert(1)"}),
        )
        .await
        .problem(422);
    assert_eq!(patched["errors"][0]["field"], "feature_image");
    assert_eq!(list_total(&app, owner).await, 1);
}

/// A draft, a scheduled post, a published one and a backdated one, by the owner.
struct Statuses {
    draft: Value,
    scheduled: Value,
    published: Value,
    backdated: Value,
}

async fn one_of_each_status<S: Served<B>, B: MessageBody>(app: &TestApp<S>) -> Statuses {
    let draft = app.post_as(None, json!({"title": "Draft"})).await;
    let scheduled = app
        .post_as(
            None,
            json!({"title": "Scheduled", "status": "scheduled", "published_at": at(TimeDelta::days(1))}),
        )
        .await;
    let published = app
        .post_as(None, json!({"title": "Published", "status": "published"}))
        .await;
    let backdated = app
        .post_as(
            None,
            json!({"title": "Backdated", "status": "published", "published_at": "2020-01-02T03:04:05Z"}),
        )
        .await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(scheduled["status"], "scheduled");
    assert_eq!(published["status"], "published");
    assert_eq!(backdated["status"], "published");
    Statuses {
        draft,
        scheduled,
        published,
        backdated,
    }
}

async fn visibility_of_drafts_scheduled_and_published_posts(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let posts = one_of_each_status(&app).await;

    // Anonymous readers see exactly the published posts, newest first.
    let public = app
        .get(&format!("{POSTS}?count=true"), None)
        .await
        .expect(200)
        .body;
    assert_eq!(slugs(&public), ["published", "backdated"]);
    assert_eq!(public["meta"]["pagination"]["total"], 2);
    for hidden in [&posts.draft, &posts.scheduled] {
        let by_id = app.get(&post_path(hidden), None).await.problem(404);
        let by_slug = app
            .get(
                &format!("{POSTS}/slug/{}", hidden["slug"].as_str().unwrap()),
                None,
            )
            .await
            .problem(404);
        let nothing = app
            .get(
                &format!("{POSTS}/0192f0c4-6a6e-7d31-a9f5-3c3a4a0d9e11"),
                None,
            )
            .await
            .problem(404);
        assert_eq!(
            by_id["type"], nothing["type"],
            "a hidden post looks missing"
        );
        assert_eq!(by_slug["type"], nothing["type"]);
    }
    for shown in [&posts.published, &posts.backdated] {
        app.get(&post_path(shown), None).await.expect(200);
        app.get(
            &format!("{POSTS}/slug/{}", shown["slug"].as_str().unwrap()),
            None,
        )
        .await
        .expect(200);
    }

    // The owner sees everything: drafts (no date) first, then newest first.
    let all = app
        .get(&format!("{POSTS}?count=true"), owner)
        .await
        .expect(200)
        .body;
    assert_eq!(
        slugs(&all),
        ["draft", "scheduled", "published", "backdated"]
    );
    assert_eq!(all["meta"]["pagination"]["total"], 4);
    app.get(&post_path(&posts.draft), owner).await.expect(200);
    app.get(&post_path(&posts.scheduled), owner)
        .await
        .expect(200);
}

/// Authors and contributors see live posts and their own, not other people's drafts.
async fn writers_see_live_posts_and_their_own(backend: Backend) {
    let app = spawn(backend).await;
    let posts = one_of_each_status(&app).await;
    for role in ["author", "contributor"] {
        let (_, token) = app.staff(role).await;
        let theirs = app
            .post_as(Some(&token), json!({"title": format!("Own {role} draft")}))
            .await;
        let seen = app
            .get(&format!("{POSTS}?count=true"), Some(&token))
            .await
            .expect(200)
            .body;
        assert_eq!(
            slugs(&seen),
            [theirs["slug"].as_str().unwrap(), "published", "backdated"],
            "{role}"
        );
        assert_eq!(seen["meta"]["pagination"]["total"], 3, "{role}");
        app.get(&post_path(&posts.draft), Some(&token))
            .await
            .problem(404);
        app.get(&post_path(&posts.scheduled), Some(&token))
            .await
            .problem(404);
        app.get(&post_path(&theirs), None).await.problem(404);
    }
}

/// A scheduled post cannot be moved into the past while it stays scheduled.
async fn a_scheduled_post_stays_in_the_future(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let Statuses { scheduled, .. } = one_of_each_status(&app).await;
    let path = post_path(&scheduled);
    for body in [
        json!({"published_at": "2020-01-01T00:00:00Z"}),
        json!({"status": "scheduled", "published_at": "2020-01-01T00:00:00Z"}),
    ] {
        let problem = app.patch(&path, owner, "\"1\"", body).await.problem(422);
        assert_eq!(problem["errors"][0]["field"], "published_at");
    }
    assert_eq!(app.get(&path, owner).await.body, scheduled);
    app.get(&path, None).await.problem(404);
}

async fn a_scheduled_post_goes_live_on_time(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let when = at(TimeDelta::seconds(4));
    let post = app
        .post_as(
            None,
            json!({"title": "Soon", "status": "scheduled", "published_at": when}),
        )
        .await;
    let when = time(&json!(when));
    assert_eq!(post["status"], "scheduled");
    assert_eq!(time(&post["published_at"]), when);
    let path = post_path(&post);
    app.get(&path, None).await.problem(404);
    assert!(slugs(&app.get(POSTS, None).await.body).is_empty());

    let wait = when - Utc::now() + TimeDelta::milliseconds(300);
    actix_web::rt::time::sleep(wait.to_std().unwrap_or(Duration::ZERO)).await;

    // No job runs: the time passing is enough.
    let live = app.get(&path, None).await.expect(200).body;
    assert_eq!(live["status"], "published");
    assert_eq!(live["version"], 1);
    assert_eq!(slugs(&app.get(POSTS, None).await.body), ["soon"]);
    assert_eq!(
        app.get(&path, owner).await.body["status"],
        "published",
        "staff see it as published too"
    );
}

async fn publishing_rules(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());

    let before = Utc::now();
    let now_published = app
        .post_as(None, json!({"title": "Now", "status": "published"}))
        .await;
    let after = Utc::now();
    let at_time = time(&now_published["published_at"]);
    assert!(
        at_time >= before - TimeDelta::seconds(1) && at_time <= after + TimeDelta::seconds(1),
        "published_at {at_time} is not now ({before}..{after})"
    );

    let backdated = app
        .post_as(
            None,
            json!({"title": "Old", "status": "published", "published_at": "2020-01-02T04:04:05+01:00"}),
        )
        .await;
    assert_eq!(
        time(&backdated["published_at"]),
        time(&json!("2020-01-02T03:04:05Z")),
        "an explicit time is kept, in UTC"
    );

    let future = at(TimeDelta::days(2));
    let scheduled = app
        .post_as(
            None,
            json!({"title": "Later", "status": "scheduled", "published_at": future}),
        )
        .await;
    assert_eq!(scheduled["status"], "scheduled");
    assert_eq!(time(&scheduled["published_at"]), time(&json!(future)));

    for (body, code) in [
        (
            json!({"title": "X", "status": "published", "published_at": at(TimeDelta::hours(1))}),
            "in_future",
        ),
        (json!({"title": "X", "status": "scheduled"}), "required"),
        (
            json!({"title": "X", "status": "scheduled", "published_at": "2020-01-01T00:00:00Z"}),
            "not_in_future",
        ),
        (
            json!({"title": "X", "status": "scheduled", "published_at": at(-TimeDelta::seconds(5))}),
            "not_in_future",
        ),
    ] {
        let problem = app.post(POSTS, owner, body.clone()).await.problem(422);
        assert_eq!(problem["errors"][0]["field"], "published_at", "{body}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}");
    }
    let bad_status = app
        .post(POSTS, owner, json!({"title": "X", "status": "live"}))
        .await
        .problem(422);
    assert_eq!(bad_status["errors"][0]["field"], "status");
    let unknown = app
        .post(POSTS, owner, json!({"title": "X", "colour": "red"}))
        .await
        .problem(422);
    assert!(
        unknown["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("colour")
    );
    assert_eq!(list_total(&app, owner).await, 3, "nothing else was created");
}

/// Publishing a draft by PATCH sets the time too, and a published post cannot be moved into
/// the future.
async fn publishing_a_draft_sets_its_time(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let draft = app.post_as(None, json!({"title": "Draft"})).await;
    let path = post_path(&draft);
    let before = Utc::now();
    let published = app
        .patch(&path, owner, "\"1\"", json!({"status": "published"}))
        .await
        .expect(200)
        .body;
    assert_eq!(published["status"], "published");
    let at_time = time(&published["published_at"]);
    assert!(
        at_time >= before - TimeDelta::seconds(1) && at_time <= Utc::now() + TimeDelta::seconds(1),
        "{at_time}"
    );
    app.get(&path, None).await.expect(200);
    // ...and a published post cannot be moved into the future.
    let problem = app
        .patch(
            &path,
            owner,
            "\"2\"",
            json!({"published_at": at(TimeDelta::hours(3))}),
        )
        .await
        .problem(422);
    assert_eq!(problem["errors"][0]["field"], "published_at");
}

/// Published "now" by a clock a little ahead is accepted, but nobody reads it early.
async fn a_clock_a_little_ahead_publishes_but_not_early(backend: Backend) {
    let app = spawn(backend).await;
    let ahead = app
        .post_as(
            None,
            json!({"title": "Ahead", "status": "published", "published_at": at(TimeDelta::seconds(40))}),
        )
        .await;
    app.get(&post_path(&ahead), None).await.problem(404);
    assert!(!slugs(&app.get(POSTS, None).await.body).contains(&"ahead".to_owned()));
}

async fn no_lost_edits(backend: Backend) {
    let app = spawn(backend).await;
    let (_, first) = app.staff("editor").await;
    let (_, second) = app.staff("editor").await;
    let post = app
        .post_as(None, json!({"title": "Shared", "markdown": "Original"}))
        .await;
    let path = post_path(&post);

    let read_first = app.get(&path, Some(&first)).await.expect(200);
    let read_second = app.get(&path, Some(&second)).await.expect(200);
    assert_eq!(read_first.etag_version(), 1);
    assert_eq!(read_second.etag_version(), 1);

    let saved = app
        .patch(
            &path,
            Some(&first),
            &read_first.etag(),
            json!({"title": "First's title"}),
        )
        .await
        .expect(200);
    assert_eq!(saved.etag_version(), 2);
    let stale = app
        .patch(
            &path,
            Some(&second),
            &read_second.etag(),
            json!({"title": "Second's title", "markdown": "Overwritten"}),
        )
        .await
        .problem(412);
    assert!(stale["detail"].as_str().is_some());
    let now = app.get(&path, Some(&second)).await.expect(200);
    assert_eq!(now.etag_version(), 2);
    assert_eq!(now.body["title"], "First's title");
    assert_eq!(now.body, saved.body);
    let source = app
        .get(&format!("{path}?formats=markdown"), Some(&second))
        .await
        .expect(200);
    assert_eq!(source.body["markdown"], "Original");

    // Neither If-Match nor version: 428, and nothing changes.
    app.call(
        "PATCH",
        &path,
        Some(&second),
        Some(json!({"title": "Blind"})),
        &[],
    )
    .await
    .problem(428);
    // The version in the body does the same job as If-Match.
    let by_body = app
        .call(
            "PATCH",
            &path,
            Some(&second),
            Some(json!({"version": 2, "featured": true})),
            &[],
        )
        .await
        .expect(200);
    assert_eq!(by_body.body["version"], 3);
    assert_eq!(by_body.body["featured"], true);
    assert_eq!(by_body.body["title"], "First's title");
    app.call(
        "PATCH",
        &path,
        Some(&first),
        Some(json!({"version": 2, "title": "Stale body version"})),
        &[],
    )
    .await
    .problem(412);
    // Weak tags never match; a header and a body that disagree never match.
    app.patch(&path, Some(&first), "W/\"3\"", json!({"title": "Weak"}))
        .await
        .problem(412);
    app.patch(
        &path,
        Some(&first),
        "\"3\"",
        json!({"version": 2, "title": "Disagree"}),
    )
    .await
    .problem(412);
    let last = app.get(&path, Some(&first)).await.expect(200);
    assert_eq!(last.etag_version(), 3);
    assert_eq!(last.body, by_body.body);
}

async fn editorial_roles_read_and_change_every_post(backend: Backend) {
    let app = spawn(backend).await;
    let (contributor_id, contributor) = app.staff("contributor").await;
    let draft = app
        .post_as(Some(&contributor), json!({"title": "Contributed"}))
        .await;
    assert_eq!(draft["authors"][0]["id"], contributor_id.as_str());
    let path = post_path(&draft);

    let mut tokens = vec![("owner", app.owner_token.clone())];
    for role in ["admin", "editor"] {
        tokens.push((role, app.staff(role).await.1));
    }
    for (role, token) in &tokens {
        let token = Some(token.as_str());
        let read = app.get(&path, token).await.expect(200);
        let list = app.get(POSTS, token).await.expect(200).body;
        assert!(slugs(&list).contains(&"contributed".to_owned()), "{role}");
        let changed = app
            .patch(
                &path,
                token,
                &read.etag(),
                json!({"title": format!("Edited by {role}")}),
            )
            .await
            .expect(200);
        assert_eq!(changed.body["title"], format!("Edited by {role}"));
        // They may write posts for other people, too.
        let for_other = app
            .post(
                POSTS,
                token,
                json!({"title": format!("For the contributor by {role}"), "authors": [contributor_id]}),
            )
            .await
            .expect(201);
        assert_eq!(
            for_other.body["authors"][0]["id"],
            contributor_id.as_str(),
            "{role}"
        );
    }
    // An editor publishes the contributor's draft; an admin deletes a post they did not write.
    let editor = Some(tokens[2].1.as_str());
    let etag = app.get(&path, editor).await.etag();
    let published = app
        .patch(&path, editor, &etag, json!({"status": "published"}))
        .await
        .expect(200);
    assert_eq!(published.body["status"], "published");
    app.get(&path, None).await.expect(200);
    app.delete(&path, Some(&tokens[1].1)).await.expect(204);
    app.get(&path, Some(&app.owner_token)).await.problem(404);
}

async fn authors_write_their_own_posts(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let (me_id, me) = app.staff("author").await;
    let (other_id, other) = app.staff("author").await;
    let mine = Some(me.as_str());

    // Under their own name only: not for someone else, nor with them (an editor sets
    // bylines; see security.rs).
    for authors in [json!([other_id]), json!([other_id, me_id])] {
        app.post(
            POSTS,
            mine,
            json!({"title": "Ghostwritten", "authors": authors}),
        )
        .await
        .problem(403);
    }
    assert_eq!(list_total(&app, owner).await, 0);
    let together = app
        .post_as(
            owner,
            json!({"title": "Together", "authors": [other_id, me_id]}),
        )
        .await;
    assert_eq!(author_ids(&together), [other_id.as_str(), me_id.as_str()]);

    // Authors publish their own posts, directly or later.
    let published = app
        .post_as(mine, json!({"title": "Mine live", "status": "published"}))
        .await;
    assert_eq!(published["status"], "published");
    let own_draft = app.post_as(mine, json!({"title": "Mine draft"})).await;
    let scheduled = app
        .patch(
            &post_path(&own_draft),
            mine,
            "\"1\"",
            json!({"status": "scheduled", "published_at": at(TimeDelta::days(1))}),
        )
        .await
        .expect(200);
    assert_eq!(scheduled.body["status"], "scheduled");
    let own_draft = app.post_as(mine, json!({"title": "Mine draft 2"})).await;
    app.get(&post_path(&own_draft), mine).await.expect(200);
    app.get(&format!("{POSTS}/slug/mine-draft-2"), mine)
        .await
        .expect(200);
    // An author may not change the byline of their own post.
    app.patch(
        &post_path(&own_draft),
        mine,
        "\"1\"",
        json!({"authors": [other_id]}),
    )
    .await
    .problem(403);

    // A co-author may change the shared post.
    app.patch(
        &post_path(&together),
        Some(&other),
        "\"1\"",
        json!({"featured": true}),
    )
    .await
    .expect(200);

    // And delete their own.
    app.delete(&post_path(&published), mine).await.expect(204);
    app.get(&post_path(&published), owner).await.problem(404);
}

/// Another author's draft is invisible; their published post is read-only.
async fn authors_leave_others_posts_alone(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let (_, me) = app.staff("author").await;
    let (_, other) = app.staff("author").await;
    let mine = Some(me.as_str());
    let their_draft = app
        .post_as(Some(&other), json!({"title": "Their draft"}))
        .await;
    let their_live = app
        .post_as(
            Some(&other),
            json!({"title": "Their live", "status": "published"}),
        )
        .await;
    let draft_path = post_path(&their_draft);
    let live_path = post_path(&their_live);
    app.get(&draft_path, mine).await.problem(404);
    app.get(&format!("{POSTS}/slug/their-draft"), mine)
        .await
        .problem(404);
    app.patch(&draft_path, mine, "\"1\"", json!({"title": "Mine now"}))
        .await
        .problem(404);
    app.delete(&draft_path, mine).await.problem(404);
    app.get(&live_path, mine).await.expect(200);
    app.patch(&live_path, mine, "\"1\"", json!({"title": "Mine now"}))
        .await
        .problem(403);
    app.delete(&live_path, mine).await.problem(403);
    assert_eq!(app.get(&draft_path, owner).await.body, their_draft);
    assert_eq!(app.get(&live_path, owner).await.body, their_live);
    let listed = slugs(&app.get(POSTS, mine).await.body);
    assert!(!listed.contains(&"their-draft".to_owned()), "{listed:?}");
    assert!(listed.contains(&"their-live".to_owned()), "{listed:?}");
}

async fn contributors_write_drafts_only(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let (me_id, me) = app.staff("contributor").await;
    let (other_id, _) = app.staff("author").await;
    let (_, editor) = app.staff("editor").await;
    let mine = Some(me.as_str());

    for body in [
        json!({"title": "For someone else", "authors": [other_id]}),
        json!({"title": "Straight out", "status": "published"}),
        json!({"title": "Later", "status": "scheduled", "published_at": at(TimeDelta::days(1))}),
    ] {
        app.post(POSTS, mine, body.clone()).await.problem(403);
    }
    assert_eq!(list_total(&app, owner).await, 0, "nothing was created");

    let draft = app.post_as(mine, json!({"title": "My draft"})).await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(author_ids(&draft), [me_id.as_str()]);
    let path = post_path(&draft);
    let edited = app
        .patch(&path, mine, "\"1\"", json!({"markdown": "Better"}))
        .await
        .expect(200)
        .body;
    assert_eq!(edited["html"], "<p>Better</p>\n");
    for body in [
        json!({"status": "published"}),
        json!({"status": "scheduled", "published_at": at(TimeDelta::days(1))}),
    ] {
        app.patch(&path, mine, "\"2\"", body).await.problem(403);
    }
    assert_eq!(app.get(&path, mine).await.body, edited);
    app.delete(&path, mine).await.expect(204);
    app.get(&path, owner).await.problem(404);

    // Once an editor has published it, the contributor may read it but not change it.
    let draft = app.post_as(mine, json!({"title": "For the editor"})).await;
    let path = post_path(&draft);
    let published = app
        .patch(
            &path,
            Some(&editor),
            "\"1\"",
            json!({"status": "published"}),
        )
        .await
        .expect(200)
        .body;
    app.patch(&path, mine, "\"2\"", json!({"title": "Sneaky"}))
        .await
        .problem(403);
    app.patch(&path, mine, "\"2\"", json!({"status": "draft"}))
        .await
        .problem(403);
    app.delete(&path, mine).await.problem(403);
    assert_eq!(app.get(&path, mine).await.expect(200).body, published);
}

async fn anonymous_readers_cannot_write(backend: Backend) {
    let app = spawn(backend).await;
    let post = app
        .post_as(None, json!({"title": "Public", "status": "published"}))
        .await;
    let path = post_path(&post);
    let res = app.post(POSTS, None, json!({"title": "Anonymous"})).await;
    assert!(res.header("www-authenticate").is_some());
    res.problem(401);
    app.patch(&path, None, "\"1\"", json!({"title": "Defaced"}))
        .await
        .problem(401);
    app.delete(&path, None).await.problem(401);
    app.get(&path, Some("not-a-token")).await.problem(401);
    assert_eq!(app.get(&path, None).await.expect(200).body, post);
    assert_eq!(list_total(&app, None).await, 1);
}

async fn failed_writes_change_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let tag = app.tag("Kept").await;
    app.post_as(None, json!({"title": "Taken"})).await;
    let post = app
        .post_as(
            None,
            json!({"title": "Original", "markdown": "Body", "tags": [id(&tag)], "custom_excerpt": "Short"}),
        )
        .await;
    let path = post_path(&post);

    // (If-Match, body, status, the field a 422 names)
    for (etag, body, status, field) in [
        ("\"1\"", json!({"title": ""}), 422, "title"),
        (
            "\"1\"",
            json!({"title": "Changed", "markdown": "New", "tags": [id(&tag), "missing"]}),
            422,
            "tags[1]",
        ),
        (
            "\"1\"",
            json!({"title": "Changed", "authors": []}),
            422,
            "authors",
        ),
        (
            "\"1\"",
            json!({"title": "Changed", "status": "scheduled", "published_at": "2020-01-01T00:00:00Z"}),
            422,
            "published_at",
        ),
        (
            "\"1\"",
            json!({"title": "Changed", "canonical_url": "ftp://example.com/"}),
            422,
            "canonical_url",
        ),
        (
            "\"1\"",
            json!({"title": "Changed", "colour": "red"}),
            422,
            "colour",
        ),
        (
            "\"1\"",
            json!({"title": "Changed", "slug": "taken"}),
            409,
            "",
        ),
        (
            "\"7\"",
            json!({"title": "Changed", "custom_excerpt": null}),
            412,
            "",
        ),
    ] {
        let problem = app
            .patch(&path, owner, etag, body.clone())
            .await
            .problem(status);
        if status == 422 {
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        }
        let after = app.get(&path, owner).await.expect(200);
        assert_eq!(after.etag_version(), 1, "{body}");
        assert_eq!(after.body, post, "{body}");
    }

    // A refused role leaves the post as it was, too.
    let (_, contributor) = app.staff("contributor").await;
    let theirs = app
        .post_as(Some(&contributor), json!({"title": "Contributor's"}))
        .await;
    app.patch(
        &post_path(&theirs),
        Some(&contributor),
        "\"1\"",
        json!({"title": "Published by me", "status": "published"}),
    )
    .await
    .problem(403);
    assert_eq!(app.get(&post_path(&theirs), owner).await.body, theirs);
}

async fn pagination(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    // Written in another order than published, so the list must sort by publication.
    for day in [3, 1, 5, 2, 4] {
        app.post_as(
            None,
            json!({"title": format!("Post {day}"), "status": "published", "published_at": format!("2024-01-0{day}T12:00:00Z")}),
        )
        .await;
    }
    app.post_as(None, json!({"title": "Unfinished"})).await;

    let page = app
        .get(&format!("{POSTS}?limit=2&page=2"), None)
        .await
        .expect(200);
    assert_eq!(slugs(&page.body), ["post-3", "post-2"]);
    assert_eq!(numbered(&page.body), (2, 2, 3, 5));
    let link = page.header("link").expect("a Link header");
    assert!(
        link.contains("</api/v1/posts?page=3&limit=2>; rel=\"next\""),
        "{link}"
    );
    assert!(
        link.contains("</api/v1/posts?page=1&limit=2>; rel=\"prev\""),
        "{link}"
    );

    let first = app.get(&format!("{POSTS}?limit=2"), None).await.expect(200);
    assert_eq!(slugs(&first.body), ["post-5", "post-4"]);
    let link = first.header("link").unwrap();
    assert!(
        link.contains("rel=\"next\"") && !link.contains("rel=\"prev\""),
        "{link}"
    );
    let last = app
        .get(&format!("{POSTS}?page=3&limit=2"), None)
        .await
        .expect(200);
    assert_eq!(slugs(&last.body), ["post-1"]);
    let link = last.header("link").unwrap();
    assert!(
        !link.contains("rel=\"next\"") && link.contains("rel=\"prev\""),
        "{link}"
    );
    let beyond = app
        .get(&format!("{POSTS}?page=4&limit=2"), None)
        .await
        .expect(200);
    assert!(slugs(&beyond.body).is_empty());
    assert_eq!(beyond.body["meta"]["pagination"]["total"], 5);

    let whole = app.get(POSTS, None).await.expect(200);
    assert_eq!(
        slugs(&whole.body),
        ["post-5", "post-4", "post-3", "post-2", "post-1"]
    );
    assert_eq!(
        whole.body["meta"]["pagination"],
        json!({"page": null, "limit": 15, "pages": null, "total": null,
               "next_cursor": null, "prev_cursor": null}),
        "without `page`, nothing is counted unless asked"
    );
    assert_eq!(whole.header("link"), None, "one page has no neighbours");

    // Staff lists put the drafts first.
    let staff = app
        .get(&format!("{POSTS}?limit=2&page=1"), owner)
        .await
        .expect(200);
    assert_eq!(slugs(&staff.body), ["unfinished", "post-5"]);
    assert_eq!(numbered(&staff.body), (1, 2, 3, 6));
}

/// `page`, `limit`, `pages` and `total` of a numbered page.
fn numbered(body: &Value) -> (i64, i64, i64, i64) {
    let p = &body["meta"]["pagination"];
    let n = |key: &str| p[key].as_i64().unwrap_or_else(|| panic!("{key} in {p}"));
    (n("page"), n("limit"), n("pages"), n("total"))
}

async fn list_rejects_bad_parameters(backend: Backend) {
    let app = spawn(backend).await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-5", "limit"),
        ("page=0", "page"),
        ("limit=abc", "limit"),
        ("page=2.5", "page"),
        ("limit=2&page=x", "page"),
        ("foo=1", "foo"),
        ("limit=2&foo=1", "foo"),
    ] {
        let res = app.get(&format!("{POSTS}?{query}"), None).await;
        assert_eq!(res.status, 400, "?{query} is refused; got {}", res.text);
        let problem = res.problem(400);
        assert_eq!(problem["errors"][0]["field"], field, "?{query}: {problem}");
    }
    app.get(&format!("{POSTS}?limit=100&page=1"), None)
        .await
        .expect(200);
}

async fn deleting_the_last_author_of_a_post_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let solo = app.author("Solo").await;
    let partner = app.author("Partner").await;
    let leaving = app.author("Leaving").await;
    let only = app
        .post_as(None, json!({"title": "Solo's", "authors": [id(&solo)]}))
        .await;
    let shared = app
        .post_as(
            None,
            json!({"title": "Shared", "authors": [id(&leaving), id(&partner)], "status": "published"}),
        )
        .await;
    // Solo also co-writes the shared post: still the last author of `only`.
    let shared = app
        .patch(
            &post_path(&shared),
            owner,
            "\"1\"",
            json!({"authors": [id(&leaving), id(&solo), id(&partner)]}),
        )
        .await
        .expect(200)
        .body;

    let solo_path = resource(AUTHORS, id(&solo));
    app.delete(&solo_path, owner).await.problem(409);
    app.get(&solo_path, owner).await.expect(200);
    assert_eq!(app.get(&post_path(&only), owner).await.body, only);
    assert_eq!(app.get(&post_path(&shared), owner).await.body, shared);

    // With a co-author left, an author may go; the post keeps the others, in order.
    app.delete(&resource(AUTHORS, id(&leaving)), owner)
        .await
        .expect(204);
    app.get(&resource(AUTHORS, id(&leaving)), owner)
        .await
        .problem(404);
    let kept = app.get(&post_path(&shared), None).await.expect(200).body;
    assert_eq!(kept["authors"], json!([byline(&solo), byline(&partner)]));
    let listed = app.get(POSTS, None).await.body;
    assert_eq!(
        find_in(&listed, id(&shared))["authors"],
        json!([byline(&solo), byline(&partner)])
    );

    // Once their only post is gone, nothing holds the author back.
    app.delete(&post_path(&only), owner).await.expect(204);
    app.delete(&solo_path, owner).await.expect(204);
    let kept = app.get(&post_path(&shared), None).await.expect(200).body;
    assert_eq!(kept["authors"], json!([byline(&partner)]));
}

// ---- helpers ----

async fn bodies_are_stored_packed_and_read_back_whole(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let markdown = (0..400)
        .map(|n| format!("Paragraph {n} of a long post, with *ümlauts* and `code`.\n\n"))
        .collect::<String>();
    let post = app
        .post(POSTS, owner, json!({"title": "Long", "markdown": markdown}))
        .await
        .expect(201)
        .body;
    let path = format!("{}?formats=html,markdown,plaintext", post_path(&post));
    let read = app.get(&path, owner).await.expect(200).body;
    assert_eq!(read["markdown"], markdown.as_str());
    assert_eq!(read["html"], post["html"]);
    let plaintext = read["plaintext"].as_str().unwrap();
    assert!(
        plaintext.starts_with("Paragraph 0 of a long post, with ümlauts and code.\nParagraph 1")
    );
    assert_eq!(plaintext.lines().count(), 400);

    // SQLite keeps each body as a zstd frame; PostgreSQL compresses its own.
    if backend == Backend::Sqlite {
        let db = app.state().db.clone();
        let mut conn = db.conn().unwrap();
        let folio::db::DbConn::Sqlite(sqlite) = &mut *conn else {
            unreachable!("a SQLite test")
        };
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Stored {
            #[diesel(sql_type = diesel::sql_types::Text)]
            kind: String,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            bytes: i64,
        }
        let stored: Stored = diesel::sql_query(
            "SELECT typeof(markdown) AS kind, length(markdown) AS bytes FROM post_bodies",
        )
        .get_result(sqlite)
        .unwrap();
        assert_eq!(stored.kind, "blob");
        assert!(
            (stored.bytes as usize) < markdown.len() / 4,
            "{} bytes packed from {}",
            stored.bytes,
            markdown.len()
        );
    }

    // A retitle leaves the bodies as they were, and the search finds the new title and still
    // the text.
    let retitled = app
        .patch(
            &post_path(&post),
            owner,
            "\"1\"",
            json!({"title": "Quince"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(retitled["html"], post["html"]);
    for q in ["quince", "paragraph"] {
        let found = app
            .get(&format!("{POSTS}?q={q}"), owner)
            .await
            .expect(200)
            .body;
        assert_eq!(slugs(&found), ["long"], "`{q}`");
    }
}

fn post_path(post: &Value) -> String {
    resource(POSTS, id(post))
}

/// An author as a post embeds it.
fn byline(author: &Value) -> Value {
    json!({
        "id": author["id"],
        "slug": author["slug"],
        "name": author["name"],
        "avatar_url": author["avatar_url"],
        "url": author["url"],
    })
}

/// A tag as a post embeds it.
fn tag_ref(tag: &Value) -> Value {
    json!({
        "id": tag["id"],
        "slug": tag["slug"],
        "name": tag["name"],
        "visibility": tag["visibility"],
        "url": tag["url"],
    })
}

fn author_ids(post: &Value) -> Vec<&str> {
    post["authors"]
        .as_array()
        .expect("authors")
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect()
}

/// The post with `post_id` in a list response.
fn find_in<'a>(list: &'a Value, post_id: &str) -> &'a Value {
    list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|p| p["id"] == post_id)
        .unwrap_or_else(|| panic!("post {post_id} not listed: {list}"))
}

/// Now plus `offset`, in RFC 3339.
fn at(offset: TimeDelta) -> String {
    (Utc::now() + offset).to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn time(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a time"))
        .unwrap_or_else(|e| panic!("{value} is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

/// How many posts the list holds for `token`.
async fn list_total<S, B>(app: &TestApp<S>, token: Option<&str>) -> i64
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    app.get(&format!("{POSTS}?count=true"), token)
        .await
        .expect(200)
        .body["meta"]["pagination"]["total"]
        .as_i64()
        .expect("a total")
}

async fn old_slugs_redirect_to_the_current_one(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let post = app
        .post_as(
            None,
            json!({"title": "First", "slug": "first", "status": "published"}),
        )
        .await;
    let path = resource(POSTS, id(&post));
    let rename = |slug: &'static str| {
        let (app, path) = (&app, &path);
        async move {
            let etag = app.get(path, owner).await.etag();
            app.patch(path, owner, &etag, json!({"slug": slug}))
                .await
                .expect(200);
        }
    };
    rename("second").await;
    let moved = app.get(&format!("{POSTS}/slug/first"), None).await;
    assert_eq!(moved.status, 301, "{}", moved.text);
    assert_eq!(
        moved.header("location"),
        Some(format!("{POSTS}/slug/second").as_str())
    );
    // Every old slug leads to the current one, not along a chain.
    rename("third").await;
    for old in ["first", "second"] {
        let res = app.get(&by_slug(POSTS, old), None).await;
        assert_eq!(res.status, 301);
        assert_eq!(
            res.header("location"),
            Some(format!("{POSTS}/slug/third").as_str())
        );
    }
    // Taking a slug back, or giving it to another post, ends its redirect.
    rename("second").await;
    app.get(&format!("{POSTS}/slug/second"), None)
        .await
        .expect(200);
    let other = app
        .post_as(
            None,
            json!({"title": "Other", "slug": "first", "status": "published"}),
        )
        .await;
    let res = app
        .get(&format!("{POSTS}/slug/first"), None)
        .await
        .expect(200);
    assert_eq!(res.body["id"], other["id"]);
    let res = app.get(&format!("{POSTS}/slug/third"), None).await;
    assert_eq!(
        res.header("location"),
        Some(format!("{POSTS}/slug/second").as_str())
    );

    // A draft's old slug leads nowhere for readers who may not see it.
    let draft = app
        .post_as(None, json!({"title": "Draft", "slug": "draft-one"}))
        .await;
    let draft_path = resource(POSTS, id(&draft));
    app.patch(&draft_path, owner, "\"1\"", json!({"slug": "draft-two"}))
        .await
        .expect(200);
    app.get(&format!("{POSTS}/slug/draft-one"), None)
        .await
        .problem(404);
    assert_eq!(
        app.get(&format!("{POSTS}/slug/draft-one"), owner)
            .await
            .status,
        301
    );
    // Deleting the post ends its old links too.
    app.delete(&path, owner).await.expect(204);
    app.get(&format!("{POSTS}/slug/third"), None)
        .await
        .problem(404);
}
