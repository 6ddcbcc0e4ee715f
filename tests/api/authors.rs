//! Authors and staff accounts: profiles, logins, roles, and who may manage whom.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{AUTHORS, LOGIN, ME, POSTS, TAGS, by_slug, resource};
use crate::support::{
    Backend, OWNER_EMAIL, OWNER_PASSWORD, PASSWORD, Response, TestApp, id, spawn,
};

on_both_backends!(
    login_less_author_crud,
    author_slugs,
    profile_urls_must_be_http,
    authors_with_a_login_sign_in,
    email_and_role_are_for_staff_only,
    who_may_create_whom,
    who_may_edit_whom,
    role_changes,
    password_changes,
    own_email_changes_need_the_current_password,
    duplicate_emails_conflict,
    delete_rules,
    deleting_an_author_ends_their_session,
    author_versions,
);

/// Changes author `id` as `token`, based on the version it has now.
async fn edit<S, B>(app: &TestApp<S>, id: &str, token: &str, body: Value) -> Response
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let path = resource(AUTHORS, id);
    let etag = app.get(&path, None).await.expect(200).etag();
    app.patch(&path, Some(token), &etag, body).await
}

/// Author `id` as the owner sees it.
async fn read<S, B>(app: &TestApp<S>, id: &str) -> Value
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    app.get(&resource(AUTHORS, id), Some(&app.owner_token))
        .await
        .expect(200)
        .body
}

/// The number of authors.
async fn total<S, B>(app: &TestApp<S>) -> i64
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    app.get(&format!("{AUTHORS}?count=true"), None)
        .await
        .expect(200)
        .body["meta"]["pagination"]["total"]
        .as_i64()
        .unwrap()
}

fn new_login(name: &str, email: &str, role: &str) -> Value {
    json!({"name": name, "email": email, "password": PASSWORD, "role": role})
}

async fn login_less_author_crud(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());

    let created = app
        .post(
            AUTHORS,
            owner,
            json!({
                "name": "Mara Lindqvist",
                "bio": "Writes about boats.",
                "website": "https://mara.example/",
                "avatar_url": "http://img.example/mara.png",
                "location": "Göteborg",
            }),
        )
        .await
        .expect(201);
    let author = created.body.clone();
    assert_eq!(author["slug"], "mara-lindqvist");
    assert_eq!(author["name"], "Mara Lindqvist");
    assert_eq!(author["bio"], "Writes about boats.");
    assert_eq!(author["website"], "https://mara.example/");
    assert_eq!(author["avatar_url"], "http://img.example/mara.png");
    assert_eq!(author["location"], "Göteborg");
    assert_eq!(author["version"], 1);
    // No login: no email and no role, even for the owner.
    assert!(author.get("email").is_none() && author.get("role").is_none());
    let path = resource(AUTHORS, id(&author));
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(created.etag_version(), 1);

    let read = app.get(&path, None).await.expect(200);
    assert_eq!(read.body, author);
    assert_eq!(read.etag_version(), 1);
    let by_slug = app
        .get(&format!("{AUTHORS}/slug/mara-lindqvist"), None)
        .await
        .expect(200);
    assert_eq!(by_slug.body["id"], author["id"]);
    app.get(&format!("{AUTHORS}/slug/mara"), None)
        .await
        .problem(404);

    let changed = app
        .patch(
            &path,
            owner,
            &read.etag(),
            json!({"name": "Mara L.", "bio": null, "location": ""}),
        )
        .await
        .expect(200);
    assert_eq!(changed.body["name"], "Mara L.");
    assert_eq!(changed.body["bio"], Value::Null);
    assert_eq!(changed.body["location"], Value::Null);
    assert_eq!(
        changed.body["website"], "https://mara.example/",
        "untouched"
    );
    assert_eq!(
        changed.body["slug"], "mara-lindqvist",
        "a rename keeps the slug"
    );
    assert_eq!(changed.body["version"], 2);
    assert_eq!(changed.etag_version(), 2);
    assert_eq!(app.get(&path, None).await.body["name"], "Mara L.");

    let list = app
        .get(&format!("{AUTHORS}?count=true"), None)
        .await
        .expect(200);
    assert_eq!(
        list.body["meta"]["pagination"]["total"], 2,
        "the owner and Mara"
    );
    assert_eq!(list.body["data"][0]["id"], author["id"], "newest first");

    app.delete(&path, owner).await.expect(204);
    app.get(&path, None).await.problem(404);
    app.delete(&path, owner).await.problem(404);
    assert_eq!(total(&app).await, 1);

    // Anonymous callers manage nothing.
    app.post(AUTHORS, None, json!({"name": "Anonymous"}))
        .await
        .problem(401);
    let other = app.author("Other").await;
    let other_path = resource(AUTHORS, id(&other));
    app.patch(&other_path, None, "\"1\"", json!({"name": "Hijacked"}))
        .await
        .problem(401);
    app.delete(&other_path, None).await.problem(401);
    assert_eq!(app.get(&other_path, None).await.body["name"], "Other");
}

