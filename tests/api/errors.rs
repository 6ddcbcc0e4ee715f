//! How the API fails: always problem+json, with the right status, and never leaking internals.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{API, AUTHORS, LOGIN, ME, OPENAPI, POSTS, TAGS, resource};
use crate::support::{Backend, OWNER_EMAIL, OWNER_PASSWORD, id, spawn};

on_both_backends!(
    unknown_routes_are_404,
    wrong_methods_are_405_with_allow,
    malformed_json_is_400,
    trailing_garbage_after_json_is_400,
    unknown_and_mistyped_fields_are_422,
    bodies_must_be_declared_json,
    oversized_bodies_are_413,
    bad_credentials_are_401_even_on_public_reads,
    nul_characters_are_refused_not_500,
    nul_characters_in_paths_are_not_500,
    nul_characters_in_linked_ids_are_not_500,
    failed_writes_change_nothing,
    health_and_openapi,
    preconditions_come_after_existence_and_validation,
);

/// Internals that must never reach a client: SQL, driver names, panics, source paths.
#[track_caller]
fn assert_no_internals(text: &str) {
    for sql in ["SELECT", "INSERT INTO", "WHERE ", "FROM \""] {
        assert!(!text.contains(sql), "the error leaks SQL (`{sql}`): {text}");
    }
    let lower = text.to_lowercase();
    for leak in [
        "diesel",
        "panicked",
        "src/",
        ".rs:",
        "sqlite",
        "postgres",
        "backtrace",
    ] {
        assert!(!lower.contains(leak), "the error leaks `{leak}`: {text}");
    }
}

async fn unknown_routes_are_404(backend: Backend) {
    let app = spawn(backend).await;
    for path in [
        "/nowhere",
        &format!("{API}/nowhere"),
        "/api/v2/posts",
        &format!("{TAGS}/some-id/extra"),
    ] {
        let res = app.get(path, None).await;
        let text = res.text.clone();
        let problem = res.problem(404);
        assert_eq!(problem["type"], "urn:folio:problem:not-found", "{path}");
        assert_no_internals(&text);
    }
    // A well-formed id that names nothing is a 404 of the resource, not of the route.
    for path in [
        &format!("{TAGS}/0192f0c4-6a6e-7d31-a9f5-3c3a4a0d9e11"),
        &format!("{AUTHORS}/0192f0c4-6a6e-7d31-a9f5-3c3a4a0d9e11"),
        &format!("{AUTHORS}/slug/nobody"),
        &format!("{POSTS}/0192f0c4-6a6e-7d31-a9f5-3c3a4a0d9e11"),
    ] {
        app.get(path, Some(&app.owner_token)).await.problem(404);
    }
}

async fn wrong_methods_are_405_with_allow(backend: Backend) {
    let app = spawn(backend).await;
    let tag = app.tag("Existing").await;
    let tag_path = resource(TAGS, id(&tag));
    for (method, path, allow) in [
        ("PUT", TAGS, "GET, POST"),
        ("DELETE", POSTS, "GET, POST"),
        ("POST", tag_path.as_str(), "GET, PATCH, DELETE"),
        ("PUT", &format!("{AUTHORS}/some-id"), "GET, PATCH, DELETE"),
        ("GET", LOGIN, "POST"),
        ("POST", ME, "GET"),
        ("DELETE", &format!("{TAGS}/slug/existing"), "GET"),
        ("POST", "/healthz", "GET"),
        ("POST", OPENAPI, "GET"),
    ] {
        let res = app
            .call(method, path, Some(&app.owner_token), None, &[])
            .await;
        assert_eq!(
            res.header("allow"),
            Some(allow),
            "{method} {path}: {}",
            res.text
        );
        let problem = res.problem(405);
        assert_eq!(problem["type"], "urn:folio:problem:method-not-allowed");
    }
    // The tag is untouched by the stray POST.
    assert_eq!(
        app.get(&tag_path, None).await.expect(200).body["version"],
        1
    );
}

