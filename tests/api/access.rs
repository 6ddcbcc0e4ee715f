//! Access for teams and integrations: refresh-token sessions, API keys, disabling accounts,
//! handing over ownership, limits on guessing and on request rates, CORS and the headers
//! every answer carries.

use actix_web::body::MessageBody;
use actix_web::test::TestRequest;
use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{
    API, AUTHORS, KEYS, LOGIN, LOGOUT, ME, OPENAPI, POSTS, REFRESH, TAGS, resource,
};
use crate::support::{
    Backend, OWNER_EMAIL, OWNER_PASSWORD, PASSWORD, Response, Served, TestApp, id, slugs, spawn,
    spawn_with,
};

on_both_backends!(
    refresh_rotates_and_a_reused_token_signs_the_session_out,
    logout_ends_one_session_and_may_be_repeated,
    refreshing_does_not_keep_a_session_for_ever,
    a_new_password_ends_every_session,
    disabled_accounts_cannot_sign_in_and_keep_their_posts,
    a_lowered_role_signs_out_and_a_raised_one_does_not,
    the_owner_hands_over_ownership_and_becomes_an_admin,
    content_keys_read_what_anonymous_readers_read,
    revoked_keys_stop_at_once_even_for_kept_reads,
    integration_keys_act_for_their_maker_with_their_role,
    integration_keys_do_not_manage_sign_ins,
    integration_keys_follow_their_makers_account,
    only_admins_in_person_manage_keys,
    a_server_may_require_a_content_key,
    the_sixth_bad_login_is_429,
    failures_from_one_address_are_limited_across_accounts,
    bad_refreshes_are_limited_per_address,
    each_client_has_a_request_rate,
    cors_answers_allowed_origins_only,
    every_answer_carries_the_security_headers,
    heavy_request_heads_are_431,
    bodies_that_never_arrive_are_408,
);

#[track_caller]
fn assert_signed_out(res: Response) {
    assert_eq!(res.problem(401)["type"], "urn:folio:problem:unauthorized");
}

async fn refresh_rotates_and_a_reused_token_signs_the_session_out(backend: Backend) {
    let app = spawn(backend).await;
    let first = app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    let second = app.refresh(&first["refresh_token"]).await.expect(200);
    assert_eq!(second.header("cache-control"), Some("no-store"));
    let second = second.body;
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    let access = second["access_token"].as_str().unwrap();
    app.get(ME, Some(access)).await.expect(200);
    // The rotated token again: someone copied it. The whole session ends, the thief's and
    // the holder's tokens alike.
    let reuse = app.refresh(&first["refresh_token"]).await.problem(401);
    assert!(
        reuse["detail"].as_str().unwrap().contains("already used"),
        "{reuse}"
    );
    assert_signed_out(app.refresh(&second["refresh_token"]).await);
    assert_signed_out(app.get(ME, Some(access)).await);
    assert_signed_out(
        app.get(ME, Some(first["access_token"].as_str().unwrap()))
            .await,
    );
    // Other sessions are not touched.
    app.get(ME, Some(&app.owner_token)).await.expect(200);
    // Garbage is refused as plainly.
    for garbage in [json!("folio_rt_nope"), json!("")] {
        assert_signed_out(app.refresh(&garbage).await);
    }
    app.post(REFRESH, None, json!({})).await.problem(422);
}

async fn logout_ends_one_session_and_may_be_repeated(backend: Backend) {
    let app = spawn(backend).await;
    let session = app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    let access = session["access_token"].as_str().unwrap();
    app.get(ME, Some(access)).await.expect(200);
    let logout = json!({"refresh_token": session["refresh_token"]});
    app.post(LOGOUT, None, logout.clone()).await.expect(204);
    assert_signed_out(app.get(ME, Some(access)).await);
    assert_signed_out(app.refresh(&session["refresh_token"]).await);
    app.post(LOGOUT, None, logout).await.expect(204);
    app.post(LOGOUT, None, json!({"refresh_token": "folio_rt_unknown"}))
        .await
        .expect(204);
    // The owner's other session goes on.
    app.get(ME, Some(&app.owner_token)).await.expect(200);
}