async fn author_slugs(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    for expected in ["ada-lovelace", "ada-lovelace-2", "ada-lovelace-3"] {
        assert_eq!(app.author("Ada Lovelace").await["slug"], expected);
    }
    // A name with nothing to make a slug of falls back to `author`.
    for expected in ["author", "author-2"] {
        assert_eq!(app.author("!!!").await["slug"], expected);
    }
    // The owner, signed up as "Owner", holds `owner`.
    assert_eq!(read(&app, &app.owner_id).await["slug"], "owner");
    for taken in ["ada-lovelace", "ada-lovelace-2", "owner"] {
        let res = app
            .post(AUTHORS, owner, json!({"name": "Someone", "slug": taken}))
            .await;
        let problem = res.problem(409);
        assert!(
            problem["detail"].as_str().unwrap().contains(taken),
            "{problem}"
        );
    }
    assert_eq!(total(&app).await, 6);
    let explicit = app
        .post(
            AUTHORS,
            owner,
            json!({"name": "Someone", "slug": "some-one"}),
        )
        .await
        .expect(201);
    assert_eq!(explicit.body["slug"], "some-one");
    let invalid = app
        .post(
            AUTHORS,
            owner,
            json!({"name": "Someone", "slug": "Some One"}),
        )
        .await
        .problem(422);
    assert_eq!(invalid["errors"][0]["field"], "slug");
    // Changing onto a taken slug is refused and changes nothing.
    let res = edit(
        &app,
        id(&explicit.body),
        &app.owner_token,
        json!({"slug": "ada-lovelace"}),
    )
    .await;
    res.problem(409);
    assert_eq!(read(&app, id(&explicit.body)).await["slug"], "some-one");
    assert_eq!(read(&app, id(&explicit.body)).await["version"], 1);
}

async fn profile_urls_must_be_http(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    for (field, bad) in [
        ("website", "javascript:alert(1)"),
        ("website", "ftp://files.example/"),
        ("website", "example.com"),
        ("avatar_url", "data:image/png;base64,AAAA"),
        ("avatar_url", "/relative.png"),
    ] {
        let problem = app
            .post(AUTHORS, owner, json!({"name": "Linked", field: bad}))
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], field, "{bad}");
    }
    assert_eq!(total(&app).await, 1);
    let author = app.author("Linked").await;
    let res = edit(
        &app,
        id(&author),
        &app.owner_token,
        json!({"website": "javascript:alert(1)"}),
    )
    .await;
    assert_eq!(res.problem(422)["errors"][0]["field"], "website");
    assert_eq!(read(&app, id(&author)).await["website"], Value::Null);
}

async fn authors_with_a_login_sign_in(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let created = app
        .post(
            AUTHORS,
            owner,
            new_login("Nia Okafor", "Nia@Example.com", "author"),
        )
        .await
        .expect(201);
    assert_eq!(created.body["email"], "nia@example.com");
    assert_eq!(created.body["role"], "author");
    assert!(created.body.get("password").is_none() && created.body.get("password_hash").is_none());
    assert!(!created.text.contains(PASSWORD) && !created.text.contains("$argon2"));

    let token = app.login("nia@example.com", PASSWORD).await;
    let me = app.get(ME, Some(&token)).await.expect(200);
    assert_eq!(me.body["id"], created.body["id"]);
    assert_eq!(me.body["role"], "author");
    assert_eq!(me.body["slug"], "nia-okafor");

    // A login needs all of email, password and role; each missing one is named.
    for (body, missing) in [
        (
            json!({"name": "X", "email": "x@example.com"}),
            vec!["password", "role"],
        ),
        (
            json!({"name": "X", "password": PASSWORD}),
            vec!["email", "role"],
        ),
        (
            json!({"name": "X", "role": "author"}),
            vec!["email", "password"],
        ),
    ] {
        let problem = app.post(AUTHORS, owner, body).await.problem(422);
        let fields: Vec<_> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, missing);
    }
    for (body, field) in [
        (new_login("X", "not-an-email", "author"), "email"),
        (
            json!({"name": "X", "email": "x@example.com", "password": "short", "role": "author"}),
            "password",
        ),
        (
            json!({"name": "X", "email": "x@example.com", "password": "p".repeat(257), "role": "author"}),
            "password",
        ),
        (
            json!({"name": "X", "email": format!("{}@example.com", "a".repeat(250)), "password": PASSWORD, "role": "author"}),
            "email",
        ),
    ] {
        let problem = app.post(AUTHORS, owner, body).await.problem(422);
        assert_eq!(problem["errors"][0]["field"], field);
    }
    assert_eq!(total(&app).await, 2);
}