async fn malformed_json_is_400(backend: Backend) {
    let app = spawn(backend).await;
    for raw in ["{oops", "", "{\"name\": \"x\"", "{\"name\" \"x\"}", "nul"] {
        let res = app
            .call(
                "POST",
                TAGS,
                Some(&app.owner_token),
                Some(Value::String(raw.to_owned())),
                &[("content-type", "application/json")],
            )
            .await;
        let text = res.text.clone();
        assert_eq!(
            res.problem(400)["type"],
            "urn:folio:problem:bad-request",
            "{raw:?}"
        );
        assert_no_internals(&text);
    }
    let login = app
        .call(
            "POST",
            LOGIN,
            None,
            Some(Value::String("{\"email\": ".to_owned())),
            &[("content-type", "application/json")],
        )
        .await;
    login.problem(400);
    assert_eq!(
        app.get(&format!("{TAGS}?count=true"), None).await.body["meta"]["pagination"]["total"],
        0
    );
}

/// A JSON value followed by anything but whitespace is not a JSON document.
async fn trailing_garbage_after_json_is_400(backend: Backend) {
    let app = spawn(backend).await;
    for raw in [
        "{\"name\": \"x\"} trailing",
        "{\"name\": \"x\"}{\"name\": \"y\"}",
        "{\"name\": \"x\"},",
    ] {
        let res = app
            .call(
                "POST",
                TAGS,
                Some(&app.owner_token),
                Some(Value::String(raw.to_owned())),
                &[("content-type", "application/json")],
            )
            .await;
        assert_eq!(
            res.problem(400)["type"],
            "urn:folio:problem:bad-request",
            "{raw:?}"
        );
    }
    assert_eq!(
        app.get(&format!("{TAGS}?count=true"), None).await.body["meta"]["pagination"]["total"],
        0
    );
    // Trailing whitespace is fine.
    app.call(
        "POST",
        TAGS,
        Some(&app.owner_token),
        Some(Value::String("{\"name\": \"x\"}\n  ".to_owned())),
        &[("content-type", "application/json")],
    )
    .await
    .expect(201);
}

async fn unknown_and_mistyped_fields_are_422(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());

    let unknown = app
        .post(TAGS, owner, json!({"name": "News", "colour": "red"}))
        .await
        .problem(422);
    assert_eq!(unknown["type"], "urn:folio:problem:validation");
    assert_eq!(unknown["errors"][0]["field"], "colour", "{unknown}");
    assert!(
        unknown["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`"),
        "{unknown}"
    );

    for (path, body, field) in [
        (TAGS, json!({"name": 42}), "name"),
        (
            TAGS,
            json!({"name": "x", "description": ["a"]}),
            "description",
        ),
        (AUTHORS, json!({"name": "x", "bio": {"a": 1}}), "bio"),
        (AUTHORS, json!({"name": "x", "role": "emperor"}), "role"),
        (POSTS, json!({"title": "x", "featured": "yes"}), "featured"),
        (POSTS, json!({"title": "x", "tags": "news"}), "tags"),
    ] {
        let res = app.post(path, owner, body.clone()).await;
        let text = res.text.clone();
        let problem = res.problem(422);
        assert_eq!(
            problem["errors"][0]["field"], field,
            "{path} {body}: {problem}"
        );
        assert_no_internals(&text);
    }
    // A required field left out is named too.
    let missing = app
        .post(TAGS, owner, json!({"description": "no name"}))
        .await
        .problem(422);
    assert!(
        missing["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("name"),
        "{missing}"
    );
}

