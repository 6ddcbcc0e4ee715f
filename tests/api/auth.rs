//! Signing in, and which access tokens the API accepts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{AUTHORS, LOGIN, ME, POSTS, TAGS, resource};
use crate::support::{
    self, Backend, OWNER_EMAIL, OWNER_PASSWORD, PASSWORD, id, spawn, spawn_fresh,
};

on_both_backends!(
    a_first_start_migrates_and_creates_the_owner,
    login_answers_a_bearer_token,
    wrong_password_and_unknown_email_look_the_same,
    emails_sign_in_case_insensitively,
    malformed_logins_are_refused,
    me_needs_a_token,
    tampered_tokens_are_refused,
    tokens_signed_with_another_secret_are_refused,
    expired_tokens_are_refused,
    tokens_not_yet_valid_are_refused,
    unsigned_tokens_are_refused,
    tokens_of_missing_authors_are_refused,
    the_role_comes_from_the_account_not_the_token,
    garbage_tokens_are_not_anonymous,
);

/// Every other test starts from a prepared copy: this one from an empty database, as a new
/// instance does.
async fn a_first_start_migrates_and_creates_the_owner(backend: Backend) {
    let app = spawn_fresh(backend).await;
    let me = app.get(ME, Some(&app.owner_token)).await.expect(200).body;
    assert_eq!(me["email"], OWNER_EMAIL);
    assert_eq!(me["role"], "owner");
    let authors = app
        .get(&format!("{AUTHORS}?count=true"), None)
        .await
        .expect(200);
    assert_eq!(
        authors.body["meta"]["pagination"]["total"], 1,
        "the owner alone"
    );
    app.post_as(None, json!({"title": "First"})).await;
}

/// The secret the test server signs with.
fn server_secret() -> String {
    support::config(std::path::Path::new("."), None)
        .jwt_secret
        .expect("the tests configure a secret")
        .expose_secret()
        .to_owned()
}

/// The header and claims of a token, unverified.
fn decode(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut part = || -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap()).unwrap()
    };
    (part(), part())
}

/// A token shaped like `issued` (same key id, author and session), its claims changed by
/// `edit`, signed with `alg` and `secret`.
fn resign(issued: &str, secret: &str, alg: Algorithm, edit: impl FnOnce(&mut Value)) -> String {
    let (header, mut claims) = decode(issued);
    edit(&mut claims);
    let mut header_out = Header::new(alg);
    header_out.kid = header["kid"].as_str().map(str::to_owned);
    jsonwebtoken::encode(
        &header_out,
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// `issued` re-signed by the server's own key, with `exp` (and `iat`, `nbf`) moved so that it
/// expires `exp_in` seconds from now.
fn expiring(issued: &str, exp_in: i64) -> String {
    resign(issued, &server_secret(), Algorithm::HS256, |claims| {
        let now = chrono::Utc::now().timestamp();
        let start = now.min(now + exp_in) - 10;
        claims["iat"] = json!(start);
        claims["nbf"] = json!(start);
        claims["exp"] = json!(now + exp_in);
    })
}

#[track_caller]
fn assert_unauthorized(res: support::Response) {
    assert!(
        res.header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer")),
        "a Bearer challenge: {:?}",
        res.headers
    );
    assert_eq!(res.problem(401)["type"], "urn:folio:problem:unauthorized");
}

async fn login_answers_a_bearer_token(backend: Backend) {
    let app = spawn(backend).await;
    let res = app
        .post(
            LOGIN,
            None,
            json!({"email": OWNER_EMAIL, "password": OWNER_PASSWORD}),
        )
        .await
        .expect(200);
    assert!(
        res.header("content-type")
            .is_some_and(|v| v.starts_with("application/json"))
    );
    let body = res.body.as_object().unwrap();
    let mut keys: Vec<_> = body.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "refresh_expires_in",
            "refresh_token",
            "token_type"
        ]
    );
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert!(
        body["refresh_token"]
            .as_str()
            .unwrap()
            .starts_with("folio_rt_")
    );
    assert_eq!(body["refresh_expires_in"], 30 * 24 * 3600);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    assert!(!res.text.contains(OWNER_PASSWORD));

    let me = app.get(ME, Some(token)).await.expect(200).body;
    assert_eq!(me["id"], app.owner_id.as_str());
    // The scheme is case-insensitive (RFC 9110).
    for scheme in ["bearer", "BEARER"] {
        let authorization = format!("{scheme} {token}");
        app.call("GET", ME, None, None, &[("authorization", &authorization)])
            .await
            .expect(200);
    }
    assert_eq!(me["email"], OWNER_EMAIL);
    assert_eq!(me["role"], "owner");
}

