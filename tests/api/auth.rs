//! Signing in, and which access tokens the API accepts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{self, Backend, OWNER_EMAIL, OWNER_PASSWORD, PASSWORD, id, spawn};

on_both_backends!(
    login_answers_a_bearer_token,
    wrong_password_and_unknown_email_look_the_same,
    emails_sign_in_case_insensitively,
    malformed_logins_are_refused,
    me_needs_a_token,
    tampered_tokens_are_refused,
    tokens_signed_with_another_secret_are_refused,
    expired_tokens_are_refused,
    unsigned_tokens_are_refused,
    tokens_of_missing_authors_are_refused,
    the_role_comes_from_the_account_not_the_token,
    garbage_tokens_are_not_anonymous,
);

/// The secret the test server signs with.
fn server_secret() -> String {
    support::config(std::path::Path::new("."), None)
        .jwt_secret
        .expect("the tests configure a secret")
        .expose_secret()
        .to_owned()
}

/// A token with the server's claims shape, signed with HS256 and `secret`.
fn sign(secret: &str, claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// Claims as the server issues them, for `sub`, with `exp` seconds from now.
fn claims(sub: &str, role: &str, exp_in: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "sub": sub,
        "role": role,
        "iat": now.min(now + exp_in) - 10,
        "exp": now + exp_in,
        "iss": "folio",
        "aud": "folio-api",
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
            "/api/v1/auth/login",
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
    assert_eq!(keys, ["access_token", "expires_in", "token_type"]);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    assert!(!res.text.contains(OWNER_PASSWORD));

    let me = app
        .get("/api/v1/auth/me", Some(token))
        .await
        .expect(200)
        .body;
    assert_eq!(me["id"], app.owner_id.as_str());
    assert_eq!(me["email"], OWNER_EMAIL);
    assert_eq!(me["role"], "owner");
}

async fn wrong_password_and_unknown_email_look_the_same(backend: Backend) {
    let app = spawn(backend).await;
    let (staff_id, _) = app.staff("author").await;
    let staff_email = app
        .get(
            &format!("/api/v1/authors/{staff_id}"),
            Some(&app.owner_token),
        )
        .await
        .body["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let attempt = async |email: &str, password: &str| {
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": password}),
        )
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
        let me = app.get("/api/v1/auth/me", Some(&token)).await.expect(200);
        assert_eq!(me.body["id"], app.owner_id.as_str(), "{email:?}");
    }
    // An account created with a mixed-case address signs in with any case, and is stored
    // lower-cased.
    let created = app
        .post(
            "/api/v1/authors",
            Some(&app.owner_token),
            json!({"name": "Mixed Case", "email": "Mixed.Case@Example.ORG", "password": PASSWORD, "role": "author"}),
        )
        .await
        .expect(201);
    assert_eq!(created.body["email"], "mixed.case@example.org");
    for email in ["mixed.case@example.org", "MIXED.CASE@EXAMPLE.ORG"] {
        let token = app.login(email, PASSWORD).await;
        let me = app.get("/api/v1/auth/me", Some(&token)).await.expect(200);
        assert_eq!(me.body["id"], created.body["id"]);
    }
    // The password, though, is exact.
    app.post(
        "/api/v1/auth/login",
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
        let res = app.post("/api/v1/auth/login", None, body.clone()).await;
        assert!(res.body.get("access_token").is_none());
        let problem = res.problem(422);
        if let Some(field) = field {
            assert_eq!(problem["errors"][0]["field"], field, "{body}");
        }
    }
    let not_json = app
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(Value::String("email=owner@example.com".into())),
            &[("content-type", "application/json")],
        )
        .await;
    not_json.problem(400);
}

async fn me_needs_a_token(backend: Backend) {
    let app = spawn(backend).await;
    assert_unauthorized(app.get("/api/v1/auth/me", None).await);
    let (staff_id, token) = app.staff("contributor").await;
    let me = app.get("/api/v1/auth/me", Some(&token)).await.expect(200);
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
    assert_unauthorized(app.get("/api/v1/auth/me", Some(&flipped)).await);

    // A payload changed under the original signature.
    let (_, author_token) = app.staff("author").await;
    let mut parts: Vec<String> = author_token.split('.').map(str::to_owned).collect();
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    payload["sub"] = json!(app.owner_id);
    payload["role"] = json!("owner");
    parts[1] = URL_SAFE_NO_PAD.encode(payload.to_string());
    let forged = parts.join(".");
    assert_unauthorized(app.get("/api/v1/auth/me", Some(&forged)).await);
    assert_unauthorized(
        app.post(
            "/api/v1/authors",
            Some(&forged),
            json!({"name": "Sneaky", "email": "sneaky@example.com", "password": PASSWORD, "role": "admin"}),
        )
        .await,
    );
    // Truncated: the signature left off.
    assert_unauthorized(
        app.get("/api/v1/auth/me", Some(&format!("{signed}.")))
            .await,
    );
    // The untouched token still works.
    app.get("/api/v1/auth/me", Some(&token)).await.expect(200);
}