async fn bodies_must_be_declared_json(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let body = || Some(Value::String(json!({"name": "News"}).to_string()));
    let undeclared = app.call("POST", TAGS, owner, body(), &[]).await;
    assert_eq!(
        undeclared.problem(415)["type"],
        "urn:folio:problem:unsupported-media-type"
    );
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ] {
        app.call(
            "POST",
            TAGS,
            owner,
            body(),
            &[("content-type", content_type)],
        )
        .await
        .problem(415);
    }
    // A login is a JSON body like any other.
    app.call(
        "POST",
        LOGIN,
        None,
        Some(Value::String(
            json!({"email": OWNER_EMAIL, "password": "x"}).to_string(),
        )),
        &[("content-type", "text/plain")],
    )
    .await
    .problem(415);
    // JSON with parameters is JSON.
    app.call(
        "POST",
        TAGS,
        owner,
        body(),
        &[("content-type", "application/json; charset=utf-8")],
    )
    .await
    .expect(201);
}

async fn oversized_bodies_are_413(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let huge = "x".repeat(70 * 1024);
    let res = app
        .post(TAGS, owner, json!({"name": "Big", "description": huge}))
        .await;
    assert_eq!(
        res.problem(413)["type"],
        "urn:folio:problem:payload-too-large"
    );
    app.post(POSTS, owner, json!({"title": "Big", "markdown": huge}))
        .await
        .problem(413);
    app.post(LOGIN, None, json!({"email": OWNER_EMAIL, "password": huge}))
        .await
        .problem(413);
    // Just under the limit is fine as far as size goes (the field's own limit then applies).
    let near = "x".repeat(60 * 1024);
    app.post(TAGS, owner, json!({"name": "Big", "description": near}))
        .await
        .problem(422);
}

async fn bad_credentials_are_401_even_on_public_reads(backend: Backend) {
    let app = spawn(backend).await;
    let basic = "Basic b3duZXJAZXhhbXBsZS5jb206b3duZXItcGFzc3dvcmQtMTIz";
    for path in [POSTS, TAGS, AUTHORS, ME] {
        for authorization in [
            "Bearer garbage",
            "Bearer ",
            "Bearer a.b.c",
            basic,
            "Token abc",
            "bearer",
        ] {
            let res = app
                .call("GET", path, None, None, &[("authorization", authorization)])
                .await;
            assert!(
                res.header("www-authenticate")
                    .is_some_and(|v| v.starts_with("Bearer")),
                "{path} with {authorization:?}: a Bearer challenge"
            );
            let text = res.text.clone();
            let problem = res.problem(401);
            assert_eq!(problem["type"], "urn:folio:problem:unauthorized");
            assert_no_internals(&text);
        }
    }
    // Without any Authorization header the public reads are open.
    for path in [POSTS, TAGS, AUTHORS] {
        app.get(path, None).await.expect(200);
    }
}

async fn nul_characters_are_refused_not_500(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    for (path, body, field) in [
        (TAGS, json!({"name": "a\u{0}b"}), "name"),
        (
            TAGS,
            json!({"name": "ok", "description": "a\u{0}b"}),
            "description",
        ),
        (TAGS, json!({"name": "ok", "slug": "a\u{0}b"}), "slug"),
        (AUTHORS, json!({"name": "a\u{0}b"}), "name"),
        (AUTHORS, json!({"name": "ok", "bio": "\u{0}"}), "bio"),
        (
            AUTHORS,
            json!({"name": "ok", "location": "x\u{0}"}),
            "location",
        ),
        (
            AUTHORS,
            json!({"name": "ok", "website": "https://a.example/\u{0}"}),
            "website",
        ),
        (
            AUTHORS,
            json!({"name": "ok", "email": "a\u{0}@example.com", "password": "long-enough-password", "role": "author"}),
            "email",
        ),
        (
            AUTHORS,
            json!({"name": "ok", "email": "nul@example.com", "password": "long-enough\u{0}password", "role": "author"}),
            "password",
        ),
        (POSTS, json!({"title": "a\u{0}b"}), "title"),
        (
            POSTS,
            json!({"title": "ok", "markdown": "a\u{0}b"}),
            "markdown",
        ),
    ] {
        let res = app.post(path, owner, body.clone()).await;
        let text = res.text.clone();
        let problem = res.problem(422);
        let fields: Vec<_> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        assert!(fields.contains(&field.to_owned()), "{body}: {problem}");
        assert_no_internals(&text);
    }
    // On a change as on a creation.
    let tag = app.tag("Clean").await;
    app.patch(
        &resource(TAGS, id(&tag)),
        owner,
        "\"1\"",
        json!({"description": "dirty\u{0}"}),
    )
    .await
    .problem(422);
    let author = app.author("Clean Author").await;
    app.patch(
        &resource(AUTHORS, id(&author)),
        owner,
        "\"1\"",
        json!({"name": "dirty\u{0}"}),
    )
    .await
    .problem(422);
    // Signing in with one is just a failed sign-in.
    app.post(
        LOGIN,
        None,
        json!({"email": "owner\u{0}@example.com", "password": OWNER_PASSWORD}),
    )
    .await
    .problem(401);
    app.post(
        LOGIN,
        None,
        json!({"email": OWNER_EMAIL, "password": "owner\u{0}password"}),
    )
    .await
    .problem(401);
}