async fn wrong_password_and_unknown_email_look_the_same(backend: Backend) {
    let app = spawn(backend).await;
    let (staff_id, _) = app.staff("author").await;
    let staff_email = app
        .get(&resource(AUTHORS, &staff_id), Some(&app.owner_token))
        .await
        .body["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let attempt = async |email: &str, password: &str| {
        app.post(LOGIN, None, json!({"email": email, "password": password}))
            .await
    };
    let wrong_password = attempt(OWNER_EMAIL, "not-the-password").await;
    let wrong_staff_password = attempt(&staff_email, "not-the-password").await;
    let unknown_email = attempt("nobody@example.com", OWNER_PASSWORD).await;
    let malformed_email = attempt("not an email", OWNER_PASSWORD).await;
    // Another account's password is no key to this one.
    let someone_elses = attempt(OWNER_EMAIL, PASSWORD).await;

    let reference = wrong_password.text.clone();
    for res in [
        wrong_password,
        wrong_staff_password,
        unknown_email,
        malformed_email,
        someone_elses,
    ] {
        assert_eq!(res.text, reference, "every failed sign-in reads the same");
        assert!(!res.text.contains("nobody"));
        assert_unauthorized(res);
    }
}

async fn emails_sign_in_case_insensitively(backend: Backend) {
    let app = spawn(backend).await;
    for email in [
        "OWNER@EXAMPLE.COM",
        "Owner@Example.com",
        "  owner@example.com ",
    ] {
        let token = app.login(email, OWNER_PASSWORD).await;
        let me = app.get(ME, Some(&token)).await.expect(200);
        assert_eq!(me.body["id"], app.owner_id.as_str(), "{email:?}");
    }
    // An account created with a mixed-case address signs in with any case, and is stored
    // lower-cased.
    let created = app
        .post(
            AUTHORS,
            Some(&app.owner_token),
            json!({"name": "Mixed Case", "email": "Mixed.Case@Example.ORG", "password": PASSWORD, "role": "author"}),
        )
        .await
        .expect(201);
    assert_eq!(created.body["email"], "mixed.case@example.org");
    for email in ["mixed.case@example.org", "MIXED.CASE@EXAMPLE.ORG"] {
        let token = app.login(email, PASSWORD).await;
        let me = app.get(ME, Some(&token)).await.expect(200);
        assert_eq!(me.body["id"], created.body["id"]);
    }
    // The password, though, is exact.
    app.post(
        LOGIN,
        None,
        json!({"email": OWNER_EMAIL, "password": OWNER_PASSWORD.to_uppercase()}),
    )
    .await
    .problem(401);
}

async fn malformed_logins_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    for (body, field) in [
        (json!({"email": OWNER_EMAIL}), None),
        (json!({"password": OWNER_PASSWORD}), None),
        (
            json!({"email": 42, "password": OWNER_PASSWORD}),
            Some("email"),
        ),
        (
            json!({"email": OWNER_EMAIL, "password": null}),
            Some("password"),
        ),
        (
            json!({"email": OWNER_EMAIL, "password": OWNER_PASSWORD, "remember_me": true}),
            None,
        ),
    ] {
        let res = app.post(LOGIN, None, body.clone()).await;
        assert!(res.body.get("access_token").is_none());
        let problem = res.problem(422);
        if let Some(field) = field {
            assert_eq!(problem["errors"][0]["field"], field, "{body}");
        }
    }
    let not_json = app
        .call(
            "POST",
            LOGIN,
            None,
            Some(Value::String("email=owner@example.com".into())),
            &[("content-type", "application/json")],
        )
        .await;
    not_json.problem(400);
}