async fn tokens_signed_with_another_secret_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let claims = claims(&app.owner_id, "owner", 600);
    // The control: these claims, signed with the server's secret, are accepted...
    let genuine = sign(&server_secret(), &claims);
    app.get("/api/v1/auth/me", Some(&genuine)).await.expect(200);
    // ...but not with any other.
    let foreign = sign("another-secret-that-is-at-least-32-bytes", &claims);
    assert_unauthorized(app.get("/api/v1/auth/me", Some(&foreign)).await);
    assert_unauthorized(app.get("/api/v1/posts", Some(&foreign)).await);
    // Nor with the right secret but another issuer or audience.
    for (claim, value) in [("iss", "someone-else"), ("aud", "another-api")] {
        let mut other = claims.clone();
        other[claim] = json!(value);
        let token = sign(&server_secret(), &other);
        assert_unauthorized(app.get("/api/v1/auth/me", Some(&token)).await);
    }
    // Nor with a required claim missing.
    for claim in ["exp", "sub", "iss", "aud"] {
        let mut partial = claims.clone();
        partial.as_object_mut().unwrap().remove(claim);
        let token = sign(&server_secret(), &partial);
        assert_unauthorized(app.get("/api/v1/auth/me", Some(&token)).await);
    }
}

async fn expired_tokens_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let secret = server_secret();
    // A minute and more past expiry: well beyond any leeway for clock skew.
    for exp_in in [-90, -3600, -86_400] {
        let token = sign(&secret, &claims(&app.owner_id, "owner", exp_in));
        assert_unauthorized(app.get("/api/v1/auth/me", Some(&token)).await);
        assert_unauthorized(app.get("/api/v1/tags", Some(&token)).await);
    }
    // The control: the same token not yet expired.
    let fresh = sign(&secret, &claims(&app.owner_id, "owner", 120));
    app.get("/api/v1/auth/me", Some(&fresh)).await.expect(200);
}

async fn unsigned_tokens_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let payload = URL_SAFE_NO_PAD.encode(claims(&app.owner_id, "owner", 600).to_string());
    for header in [
        json!({"alg": "none", "typ": "JWT"}),
        json!({"alg": "None", "typ": "JWT"}),
        json!({"alg": "HS512", "typ": "JWT"}),
    ] {
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}"),
        ] {
            assert_unauthorized(app.get("/api/v1/auth/me", Some(&token)).await);
            assert_unauthorized(app.get("/api/v1/posts", Some(&token)).await);
        }
    }
    // HS512 with the right secret is still not the algorithm the server fixes.
    let hs512 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims(&app.owner_id, "owner", 600),
        &EncodingKey::from_secret(server_secret().as_bytes()).unwrap(),
    )
    .unwrap();
    assert_unauthorized(app.get("/api/v1/auth/me", Some(&hs512)).await);
}

async fn tokens_of_missing_authors_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    // A well-signed token for an id that never existed.
    let ghost = sign(
        &server_secret(),
        &claims("0192f0c4-6a6e-7d31-a9f5-3c3a4a0d9e11", "admin", 600),
    );
    assert_unauthorized(app.get("/api/v1/auth/me", Some(&ghost)).await);
    assert_unauthorized(app.get("/api/v1/authors", Some(&ghost)).await);

    // An account deleted after signing in.
    let (staff_id, token) = app.staff("editor").await;
    app.get("/api/v1/posts", Some(&token)).await.expect(200);
    app.delete(
        &format!("/api/v1/authors/{staff_id}"),
        Some(&app.owner_token),
    )
    .await
    .expect(204);
    assert_unauthorized(app.get("/api/v1/auth/me", Some(&token)).await);
    assert_unauthorized(app.get("/api/v1/posts", Some(&token)).await);
    assert_unauthorized(
        app.post("/api/v1/tags", Some(&token), json!({"name": "After"}))
            .await,
    );

    // A login-less author has no account, whatever a token says.
    let plain = app.author("No Login").await;
    let token = sign(&server_secret(), &claims(id(&plain), "editor", 600));
    assert_unauthorized(app.get("/api/v1/auth/me", Some(&token)).await);
}

async fn the_role_comes_from_the_account_not_the_token(backend: Backend) {
    let app = spawn(backend).await;
    let (author_id, _) = app.staff("author").await;
    // Well signed, but claiming a role the account does not have.
    let inflated = sign(&server_secret(), &claims(&author_id, "owner", 600));
    let me = app
        .get("/api/v1/auth/me", Some(&inflated))
        .await
        .expect(200);
    assert_eq!(me.body["role"], "author");
    app.post(
        "/api/v1/authors",
        Some(&inflated),
        json!({"name": "Escalated", "email": "escalated@example.com", "password": PASSWORD, "role": "admin"}),
    )
    .await
    .problem(403);
    app.post("/api/v1/tags", Some(&inflated), json!({"name": "Ok"}))
        .await
        .expect(201);
}

async fn garbage_tokens_are_not_anonymous(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(None, json!({"title": "Public", "status": "published"}))
        .await;
    // Anonymous: the published post.
    let anonymous = app.get("/api/v1/posts?count=true", None).await.expect(200);
    assert_eq!(anonymous.body["meta"]["pagination"]["total"], 1);
    // A token that does not verify is not served as anonymous.
    for garbage in ["garbage", "not.a.jwt", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA"] {
        let res = app.get("/api/v1/posts", Some(garbage)).await;
        assert!(res.body.get("data").is_none(), "no posts for {garbage:?}");
        assert_unauthorized(res);
        assert_unauthorized(app.get("/api/v1/posts/slug/public", Some(garbage)).await);
    }
}