/// Path parameters reach the database as text: one holding NUL names nothing, so `404`. (It
/// must not be passed on as is: PostgreSQL refuses NUL in text and the request would fail.)
async fn nul_characters_in_paths_are_not_500(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let mut requests = Vec::new();
    for collection in ["tags", "authors", "posts"] {
        for path in [
            format!("{API}/{collection}/a%00b"),
            format!("{API}/{collection}/slug/a%00b"),
        ] {
            requests.push(("GET", path.clone(), None));
            requests.push(("GET", path, owner));
        }
        let path = format!("{API}/{collection}/a%00b");
        requests.push(("PATCH", path.clone(), owner));
        requests.push(("DELETE", path, owner));
    }
    let mut failures = Vec::new();
    for (method, path, token) in requests {
        let body = match method {
            "PATCH" if path.contains("posts") => Some(json!({"title": "x"})),
            "PATCH" => Some(json!({"name": "x"})),
            _ => None,
        };
        let res = app
            .call(method, &path, token, body, &[("if-match", "\"1\"")])
            .await;
        assert_no_internals(&res.text);
        if res.status != 404 {
            failures.push(format!(
                "{method} {path} (signed in: {}) -> {}",
                token.is_some(),
                res.status
            ));
        } else {
            res.problem(404);
        }
    }
    assert!(
        failures.is_empty(),
        "expected 404 for:\n{}",
        failures.join("\n")
    );
}

/// Ids inside a body are text like any other: one holding NUL names nothing, so the field is
/// invalid (`422`), on PostgreSQL too.
async fn nul_characters_in_linked_ids_are_not_500(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let post = app.post_as(None, json!({"title": "Existing"})).await;
    let post_path = resource(POSTS, id(&post));
    for (field, ids) in [
        ("tags[0]", json!({"tags": ["a\u{0}b"]})),
        ("authors[0]", json!({"authors": ["a\u{0}b"]})),
        ("authors[1]", json!({"authors": [app.owner_id, "\u{0}"]})),
    ] {
        let mut create = ids.clone();
        create["title"] = json!("With links");
        let res = app.post(POSTS, owner, create).await;
        assert_no_internals(&res.text);
        assert_eq!(res.problem(422)["errors"][0]["field"], field, "{ids}");

        let res = app.patch(&post_path, owner, "\"1\"", ids.clone()).await;
        assert_no_internals(&res.text);
        assert_eq!(res.problem(422)["errors"][0]["field"], field, "{ids}");
    }
    let list = app
        .get(&format!("{POSTS}?count=true"), owner)
        .await
        .expect(200);
    assert_eq!(list.body["meta"]["pagination"]["total"], 1);
    assert_eq!(app.get(&post_path, owner).await.body["version"], 1);
}