async fn email_and_role_are_for_staff_only(backend: Backend) {
    let app = spawn(backend).await;
    let (editor_id, _) = app.staff("editor").await;
    let (_, contributor) = app.staff("contributor").await;
    app.author("No Login").await;
    let editor = read(&app, &editor_id).await;
    let editor_email = editor["email"].as_str().unwrap().to_owned();
    let slug = editor["slug"].as_str().unwrap().to_owned();

    // Every signed-in staff member sees them, whatever their role.
    for token in [app.owner_token.as_str(), contributor.as_str()] {
        let list = app.get(AUTHORS, Some(token)).await.expect(200).body;
        let data = list["data"].as_array().unwrap();
        assert_eq!(data.len(), 4);
        let listed = data.iter().find(|a| a["id"] == editor_id.as_str()).unwrap();
        assert_eq!(listed["email"], editor_email.as_str());
        assert_eq!(listed["role"], "editor");
        let owner = data
            .iter()
            .find(|a| a["id"] == app.owner_id.as_str())
            .unwrap();
        assert_eq!(owner["role"], "owner");
        // An author without a login has neither, for anyone.
        let plain = data.iter().find(|a| a["name"] == "No Login").unwrap();
        assert!(plain.get("email").is_none() && plain.get("role").is_none());

        for path in [resource(AUTHORS, &editor_id), by_slug(AUTHORS, &slug)] {
            let one = app.get(&path, Some(token)).await.expect(200).body;
            assert_eq!(one["email"], editor_email.as_str(), "{path}");
            assert_eq!(one["role"], "editor", "{path}");
        }
    }

    // Anonymous readers never see the keys, not even as null.
    let list = app.get(AUTHORS, None).await.expect(200);
    assert_eq!(list.body["data"].as_array().unwrap().len(), 4);
    for author in list.body["data"].as_array().unwrap() {
        let author = author.as_object().unwrap();
        assert!(!author.contains_key("email"), "{author:?}");
        assert!(!author.contains_key("role"), "{author:?}");
    }
    assert!(!list.text.contains(&editor_email) && !list.text.contains("@example.com"));
    for path in [
        resource(AUTHORS, &editor_id),
        by_slug(AUTHORS, &slug),
        resource(AUTHORS, &app.owner_id),
    ] {
        let one = app.get(&path, None).await.expect(200);
        let author = one.body.as_object().unwrap();
        assert!(!author.contains_key("email"), "{path}: {author:?}");
        assert!(!author.contains_key("role"), "{path}: {author:?}");
        assert!(!one.text.contains("@example.com"), "{path}");
    }
}