async fn me_needs_a_token(backend: Backend) {
    let app = spawn(backend).await;
    assert_unauthorized(app.get(ME, None).await);
    let (staff_id, token) = app.staff("contributor").await;
    let me = app.get(ME, Some(&token)).await.expect(200);
    assert_eq!(me.body["id"], staff_id.as_str());
    assert_eq!(me.body["role"], "contributor");
    assert!(
        me.body["email"]
            .as_str()
            .is_some_and(|e| e.starts_with("contributor-") && e.ends_with("@example.com")),
        "{}",
        me.body
    );
    assert!(me.body.get("password_hash").is_none());
    assert!(!me.text.contains("$argon2"));
    assert_eq!(me.etag_version(), 1);
}

async fn tampered_tokens_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let token = app.owner_token.clone();
    let (signed, signature) = token.rsplit_once('.').unwrap();
    // Flip one character in the middle of the signature (the last may only carry padding bits).
    let mut sig: Vec<char> = signature.chars().collect();
    let middle = sig.len() / 2;
    sig[middle] = if sig[middle] == 'A' { 'B' } else { 'A' };
    let flipped = format!("{signed}.{}", sig.into_iter().collect::<String>());
    assert_ne!(flipped, token);
    assert_unauthorized(app.get(ME, Some(&flipped)).await);

    // A payload changed under the original signature.
    let (_, author_token) = app.staff("author").await;
    let mut parts: Vec<String> = author_token.split('.').map(str::to_owned).collect();
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    payload["sub"] = json!(app.owner_id);
    parts[1] = URL_SAFE_NO_PAD.encode(payload.to_string());
    let forged = parts.join(".");
    assert_unauthorized(app.get(ME, Some(&forged)).await);
    assert_unauthorized(
        app.post(
            AUTHORS,
            Some(&forged),
            json!({"name": "Sneaky", "email": "sneaky@example.com", "password": PASSWORD, "role": "admin"}),
        )
        .await,
    );
    // Truncated: the signature left off.
    assert_unauthorized(app.get(ME, Some(format!("{signed}.").as_str())).await);
    // The untouched token still works.
    app.get(ME, Some(&token)).await.expect(200);
}

async fn tokens_signed_with_another_secret_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let issued = app.owner_token.clone();
    // The control: re-signed unchanged with the server's secret, it is accepted...
    let genuine = resign(&issued, &server_secret(), Algorithm::HS256, |_| {});
    app.get(ME, Some(&genuine)).await.expect(200);
    // ...but not with any other.
    let foreign = resign(
        &issued,
        "another-secret-that-is-at-least-32-bytes",
        Algorithm::HS256,
        |_| {},
    );
    assert_unauthorized(app.get(ME, Some(&foreign)).await);
    assert_unauthorized(app.get(POSTS, Some(&foreign)).await);
    // Nor with the right secret but another issuer or audience.
    for (claim, value) in [("iss", "someone-else"), ("aud", "another-api")] {
        let token = resign(&issued, &server_secret(), Algorithm::HS256, |c| {
            c[claim] = json!(value)
        });
        assert_unauthorized(app.get(ME, Some(&token)).await);
    }
    // Nor with a required claim missing.
    for claim in ["exp", "nbf", "iat", "sub", "sid", "iss", "aud"] {
        let token = resign(&issued, &server_secret(), Algorithm::HS256, |c| {
            c.as_object_mut().unwrap().remove(claim);
        });
        assert_unauthorized(app.get(ME, Some(&token)).await);
    }
    // Nor naming a key the server does not have, or none.
    for kid in [Some("0123456789abcdef"), None] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = kid.map(str::to_owned);
        let token = jsonwebtoken::encode(
            &header,
            &decode(&issued).1,
            &EncodingKey::from_secret(server_secret().as_bytes()).unwrap(),
        )
        .unwrap();
        assert_unauthorized(app.get(ME, Some(&token)).await);
    }
}

async fn expired_tokens_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    // Past expiry by more than the leeway for clock skew.
    for exp_in in [-30, -3600, -86_400] {
        let token = expiring(&app.owner_token, exp_in);
        assert_unauthorized(app.get(ME, Some(&token)).await);
        assert_unauthorized(app.get(TAGS, Some(&token)).await);
    }
    // The control: the same token not yet expired.
    let fresh = expiring(&app.owner_token, 120);
    app.get(ME, Some(&fresh)).await.expect(200);
}