async fn refreshing_does_not_keep_a_session_for_ever(backend: Backend) {
    let app = spawn_with(backend, |cfg| {
        cfg.protection.session_max_age = std::time::Duration::from_secs(1)
    })
    .await;
    let session = app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    let next = app
        .refresh(&session["refresh_token"])
        .await
        .expect(200)
        .body;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_signed_out(app.refresh(&next["refresh_token"]).await);
}

async fn a_new_password_ends_every_session(backend: Backend) {
    let app = spawn(backend).await;
    let (author_id, token) = app.staff("author").await;
    let email = app.email_of(&author_id).await;
    let other = app.sign_in(&email, PASSWORD).await;
    // Changed by the account itself, with the current password.
    let path = resource(AUTHORS, &author_id);
    let etag = app.get(&path, Some(&token)).await.expect(200).etag();
    app.patch(
        &path,
        Some(&token),
        &etag,
        json!({"password": "a-brand-new-password", "current_password": PASSWORD}),
    )
    .await
    .expect(200);
    assert_signed_out(app.get(ME, Some(&token)).await);
    assert_signed_out(
        app.get(ME, Some(other["access_token"].as_str().unwrap()))
            .await,
    );
    assert_signed_out(app.refresh(&other["refresh_token"]).await);
    let fresh = app.sign_in(&email, "a-brand-new-password").await;
    // Reset by the owner: the same.
    app.change_author(&author_id, json!({"password": "reset-by-the-owner"}))
        .await
        .expect(200);
    assert_signed_out(
        app.get(ME, Some(fresh["access_token"].as_str().unwrap()))
            .await,
    );
    // Changing the name signs nobody out.
    let kept = app.sign_in(&email, "reset-by-the-owner").await;
    app.change_author(&author_id, json!({"name": "Renamed"}))
        .await
        .expect(200);
    app.get(ME, Some(kept["access_token"].as_str().unwrap()))
        .await
        .expect(200);
}

async fn disabled_accounts_cannot_sign_in_and_keep_their_posts(backend: Backend) {
    let app = spawn(backend).await;
    let (author_id, token) = app.staff("author").await;
    let email = app.email_of(&author_id).await;
    let session = app.sign_in(&email, PASSWORD).await;
    app.post_as(
        Some(&token),
        json!({"title": "Still Here", "status": "published"}),
    )
    .await;

    let disabled = app
        .change_author(&author_id, json!({"disabled": true}))
        .await
        .expect(200)
        .body;
    assert_eq!(disabled["disabled"], true);
    assert_signed_out(app.get(ME, Some(&token)).await);
    assert_signed_out(app.refresh(&session["refresh_token"]).await);
    let refused = app
        .post(LOGIN, None, json!({"email": email, "password": PASSWORD}))
        .await
        .problem(401);
    assert!(refused["detail"].as_str().unwrap().contains("disabled"));
    // A wrong password does not learn that the account is disabled.
    let wrong = app
        .post(
            LOGIN,
            None,
            json!({"email": email, "password": "not-the-password"}),
        )
        .await
        .problem(401);
    assert!(!wrong["detail"].as_str().unwrap().contains("disabled"));
    // The posts stay, and readers never learn of the account's state.
    let list = app.get(POSTS, None).await.expect(200).body;
    assert_eq!(slugs(&list), ["still-here"]);
    let public = app
        .get(&resource(AUTHORS, &author_id), None)
        .await
        .expect(200)
        .body;
    assert!(public.get("disabled").is_none(), "{public}");

    app.change_author(&author_id, json!({"disabled": false}))
        .await
        .expect(200);
    app.sign_in(&email, PASSWORD).await;

    // Not oneself, not the owner, not by those who may not manage the account.
    let (admin_id, admin) = app.staff("admin").await;
    let (_, editor) = app.staff("editor").await;
    for (target, token) in [
        (admin_id.as_str(), admin.as_str()),
        (app.owner_id.as_str(), admin.as_str()),
        (admin_id.as_str(), editor.as_str()),
    ] {
        let path = resource(AUTHORS, target);
        let etag = app.get(&path, Some(token)).await.expect(200).etag();
        app.patch(&path, Some(token), &etag, json!({"disabled": true}))
            .await
            .problem(403);
    }
    app.get(ME, Some(&admin)).await.expect(200);
    // An author without a login has nothing to disable.
    let plain = app.author("No Login").await;
    let res = app
        .change_author(id(&plain), json!({"disabled": true}))
        .await;
    assert_eq!(res.problem(422)["errors"][0]["code"], "no_login");
}