async fn who_may_create_whom(backend: Backend) {
    let app = spawn(backend).await;
    // `None` is an author without a login.
    let targets = [
        Some("owner"),
        Some("admin"),
        Some("editor"),
        Some("author"),
        Some("contributor"),
        None,
    ];
    let matrix: [(&str, [bool; 6]); 5] = [
        ("owner", [false, true, true, true, true, true]),
        ("admin", [false, true, true, true, true, true]),
        ("editor", [false, false, false, true, true, true]),
        ("author", [false; 6]),
        ("contributor", [false; 6]),
    ];
    let mut expected_total = 1;
    for (actor, allowed) in matrix {
        let token = if actor == "owner" {
            app.owner_token.clone()
        } else {
            expected_total += 1;
            app.staff(actor).await.1
        };
        for (target, allowed) in targets.into_iter().zip(allowed) {
            let name = format!("{actor} adds {}", target.unwrap_or("no login"));
            let body = match target {
                Some(role) => new_login(&name, &format!("{actor}-adds-{role}@example.com"), role),
                None => json!({"name": name}),
            };
            let res = app.post(AUTHORS, Some(&token), body).await;
            if allowed {
                let created = res.expect(201).body;
                assert_eq!(created["role"].as_str(), target, "{name}");
                expected_total += 1;
            } else {
                assert_eq!(
                    res.problem(403)["type"],
                    "urn:folio:problem:forbidden",
                    "{name}"
                );
            }
        }
    }
    assert_eq!(total(&app).await, expected_total);
    // What was created signs in with the role it was given.
    let token = app.login("admin-adds-editor@example.com", PASSWORD).await;
    let me = app.get(ME, Some(&token)).await.expect(200);
    assert_eq!(me.body["role"], "editor");
    app.post(
        LOGIN,
        None,
        json!({"email": "editor-adds-admin@example.com", "password": PASSWORD}),
    )
    .await
    .problem(401);
}

async fn who_may_edit_whom(backend: Backend) {
    let app = spawn(backend).await;
    let mut targets = vec![("owner", app.owner_id.clone())];
    for role in ["admin", "editor", "author", "contributor"] {
        targets.push((role, app.staff(role).await.0));
    }
    targets.push(("no login", id(&app.author("No Login").await).to_owned()));
    // Whether each actor may edit each target above; everyone may edit themselves.
    let matrix = [
        ("owner", [true, true, true, true, true, true]),
        ("admin", [false, true, true, true, true, true]),
        ("editor", [false, false, false, true, true, true]),
        ("author", [false; 6]),
        ("contributor", [false; 6]),
    ];
    for (actor, allowed) in matrix {
        let (actor_id, token) = if actor == "owner" {
            (app.owner_id.clone(), app.owner_token.clone())
        } else {
            app.staff(actor).await
        };
        for ((target, target_id), allowed) in targets.iter().zip(allowed) {
            let before = read(&app, target_id).await;
            let location = format!("Set by the {actor}");
            let res = edit(&app, target_id, &token, json!({"location": location})).await;
            let after = read(&app, target_id).await;
            if allowed {
                assert_eq!(res.expect(200).body["location"], location.as_str());
                assert_eq!(
                    after["location"],
                    location.as_str(),
                    "{actor} edits {target}"
                );
            } else {
                res.problem(403);
                assert_eq!(after, before, "{actor} may not edit {target}");
            }
        }
        // Their own profile, always.
        let res = edit(
            &app,
            &actor_id,
            &token,
            json!({"bio": format!("I am the {actor}")}),
        )
        .await;
        assert_eq!(res.expect(200).body["bio"], format!("I am the {actor}"));
    }
}

