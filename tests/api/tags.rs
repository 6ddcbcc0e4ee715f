use serde_json::json;

use crate::on_both_backends;
use crate::paths::{POSTS, TAGS, resource};
use crate::support::{Backend, id, spawn};

on_both_backends!(
    tags_crud,
    tag_slugs,
    tag_roles,
    deleting_a_tag_keeps_its_posts
);

async fn tags_crud(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());

    let created = app
        .post(
            TAGS,
            owner,
            json!({"name": "Getting Started", "description": "First steps"}),
        )
        .await
        .expect(201);
    let tag = created.body.clone();
    assert_eq!(tag["slug"], "getting-started");
    assert_eq!(tag["version"], 1);
    assert_eq!(
        created.header("location").unwrap(),
        resource(TAGS, id(&tag))
    );
    assert_eq!(created.etag_version(), 1);

    let read = app.get(&resource(TAGS, id(&tag)), None).await.expect(200);
    assert_eq!(read.body["name"], "Getting Started");
    let by_slug = app
        .get(&format!("{TAGS}/slug/getting-started"), None)
        .await
        .expect(200);
    assert_eq!(by_slug.body["id"], tag["id"]);

    let changed = app
        .patch(
            &resource(TAGS, id(&tag)),
            owner,
            &read.etag(),
            json!({"description": null}),
        )
        .await
        .expect(200);
    assert_eq!(changed.body["version"], 2);
    assert_eq!(changed.body["description"], serde_json::Value::Null);
    assert_eq!(changed.etag_version(), 2);

    let list = app
        .get(&format!("{TAGS}?count=true"), None)
        .await
        .expect(200);
    assert_eq!(list.body["meta"]["pagination"]["total"], 1);
    assert_eq!(list.body["data"][0]["id"], tag["id"]);

    app.delete(&resource(TAGS, id(&tag)), owner)
        .await
        .expect(204);
    app.get(&resource(TAGS, id(&tag)), None).await.problem(404);
}

async fn tag_slugs(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    for expected in ["news", "news-2", "news-3"] {
        assert_eq!(app.tag("News").await["slug"], expected);
    }
    let taken = app
        .post(TAGS, owner, json!({"name": "Other", "slug": "news"}))
        .await;
    assert!(
        taken.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains("news")
    );
    let invalid = app
        .post(TAGS, owner, json!({"name": "Other", "slug": "Not A Slug"}))
        .await;
    assert_eq!(invalid.problem(422)["errors"][0]["field"], "slug");
    // Renaming onto a taken slug is refused and changes nothing.
    let other = app.tag("Other").await;
    let path = resource(TAGS, id(&other));
    app.patch(&path, owner, "\"1\"", json!({"slug": "news"}))
        .await
        .problem(409);
    assert_eq!(app.get(&path, None).await.body["slug"], "other");
}

async fn tag_roles(backend: Backend) {
    let app = spawn(backend).await;
    let tag = app.tag("Existing").await;
    let path = resource(TAGS, id(&tag));
    for (role, may_create, may_manage) in [
        ("admin", true, true),
        ("editor", true, true),
        ("author", true, false),
        ("contributor", false, false),
    ] {
        let (_, token) = app.staff(role).await;
        let create = app
            .post(TAGS, Some(&token), json!({"name": format!("By {role}")}))
            .await;
        assert_eq!(
            create.status,
            if may_create { 201 } else { 403 },
            "{role} creating a tag"
        );
        let current = app.get(&path, None).await;
        let patch = app
            .patch(
                &path,
                Some(&token),
                &current.etag(),
                json!({"name": "Renamed"}),
            )
            .await;
        assert_eq!(
            patch.status,
            if may_manage { 200 } else { 403 },
            "{role} changing a tag"
        );
    }
    app.post(TAGS, None, json!({"name": "Anonymous"}))
        .await
        .problem(401);
    app.delete(&path, None).await.problem(401);
    let (_, author) = app.staff("author").await;
    app.delete(&path, Some(&author)).await.problem(403);
    app.get(&path, None).await.expect(200);
}

async fn deleting_a_tag_keeps_its_posts(backend: Backend) {
    let app = spawn(backend).await;
    let a = app.tag("A").await;
    let b = app.tag("B").await;
    let post = app
        .post_as(
            None,
            json!({"title": "Tagged", "status": "published", "tags": [id(&a), id(&b)]}),
        )
        .await;
    app.delete(&resource(TAGS, id(&a)), Some(&app.owner_token))
        .await
        .expect(204);
    let read = app.get(&resource(POSTS, id(&post)), None).await.expect(200);
    let tags: Vec<_> = read.body["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].clone())
        .collect();
    assert_eq!(tags, vec![json!("b")]);
}