async fn a_lowered_role_signs_out_and_a_raised_one_does_not(backend: Backend) {
    let app = spawn(backend).await;
    let (author_id, token) = app.staff("author").await;
    app.change_author(&author_id, json!({"role": "editor"}))
        .await
        .expect(200);
    let me = app.get(ME, Some(&token)).await.expect(200);
    assert_eq!(me.body["role"], "editor");
    app.change_author(&author_id, json!({"role": "contributor"}))
        .await
        .expect(200);
    assert_signed_out(app.get(ME, Some(&token)).await);
}

async fn the_owner_hands_over_ownership_and_becomes_an_admin(backend: Backend) {
    let app = spawn(backend).await;
    let (admin_id, admin) = app.staff("admin").await;
    let transfer = |target: &str| format!("{AUTHORS}/{target}/ownership");
    // Only the owner may.
    app.post(&transfer(&admin_id), Some(&admin), json!(null))
        .await
        .problem(403);
    app.post(&transfer(&admin_id), None, json!(null))
        .await
        .problem(401);
    // Not to an author without a login, nor to a disabled account, nor to oneself.
    let plain = app.author("No Login").await;
    let (editor_id, _) = app.staff("editor").await;
    app.change_author(&editor_id, json!({"disabled": true}))
        .await
        .expect(200);
    for target in [id(&plain), editor_id.as_str(), app.owner_id.as_str()] {
        let problem = app
            .post(&transfer(target), Some(&app.owner_token), json!(null))
            .await
            .problem(422);
        assert_eq!(problem["errors"][0]["code"], "not_eligible");
    }
    app.post(
        &transfer("0192f0c4-6a6e-7d31-a9f5-3c3a4a0d9e11"),
        Some(&app.owner_token),
        json!(null),
    )
    .await
    .problem(404);

    let owner = app
        .post(&transfer(&admin_id), Some(&app.owner_token), json!(null))
        .await
        .expect(200)
        .body;
    assert_eq!(owner["role"], "owner");
    // The former owner was lowered to admin, so signed out; signed in again, an admin.
    assert_signed_out(app.get(ME, Some(&app.owner_token)).await);
    let former = app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    let former = former["access_token"].as_str().unwrap();
    let me = app.get(ME, Some(former)).await.expect(200);
    assert_eq!(me.body["role"], "admin");
    // There is one owner: the new one cannot be demoted or deleted by the former.
    let path = resource(AUTHORS, &admin_id);
    let etag = app.get(&path, Some(former)).await.expect(200).etag();
    app.patch(&path, Some(former), &etag, json!({"role": "editor"}))
        .await
        .problem(403);
    app.delete(&path, Some(former)).await.problem(403);
    let owners: Vec<Value> = app
        .get(&format!("{AUTHORS}?limit=100"), Some(&admin))
        .await
        .expect(200)
        .body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["role"] == "owner")
        .cloned()
        .collect();
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0]["id"], admin_id.as_str());
}