async fn failed_writes_change_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let total = async |path: &str| {
        app.get(&format!("{path}?count=true"), Some(&app.owner_token))
            .await
            .expect(200)
            .body["meta"]["pagination"]["total"]
            .as_i64()
            .unwrap()
    };
    let (tags, authors, posts) = (total(TAGS).await, total(AUTHORS).await, total(POSTS).await);
    let raw = |s: &str| Some(Value::String(s.to_owned()));
    let big = "y".repeat(70 * 1024);
    let json_type = [("content-type", "application/json")];
    for path in [TAGS, AUTHORS, POSTS] {
        let good = if path.ends_with("posts") {
            json!({"title": "Good"})
        } else {
            json!({"name": "Good"})
        };
        // 415: a valid body, undeclared.
        app.call("POST", path, owner, raw(&good.to_string()), &[])
            .await
            .problem(415);
        // 400
        app.call("POST", path, owner, raw("{oops"), &json_type)
            .await
            .problem(400);
        // 413
        let mut oversized = good.clone();
        oversized["filler"] = json!(big);
        app.post(path, owner, oversized).await.problem(413);
        // 422: unknown field on an otherwise valid body.
        let mut unknown = good.clone();
        unknown["filler"] = json!("x");
        app.post(path, owner, unknown).await.problem(422);
        // 401: no token.
        app.post(path, None, good.clone()).await.problem(401);
        app.post(path, Some("garbage"), good).await.problem(401);
    }
    assert_eq!(total(TAGS).await, tags);
    assert_eq!(total(AUTHORS).await, authors);
    assert_eq!(total(POSTS).await, posts);
    // The control: the same write, well formed, does land.
    app.tag("Good").await;
    assert_eq!(total(TAGS).await, tags + 1);
}

async fn health_and_openapi(backend: Backend) {
    let app = spawn(backend).await;
    let health = app.get("/healthz", None).await.expect(200);
    assert_eq!(health.text, "ok");
    let ready = app.get("/readyz", None).await.expect(200);
    assert_eq!(ready.text, "ready");

    let doc = app.get(OPENAPI, None).await.expect(200);
    assert!(
        doc.header("content-type")
            .is_some_and(|v| v.starts_with("application/json")),
        "{:?}",
        doc.header("content-type")
    );
    assert!(
        doc.body["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc.body["openapi"]
    );
    let paths = doc.body["paths"].as_object().expect("paths");
    for path in [
        LOGIN,
        ME,
        AUTHORS,
        &format!("{AUTHORS}/{{id}}"),
        &format!("{AUTHORS}/slug/{{slug}}"),
        POSTS,
        &format!("{TAGS}/{{id}}"),
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
    assert!(doc.body["components"]["securitySchemes"]["bearer"].is_object());
}

async fn preconditions_come_after_existence_and_validation(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    // A resource that does not exist is 404, with or without a version.
    for (path, body) in [
        (&format!("{TAGS}/nope"), json!({"name": "x"})),
        (&format!("{POSTS}/nope"), json!({"title": "x"})),
        (&format!("{AUTHORS}/nope"), json!({"name": "x"})),
    ] {
        app.call("PATCH", path, owner, Some(body), &[])
            .await
            .problem(404);
    }
    // An invalid body is 422 even when its version is stale.
    let tag = app.tag("Tag").await;
    let path = format!("{TAGS}/{}", tag["id"].as_str().unwrap());
    let res = app
        .patch(&path, owner, "\"7\"", json!({"slug": "Not A Slug"}))
        .await;
    assert_eq!(res.problem(422)["errors"][0]["field"], "slug");
    // A forbidden change is 403 whatever the preconditions say.
    let (_, author) = app.staff("author").await;
    app.call(
        "PATCH",
        &path,
        Some(&author),
        Some(json!({"name": "x"})),
        &[],
    )
    .await
    .problem(403);
    // Only then the version: missing is 428, stale is 412.
    app.call("PATCH", &path, owner, Some(json!({"name": "x"})), &[])
        .await
        .problem(428);
    app.patch(&path, owner, "\"7\"", json!({"name": "x"}))
        .await
        .problem(412);
}