async fn role_changes(backend: Backend) {
    let app = spawn(backend).await;
    let draft = app
        .post_as(None, json!({"title": "The owner's draft"}))
        .await;
    assert_eq!(draft["status"], "draft");
    let draft_path = resource(POSTS, id(&draft));
    let (author_id, author) = app.staff("author").await;
    let (_, admin) = app.staff("admin").await;
    app.get(&draft_path, Some(&author)).await.problem(404);

    // Nobody promotes themselves.
    for role in ["editor", "admin", "owner"] {
        edit(&app, &author_id, &author, json!({"role": role}))
            .await
            .problem(403);
    }
    assert_eq!(read(&app, &author_id).await["role"], "author");

    // An admin promotes; the existing token carries the new role at once.
    let promoted = edit(&app, &author_id, &admin, json!({"role": "editor"})).await;
    assert_eq!(promoted.expect(200).body["role"], "editor");
    let me = app.get(ME, Some(&author)).await.expect(200);
    assert_eq!(me.body["role"], "editor");
    let read_draft = app.get(&draft_path, Some(&author)).await.expect(200);
    assert_eq!(read_draft.body["title"], "The owner's draft");

    // Editors do not change roles, not even among authors and contributors.
    let (contributor_id, contributor) = app.staff("contributor").await;
    edit(&app, &contributor_id, &author, json!({"role": "author"}))
        .await
        .problem(403);
    assert_eq!(read(&app, &contributor_id).await["role"], "contributor");
    // ... while the same editor may still change the contributor's profile.
    edit(&app, &contributor_id, &author, json!({"bio": "Edited"}))
        .await
        .expect(200);

    // Nobody makes an owner.
    for token in [&admin, &app.owner_token] {
        edit(&app, &contributor_id, token, json!({"role": "owner"}))
            .await
            .problem(403);
    }
    assert_eq!(read(&app, &contributor_id).await["role"], "contributor");
    app.get(ME, Some(&contributor)).await.expect(200);

    // The owner's role does not change, by the owner or by an admin.
    for token in [&app.owner_token, &admin] {
        edit(&app, &app.owner_id, token, json!({"role": "admin"}))
            .await
            .problem(403);
    }
    assert_eq!(read(&app, &app.owner_id).await["role"], "owner");

    // A demotion takes effect at once too: it signs the account out, and signed in again
    // it has the lesser role.
    edit(
        &app,
        &author_id,
        &app.owner_token,
        json!({"role": "contributor"}),
    )
    .await
    .expect(200);
    app.get(&draft_path, Some(&author)).await.problem(401);
    let email = read(&app, &author_id).await["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let author = app.login(&email, PASSWORD).await;
    app.get(&draft_path, Some(&author)).await.problem(404);
    app.post(TAGS, Some(&author), json!({"name": "Nope"}))
        .await
        .problem(403);

    // An author without a login has no role to change.
    let plain = app.author("No Login").await;
    let res = edit(&app, id(&plain), &admin, json!({"role": "author"})).await;
    assert_eq!(res.problem(422)["errors"][0]["field"], "role");
    assert!(read(&app, id(&plain)).await.get("role").is_none());
}

async fn password_changes(backend: Backend) {
    let app = spawn(backend).await;
    let (author_id, author) = app.staff("author").await;
    let email = read(&app, &author_id).await["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = async |password: &str| {
        app.post(LOGIN, None, json!({"email": email, "password": password}))
            .await
            .status
    };
    let new_password = "a-brand-new-password";

    for body in [
        json!({"password": new_password}),
        json!({"password": new_password, "current_password": "not-my-password"}),
        json!({"password": new_password, "current_password": null}),
    ] {
        let problem = edit(&app, &author_id, &author, body.clone())
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], "current_password", "{body}");
    }
    let weak = edit(
        &app,
        &author_id,
        &author,
        json!({"password": "short", "current_password": PASSWORD}),
    )
    .await
    .problem(422);
    assert_eq!(weak["errors"][0]["field"], "password");
    // None of that changed anything.
    assert_eq!(read(&app, &author_id).await["version"], 1);
    assert_eq!(login(PASSWORD).await, 200);
    assert_eq!(login(new_password).await, 401);

    let changed = edit(
        &app,
        &author_id,
        &author,
        json!({"password": new_password, "current_password": PASSWORD}),
    )
    .await
    .expect(200);
    assert!(changed.body.get("password_hash").is_none());
    assert!(!changed.text.contains("$argon2") && !changed.text.contains(new_password));
    assert_eq!(changed.body["version"], 2);
    assert_eq!(login(new_password).await, 200);
    assert_eq!(login(PASSWORD).await, 401);

    // The owner resets someone else's password without knowing it.
    let reset = "reset-by-the-owner";
    edit(
        &app,
        &author_id,
        &app.owner_token,
        json!({"password": reset}),
    )
    .await
    .expect(200);
    assert_eq!(login(reset).await, 200);
    assert_eq!(login(new_password).await, 401);
    // The owner's own change needs the current password like anyone's.
    edit(
        &app,
        &app.owner_id,
        &app.owner_token,
        json!({"password": "owner-new-password"}),
    )
    .await
    .problem(422);
    app.login(OWNER_EMAIL, OWNER_PASSWORD).await;

    // An author without a login gets no password, nor an email.
    let plain = app.author("No Login").await;
    for body in [
        json!({"password": reset}),
        json!({"email": "plain@example.com"}),
    ] {
        edit(&app, id(&plain), &app.owner_token, body)
            .await
            .problem(422);
    }
    assert!(read(&app, id(&plain)).await.get("email").is_none());
}