async fn content_keys_read_what_anonymous_readers_read(backend: Backend) {
    let app = spawn(backend).await;
    for n in 0..3 {
        app.post_as(
            None,
            json!({"title": format!("Live {n}"), "status": "published"}),
        )
        .await;
    }
    let draft = app.post_as(None, json!({"title": "Draft"})).await;
    let (key_id, secret) = app.key(json!({"name": "Blog", "kind": "content"})).await;
    assert!(secret.starts_with("folio_ck_"));

    let anonymous = app.get(&format!("{POSTS}?limit=2"), None).await.expect(200);
    let by_header = app
        .with_key("GET", &format!("{POSTS}?limit=2"), &secret, None)
        .await
        .expect(200);
    let by_query = app
        .get(&format!("{POSTS}?limit=2&key={secret}"), None)
        .await
        .expect(200);
    assert_eq!(by_header.body, anonymous.body);
    assert_eq!(by_query.body, anonymous.body);
    // A link to the next page never carries the key: a shared cache may hand it to others.
    let link = by_query.header("link").expect("a next link");
    assert!(!link.contains(&secret) && !link.contains("key="), "{link}");
    let next = by_query.body["meta"]["pagination"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let page_two = app
        .get(&format!("{POSTS}?limit=2&cursor={next}&key={secret}"), None)
        .await
        .expect(200);
    assert_eq!(page_two.body["data"].as_array().unwrap().len(), 1);
    // No drafts, no staff fields.
    app.with_key("GET", &resource(POSTS, id(&draft)), &secret, None)
        .await
        .problem(404);
    let owner = app
        .with_key("GET", &resource(AUTHORS, &app.owner_id), &secret, None)
        .await
        .expect(200)
        .body;
    assert!(owner.get("email").is_none() && owner.get("role").is_none());
    // Reading is all it does.
    let write = app
        .with_key("POST", POSTS, &secret, Some(json!({"title": "Nope"})))
        .await
        .problem(403);
    assert!(write["detail"].as_str().unwrap().contains("content key"));
    app.with_key("GET", ME, &secret, None).await.problem(403);

    // The list shows no secret, and when the key was last used.
    let keys = app.get(KEYS, Some(&app.owner_token)).await.expect(200);
    assert!(!keys.text.contains(&secret));
    let key = &keys.body["data"][0];
    assert_eq!(key["id"], key_id.as_str());
    assert_eq!(key["kind"], "content");
    assert_eq!(key["role"], Value::Null);
    assert!(secret.starts_with(key["prefix"].as_str().unwrap()));
    assert!(key["last_used_at"].is_string(), "{key}");
    assert_eq!(key["revoked_at"], Value::Null);
    assert_eq!(key["created_by"], app.owner_id.as_str());
}

async fn revoked_keys_stop_at_once_even_for_kept_reads(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(None, json!({"title": "Live", "status": "published"}))
        .await;
    let (key_id, secret) = app.key(json!({"name": "Blog", "kind": "content"})).await;
    // Read twice: the second answer comes from the response cache.
    for _ in 0..2 {
        app.with_key("GET", POSTS, &secret, None).await.expect(200);
    }
    app.delete(&resource(KEYS, &key_id), Some(&app.owner_token))
        .await
        .expect(204);
    let refused = app.with_key("GET", POSTS, &secret, None).await.problem(401);
    assert!(refused["detail"].as_str().unwrap().contains("API key"));
    app.get(&format!("{POSTS}?key={secret}"), None)
        .await
        .problem(401);
    // Revoking again is no error; the record stays, marked.
    app.delete(&resource(KEYS, &key_id), Some(&app.owner_token))
        .await
        .expect(204);
    let key = app
        .get(&resource(KEYS, &key_id), Some(&app.owner_token))
        .await
        .expect(200)
        .body;
    assert!(key["revoked_at"].is_string());
    // An unknown key is refused, never read as anonymous.
    app.with_key("GET", POSTS, "folio_ck_made-up", None)
        .await
        .problem(401);
}

/// An admin, and an integration key it made with the role editor: (admin id, secret).
async fn editor_key<S: Served<B>, B: MessageBody>(app: &TestApp<S>) -> (String, String) {
    let (admin_id, admin) = app.staff("admin").await;
    let res = app
        .post(
            KEYS,
            Some(&admin),
            json!({"name": "Importer", "kind": "integration", "role": "editor"}),
        )
        .await
        .expect(201);
    let secret = res.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("folio_ik_"));
    assert_eq!(res.body["role"], "editor");
    (admin_id, secret)
}