async fn tokens_not_yet_valid_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let later = chrono::Utc::now().timestamp() + 120;
    for claim in ["nbf", "iat"] {
        let token = resign(&app.owner_token, &server_secret(), Algorithm::HS256, |c| {
            c[claim] = json!(later);
            c["exp"] = json!(later + 600);
        });
        assert_unauthorized(app.get(ME, Some(&token)).await);
    }
}

async fn unsigned_tokens_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let (header, claims) = decode(&app.owner_token);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let kid = header["kid"].clone();
    for header in [
        json!({"alg": "none", "typ": "JWT", "kid": kid}),
        json!({"alg": "None", "typ": "JWT", "kid": kid}),
        json!({"alg": "HS512", "typ": "JWT", "kid": kid}),
    ] {
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}"),
        ] {
            assert_unauthorized(app.get(ME, Some(&token)).await);
            assert_unauthorized(app.get(POSTS, Some(&token)).await);
        }
    }
    // HS512 with the right secret is still not the algorithm the server fixes.
    let hs512 = resign(&app.owner_token, &server_secret(), Algorithm::HS512, |_| {});
    assert_unauthorized(app.get(ME, Some(&hs512)).await);
}

async fn tokens_of_missing_authors_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    // A well-signed token, in a live session, for an id that never existed.
    let ghost = resign(&app.owner_token, &server_secret(), Algorithm::HS256, |c| {
        c["sub"] = json!("0192f0c4-6a6e-7d31-a9f5-3c3a4a0d9e11")
    });
    assert_unauthorized(app.get(ME, Some(&ghost)).await);
    assert_unauthorized(app.get(AUTHORS, Some(&ghost)).await);

    // An account deleted after signing in.
    let (staff_id, token) = app.staff("editor").await;
    app.get(POSTS, Some(&token)).await.expect(200);
    app.delete(&resource(AUTHORS, &staff_id), Some(&app.owner_token))
        .await
        .expect(204);
    assert_unauthorized(app.get(ME, Some(&token)).await);
    assert_unauthorized(app.get(POSTS, Some(&token)).await);
    assert_unauthorized(app.post(TAGS, Some(&token), json!({"name": "After"})).await);

    // A login-less author has no account, whatever a token says.
    let plain = app.author("No Login").await;
    let token = resign(&app.owner_token, &server_secret(), Algorithm::HS256, |c| {
        c["sub"] = json!(id(&plain))
    });
    assert_unauthorized(app.get(ME, Some(&token)).await);
}

async fn the_role_comes_from_the_account_not_the_token(backend: Backend) {
    let app = spawn(backend).await;
    let (_, author_token) = app.staff("author").await;
    // Well signed, but claiming a role the account does not have.
    let inflated = resign(&author_token, &server_secret(), Algorithm::HS256, |c| {
        c["role"] = json!("owner")
    });
    let me = app.get(ME, Some(&inflated)).await.expect(200);
    assert_eq!(me.body["role"], "author");
    app.post(
        AUTHORS,
        Some(&inflated),
        json!({"name": "Escalated", "email": "escalated@example.com", "password": PASSWORD, "role": "admin"}),
    )
    .await
    .problem(403);
    app.post(TAGS, Some(&inflated), json!({"name": "Ok"}))
        .await
        .expect(201);
}

async fn garbage_tokens_are_not_anonymous(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(None, json!({"title": "Public", "status": "published"}))
        .await;
    // Anonymous: the published post.
    let anonymous = app
        .get(&format!("{POSTS}?count=true"), None)
        .await
        .expect(200);
    assert_eq!(anonymous.body["meta"]["pagination"]["total"], 1);
    // A token that does not verify is not served as anonymous.
    for garbage in ["garbage", "not.a.jwt", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA"] {
        let res = app.get(POSTS, Some(garbage)).await;
        assert!(res.body.get("data").is_none(), "no posts for {garbage:?}");
        assert_unauthorized(res);
        assert_unauthorized(
            app.get(&format!("{POSTS}/slug/public"), Some(garbage))
                .await,
        );
    }
}