async fn own_email_changes_need_the_current_password(backend: Backend) {
    let app = spawn(backend).await;
    let (author_id, author) = app.staff("author").await;
    let email = app.email_of(&author_id).await;
    let moved = "moved@example.com";

    // A session alone, stolen or not, cannot move the account to another address.
    for (body, code) in [
        (json!({"email": moved}), "required"),
        (
            json!({"email": moved, "current_password": null}),
            "required",
        ),
        (
            json!({"email": moved, "current_password": "not-my-password"}),
            "incorrect",
        ),
    ] {
        let problem = edit(&app, &author_id, &author, body.clone())
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["field"], "current_password", "{body}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}");
    }
    assert_eq!(read(&app, &author_id).await["version"], 1);
    assert_eq!(app.email_of(&author_id).await, email);

    // The same address in another case is no change, and needs nothing.
    edit(
        &app,
        &author_id,
        &author,
        json!({"email": email.to_uppercase()}),
    )
    .await
    .expect(200);
    let changed = edit(
        &app,
        &author_id,
        &author,
        json!({"email": moved, "current_password": PASSWORD}),
    )
    .await
    .expect(200);
    assert_eq!(changed.body["email"], moved);
    app.login(moved, PASSWORD).await;
    app.post(LOGIN, None, json!({"email": email, "password": PASSWORD}))
        .await
        .problem(401);

    // Managing someone else's account is the owner's and admins' right, without their password.
    edit(
        &app,
        &author_id,
        &app.owner_token,
        json!({"email": "reassigned@example.com"}),
    )
    .await
    .expect(200);
    app.login("reassigned@example.com", PASSWORD).await;
}

async fn duplicate_emails_conflict(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let first = app
        .post(
            AUTHORS,
            owner,
            new_login("First", "dup@example.com", "author"),
        )
        .await
        .expect(201)
        .body;
    for email in [
        "dup@example.com",
        "DUP@Example.COM",
        " Dup@example.com ",
        "OWNER@example.com",
    ] {
        let res = app
            .post(AUTHORS, owner, new_login("Second", email, "author"))
            .await;
        let text = res.text.clone();
        assert_eq!(
            res.problem(409)["type"],
            "urn:folio:problem:conflict",
            "{email:?}"
        );
        assert!(
            !text.contains("UNIQUE") && !text.contains("duplicate key"),
            "{text}"
        );
    }
    assert_eq!(total(&app).await, 2);

    let (second_id, _) = app.staff("author").await;
    let second_email = read(&app, &second_id).await["email"].clone();
    for email in ["dup@example.com", "Dup@Example.com"] {
        edit(&app, &second_id, &app.owner_token, json!({"email": email}))
            .await
            .problem(409);
    }
    let after = read(&app, &second_id).await;
    assert_eq!(after["email"], second_email);
    assert_eq!(after["version"], 1);

    // Keeping your own address, in another case, is no conflict.
    let kept = edit(
        &app,
        id(&first),
        &app.owner_token,
        json!({"email": "DUP@EXAMPLE.COM"}),
    )
    .await
    .expect(200);
    assert_eq!(kept.body["email"], "dup@example.com");
    // A free address is taken as given, lower-cased.
    let moved = edit(
        &app,
        &second_id,
        &app.owner_token,
        json!({"email": "New@Example.com"}),
    )
    .await
    .expect(200);
    assert_eq!(moved.body["email"], "new@example.com");
    app.login("new@example.com", PASSWORD).await;
}