async fn integration_keys_act_for_their_maker_with_their_role(backend: Backend) {
    let app = spawn(backend).await;
    let (admin_id, secret) = editor_key(&app).await;
    // It writes, as its maker.
    let post = app
        .with_key(
            "POST",
            POSTS,
            &secret,
            Some(json!({"title": "Imported", "status": "published"})),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(post["authors"][0]["id"], admin_id.as_str());
    // With the key's role, not its maker's: editors may not add admins.
    app.with_key(
        "POST",
        AUTHORS,
        &secret,
        Some(json!({"name": "X", "email": "x@example.com", "password": PASSWORD, "role": "admin"})),
    )
    .await
    .problem(403);
    // Never from a URL, and never to make more keys.
    app.get(&format!("{POSTS}?key={secret}"), None)
        .await
        .problem(401);
    app.with_key(
        "POST",
        KEYS,
        &secret,
        Some(json!({"name": "More", "kind": "content"})),
    )
    .await
    .problem(403);
    // Profiles without a login are fair game.
    let plain = app
        .with_key(
            "POST",
            AUTHORS,
            &secret,
            Some(json!({"name": "Guest Writer"})),
        )
        .await
        .expect(201)
        .body;
    app.with_key("DELETE", &resource(AUTHORS, id(&plain)), &secret, None)
        .await
        .expect(204);
}

/// No new login (it could sign in as it, and outlive the key), no password, email, role or
/// access changed, not even its maker's; no login deleted.
async fn integration_keys_do_not_manage_sign_ins(backend: Backend) {
    let app = spawn(backend).await;
    let (admin_id, secret) = editor_key(&app).await;
    app.with_key(
        "POST",
        AUTHORS,
        &secret,
        Some(
            json!({"name": "Y", "email": "y@example.com", "password": PASSWORD, "role": "author"}),
        ),
    )
    .await
    .problem(403);
    let (author_id, _) = app.staff("author").await;
    for (target, change) in [
        (
            author_id.as_str(),
            json!({"password": "taken-over-password"}),
        ),
        (author_id.as_str(), json!({"disabled": true})),
        (author_id.as_str(), json!({"role": "contributor"})),
        (admin_id.as_str(), json!({"email": "elsewhere@example.com"})),
    ] {
        let path = resource(AUTHORS, target);
        let etag = app.get(&path, Some(&app.owner_token)).await.etag();
        app.call(
            "PATCH",
            &path,
            None,
            Some(change),
            &[("x-folio-key", &secret), ("if-match", &etag)],
        )
        .await
        .problem(403);
    }
    app.with_key("DELETE", &resource(AUTHORS, &author_id), &secret, None)
        .await
        .problem(403);
}

async fn integration_keys_follow_their_makers_account(backend: Backend) {
    let app = spawn(backend).await;
    let (admin_id, secret) = editor_key(&app).await;
    // Its maker's role caps it: demoted to author, the key does only what authors do.
    app.change_author(&admin_id, json!({"role": "author"}))
        .await
        .expect(200);
    let tag = app.tag("Editors Only").await;
    app.with_key("DELETE", &resource(TAGS, id(&tag)), &secret, None)
        .await
        .problem(403);
    // Its maker disabled, the key stops.
    app.change_author(&admin_id, json!({"disabled": true}))
        .await
        .expect(200);
    app.with_key("GET", POSTS, &secret, None).await.problem(401);
    // Re-enabled, it works again (as an author now).
    app.change_author(&admin_id, json!({"disabled": false}))
        .await
        .expect(200);
    app.with_key("GET", POSTS, &secret, None).await.expect(200);
}

async fn only_admins_in_person_manage_keys(backend: Backend) {
    let app = spawn(backend).await;
    let body = json!({"name": "Blog", "kind": "content"});
    app.post(KEYS, None, body.clone()).await.problem(401);
    for role in ["editor", "author", "contributor"] {
        let (_, token) = app.staff(role).await;
        app.post(KEYS, Some(&token), body.clone())
            .await
            .problem(403);
        app.get(KEYS, Some(&token)).await.problem(403);
    }
    let (_, admin) = app.staff("admin").await;
    app.post(KEYS, Some(&admin), body.clone()).await.expect(201);
    // No more than one's own role, never the owner's, and only integration keys have one.
    for (body, status, field) in [
        (
            json!({"name": "x", "kind": "integration", "role": "owner"}),
            422,
            "role",
        ),
        (json!({"name": "x", "kind": "integration"}), 422, "role"),
        (
            json!({"name": "x", "kind": "content", "role": "editor"}),
            422,
            "role",
        ),
        (json!({"name": " ", "kind": "content"}), 422, "name"),
        (json!({"name": "x", "kind": "master"}), 422, "kind"),
    ] {
        let problem = app
            .post(KEYS, Some(&admin), body.clone())
            .await
            .problem(status);
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    let keys = app.get(KEYS, Some(&admin)).await.expect(200);
    assert_eq!(keys.body["data"].as_array().unwrap().len(), 1);
    app.get(
        &format!("{KEYS}/0192f0c4-6a6e-7d31-a9f5-3c3a4a0d9e11"),
        Some(&admin),
    )
    .await
    .problem(404);
    app.delete(
        &format!("{KEYS}/0192f0c4-6a6e-7d31-a9f5-3c3a4a0d9e11"),
        Some(&admin),
    )
    .await
    .problem(404);
}

async fn a_server_may_require_a_content_key(backend: Backend) {
    let app = spawn_with(backend, |cfg| cfg.protection.content_key_required = true).await;
    app.post_as(None, json!({"title": "Live", "status": "published"}))
        .await;
    let (_, secret) = app.key(json!({"name": "Blog", "kind": "content"})).await;
    for path in [POSTS, &format!("{POSTS}/slug/live"), TAGS] {
        let problem = app.get(path, None).await.problem(401);
        assert!(problem["detail"].as_str().unwrap().contains("content key"));
        app.with_key("GET", path, &secret, None).await.expect(200);
        app.get(path, Some(&app.owner_token)).await.expect(200);
    }
    app.get("/healthz", None).await.expect(200);
    app.get(OPENAPI, None).await.expect(200);
    // No shared cache may keep a keyed read: many key on the URL alone.
    let read = app.with_key("GET", POSTS, &secret, None).await;
    assert_eq!(
        read.header("cache-control"),
        Some("private, max-age=60, stale-while-revalidate=300")
    );
}

async fn the_sixth_bad_login_is_429(backend: Backend) {
    let app = spawn(backend).await;
    let (author_id, _) = app.staff("author").await;
    let email = app.email_of(&author_id).await;
    for _ in 0..5 {
        app.login_from("192.0.2.1", &email, "wrong-password")
            .await
            .problem(401);
    }
    let limited = app.login_from("192.0.2.1", &email, "wrong-password").await;
    let retry_after: u64 = limited
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(
        limited.problem(429)["type"],
        "urn:folio:problem:too-many-requests"
    );
    // The account is locked for the window, from anywhere, even with its password...
    app.login_from("198.51.100.7", &email, PASSWORD)
        .await
        .problem(429);
    // ...while other accounts sign in as ever.
    app.login_from("192.0.2.1", OWNER_EMAIL, OWNER_PASSWORD)
        .await
        .expect(200);

    // A success forgets the account's earlier failures.
    let (other_id, _) = app.staff("author").await;
    let other = app.email_of(&other_id).await;
    for _ in 0..4 {
        app.login_from("203.0.113.5", &other, "wrong-password")
            .await
            .problem(401);
    }
    app.login_from("203.0.113.5", &other, PASSWORD)
        .await
        .expect(200);
    for _ in 0..5 {
        app.login_from("203.0.113.5", &other, "wrong-password")
            .await
            .problem(401);
    }
}

async fn failures_from_one_address_are_limited_across_accounts(backend: Backend) {
    let app = spawn_with(backend, |cfg| {
        cfg.protection.throttle.per_address = 3;
        cfg.protection.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    // Spraying a password over many accounts from one address.
    for n in 0..3 {
        app.login_from("192.0.2.1", &format!("user{n}@example.com"), "guess")
            .await
            .problem(401);
    }
    app.login_from("192.0.2.1", OWNER_EMAIL, OWNER_PASSWORD)
        .await
        .problem(429);
    app.login_from("192.0.2.2", OWNER_EMAIL, OWNER_PASSWORD)
        .await
        .expect(200);
    // Behind a trusted proxy the client is the one the proxy names; a client naming itself
    // from outside is not believed.
    let via = |peer: &str, forwarded: &str| {
        TestRequest::post()
            .uri(LOGIN)
            .peer_addr(format!("{peer}:40000").parse().unwrap())
            .insert_header(("x-forwarded-for", forwarded.to_owned()))
            .insert_header(("content-type", "application/json"))
            .set_payload(json!({"email": OWNER_EMAIL, "password": OWNER_PASSWORD}).to_string())
    };
    app.send(via("10.0.0.1", "192.0.2.1")).await.problem(429);
    app.send(via("10.0.0.1", "192.0.2.9")).await.expect(200);
    app.send(via("192.0.2.1", "192.0.2.9")).await.problem(429);
}

async fn bad_refreshes_are_limited_per_address(backend: Backend) {
    let app = spawn_with(backend, |cfg| cfg.protection.throttle.per_address = 2).await;
    let session = app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    let attempt = |token: Value| {
        TestRequest::post()
            .uri(REFRESH)
            .peer_addr("192.0.2.1:40000".parse().unwrap())
            .insert_header(("content-type", "application/json"))
            .set_payload(json!({ "refresh_token": token }).to_string())
    };
    for _ in 0..2 {
        app.send(attempt(json!("folio_rt_guess")))
            .await
            .problem(401);
    }
    app.send(attempt(session["refresh_token"].clone()))
        .await
        .problem(429);
    // Not consumed by the refusal: from elsewhere it still works.
    app.refresh(&session["refresh_token"]).await.expect(200);
    // Refreshes count apart from sign-ins: the address may still sign in.
    app.login_from("192.0.2.1", OWNER_EMAIL, OWNER_PASSWORD)
        .await
        .expect(200);
}

async fn each_client_has_a_request_rate(backend: Backend) {
    let app = spawn_with(backend, |cfg| cfg.protection.rate_limit_per_minute = 3).await;
    let from = |address: &str, path: &str| {
        TestRequest::get()
            .uri(path)
            .peer_addr(format!("{address}:40000").parse().unwrap())
    };
    for _ in 0..3 {
        app.send(from("192.0.2.1", POSTS)).await.expect(200);
    }
    let limited = app.send(from("192.0.2.1", TAGS)).await;
    assert!(limited.header("retry-after").is_some());
    limited.problem(429);
    app.send(from("192.0.2.2", POSTS)).await.expect(200);
    // Load balancers' probes are not counted.
    app.send(from("192.0.2.1", "/healthz")).await.expect(200);
}

async fn cors_answers_allowed_origins_only(backend: Backend) {
    let app = spawn_with(backend, |cfg| {
        cfg.protection.cors_origins = vec!["https://blog.example.com".into()]
    })
    .await;
    let preflight = |origin: &str| {
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri(POSTS)
            .insert_header(("origin", origin.to_owned()))
            .insert_header(("access-control-request-method", "POST"))
            .insert_header((
                "access-control-request-headers",
                "authorization, content-type, x-folio-key",
            ))
    };
    let allowed = app.send(preflight("https://blog.example.com")).await;
    assert!(
        allowed.status == 200 || allowed.status == 204,
        "{}",
        allowed.status
    );
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://blog.example.com")
    );
    let headers = allowed
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(headers.contains("x-folio-key") && headers.contains("authorization"));
    assert!(allowed.header("access-control-allow-credentials").is_none());

    let refused = app.send(preflight("https://evil.example.net")).await;
    assert!(refused.header("access-control-allow-origin").is_none());
    refused.problem(400);

    let get = |origin: &str| {
        TestRequest::get()
            .uri(POSTS)
            .insert_header(("origin", origin.to_owned()))
    };
    let read = app.send(get("https://blog.example.com")).await.expect(200);
    assert_eq!(
        read.header("access-control-allow-origin"),
        Some("https://blog.example.com")
    );
    let exposed = read
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("link"),
        "{exposed}"
    );
    // Another origin is answered, but without the header a browser needs to show it.
    let other = app.send(get("https://evil.example.net")).await.expect(200);
    assert!(other.header("access-control-allow-origin").is_none());
}

async fn every_answer_carries_the_security_headers(backend: Backend) {
    let app = spawn(backend).await;
    let answers: Vec<Response> = vec![
        app.get(POSTS, None).await.expect(200),
        app.get(&format!("{API}/nothing-here"), None)
            .await
            .expect(404),
        app.get(ME, None).await.expect(401),
        app.get("/healthz", None).await.expect(200),
    ];
    for res in answers {
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(res.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(res.header("x-frame-options"), Some("DENY"));
        assert_eq!(
            res.header("content-security-policy"),
            Some("default-src 'none'; frame-ancestors 'none'")
        );
        assert!(res.header("server").is_none(), "no version banner");
    }
}

async fn heavy_request_heads_are_431(backend: Backend) {
    let app = spawn(backend).await;
    let padding = "x".repeat(17 * 1024);
    let problem = app
        .call("GET", POSTS, None, None, &[("x-padding", &padding)])
        .await
        .problem(431);
    assert_eq!(problem["type"], "urn:folio:problem:headers-too-large");
    let padding = "x".repeat(8 * 1024);
    app.call("GET", POSTS, None, None, &[("x-padding", &padding)])
        .await
        .expect(200);
}

async fn bodies_that_never_arrive_are_408(backend: Backend) {
    let app = spawn_with(backend, |cfg| {
        cfg.protection.client_timeout = std::time::Duration::from_secs(1)
    })
    .await;
    let before = app.get(&format!("{TAGS}?count=true"), None).await.body;
    // A client that starts a body and never finishes it.
    let trickle =
        futures_util::stream::iter([Ok(actix_web::web::Bytes::from_static(b"{\"name\": \"Slo"))])
            .chain(futures_util::stream::pending());
    let sent = app.send_streaming(
        TestRequest::post()
            .uri(TAGS)
            .insert_header(("authorization", format!("Bearer {}", app.owner_token)))
            .insert_header(("content-type", "application/json")),
        trickle,
    );
    // Without the server's timeout this would wait for ever; the test's own bound is loose.
    let res = actix_web::rt::time::timeout(std::time::Duration::from_secs(30), sent)
        .await
        .expect("the server gave up on the body");
    assert_eq!(res.header("connection"), Some("close"));
    assert_eq!(
        res.problem(408)["type"],
        "urn:folio:problem:request-timeout"
    );
    let after = app.get(&format!("{TAGS}?count=true"), None).await.body;
    assert_eq!(after, before, "nothing was written");
}