async fn delete_rules(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let (admin_id, admin) = app.staff("admin").await;
    let (editor_id, editor) = app.staff("editor").await;

    // The owner cannot be deleted, not even by the owner.
    for token in [&admin, &app.owner_token, &editor] {
        app.delete(&resource(AUTHORS, &app.owner_id), Some(token))
            .await
            .problem(403);
    }
    read(&app, &app.owner_id).await;
    // Authors and contributors cannot delete themselves, nor others.
    for role in ["author", "contributor"] {
        let (me, token) = app.staff(role).await;
        app.delete(&resource(AUTHORS, &me), Some(&token))
            .await
            .problem(403);
        app.delete(&resource(AUTHORS, &editor_id), Some(&token))
            .await
            .problem(403);
        app.get(ME, Some(&token)).await.expect(200);
    }
    // Editors delete authors and contributors, not admins.
    app.delete(&resource(AUTHORS, &admin_id), Some(&editor))
        .await
        .problem(403);
    read(&app, &admin_id).await;

    // The only author of a post is kept, and so is the post.
    let (solo_id, solo) = app.staff("author").await;
    let post = app
        .post_as(Some(&solo), json!({"title": "Solo work"}))
        .await;
    let post_path = resource(POSTS, id(&post));
    let res = app.delete(&resource(AUTHORS, &solo_id), owner).await;
    assert!(
        res.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains("only author"),
    );
    read(&app, &solo_id).await;
    let kept = app.get(&post_path, owner).await.expect(200).body;
    assert_eq!(kept["authors"][0]["id"], solo_id.as_str());
    app.get(ME, Some(&solo)).await.expect(200);

    // With a co-author, the author goes and the post keeps the co-author.
    let (co_id, _) = app.staff("author").await;
    let shared = app
        .post_as(
            None,
            json!({"title": "Shared", "status": "published", "authors": [co_id, app.owner_id]}),
        )
        .await;
    let before = total(&app).await;
    app.delete(&resource(AUTHORS, &co_id), Some(&editor))
        .await
        .expect(204);
    assert_eq!(total(&app).await, before - 1);
    app.get(&resource(AUTHORS, &co_id), None).await.problem(404);
    let shared = app
        .get(&resource(POSTS, id(&shared)), None)
        .await
        .expect(200)
        .body;
    let byline: Vec<_> = shared["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(byline, [app.owner_id.as_str()]);

    // Admins may delete themselves; the owner may delete admins.
    app.delete(&resource(AUTHORS, &admin_id), Some(&admin))
        .await
        .expect(204);
    app.delete(&resource(AUTHORS, &editor_id), owner)
        .await
        .expect(204);
}

async fn deleting_an_author_ends_their_session(backend: Backend) {
    let app = spawn(backend).await;
    let (editor_id, editor) = app.staff("editor").await;
    let email = read(&app, &editor_id).await["email"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get(ME, Some(&editor)).await.expect(200);
    app.post(TAGS, Some(&editor), json!({"name": "Before"}))
        .await
        .expect(201);
    app.delete(&resource(AUTHORS, &editor_id), Some(&app.owner_token))
        .await
        .expect(204);
    for res in [
        app.get(ME, Some(&editor)).await,
        app.get(AUTHORS, Some(&editor)).await,
        app.post(TAGS, Some(&editor), json!({"name": "After"}))
            .await,
    ] {
        assert!(res.header("www-authenticate").is_some());
        res.problem(401);
    }
    assert_eq!(
        app.get(&format!("{TAGS}?count=true"), None).await.body["meta"]["pagination"]["total"],
        1
    );
    app.post(LOGIN, None, json!({"email": email, "password": PASSWORD}))
        .await
        .problem(401);
}

async fn author_versions(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let author = app.author("Versioned").await;
    let path = resource(AUTHORS, id(&author));

    app.patch(&path, owner, "\"1\"", json!({"name": "Second"}))
        .await
        .expect(200);
    // The version read before that change is stale.
    let stale = app
        .patch(&path, owner, "\"1\"", json!({"name": "Lost update"}))
        .await;
    assert_eq!(
        stale.problem(412)["type"],
        "urn:folio:problem:version-mismatch"
    );
    let stale = app
        .call(
            "PATCH",
            &path,
            owner,
            Some(json!({"name": "Lost update", "version": 1})),
            &[],
        )
        .await;
    stale.problem(412);
    // Saying nothing about the version is not allowed.
    let missing = app
        .call("PATCH", &path, owner, Some(json!({"name": "Blind"})), &[])
        .await;
    assert_eq!(
        missing.problem(428)["type"],
        "urn:folio:problem:version-required"
    );
    let current = app.get(&path, None).await.expect(200);
    assert_eq!(current.body["name"], "Second");
    assert_eq!(current.body["version"], 2);
    assert_eq!(current.etag_version(), 2);

    // The version may come in the body instead of `If-Match`.
    let third = app
        .call(
            "PATCH",
            &path,
            owner,
            Some(json!({"name": "Third", "version": 2})),
            &[],
        )
        .await
        .expect(200);
    assert_eq!(third.body["version"], 3);
    assert_eq!(third.etag_version(), 3);
    // `If-Match` and `version` that disagree can never both hold.
    app.patch(&path, owner, "\"3\"", json!({"name": "Torn", "version": 2}))
        .await
        .problem(412);
    assert_eq!(app.get(&path, None).await.body["name"], "Third");
}
