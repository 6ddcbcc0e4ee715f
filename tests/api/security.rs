//! Attacks on the API as a whole: reading and changing what is not yours (BOLA), calling what
//! your role may not (function-level authorisation), writing fields the server owns (mass
//! assignment), hostile Markdown (stored XSS), and oversized input.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use chrono::{SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{AUTHORS, ME, POSTS, TAGS, resource};
use crate::support::{Backend, PASSWORD, Response, TestApp, id, spawn};

on_both_backends!(
    others_drafts_are_missing_not_forbidden,
    old_slugs_of_hidden_posts_lead_only_their_writer_on,
    anonymous_readers_see_only_live_posts,
    every_write_endpoint_follows_the_role_table,
    server_owned_fields_cannot_be_assigned,
    server_owned_fields_cannot_be_changed,
    a_version_in_a_patch_is_a_precondition,
    roles_and_bylines_cannot_be_assigned_by_the_unprivileged,
    bylines_are_the_editors_to_set,
    rendered_markdown_carries_no_active_content,
    harmless_markdown_survives_sanitising,
    url_fields_accept_only_http_and_https,
    oversized_patch_bodies_are_413_and_change_nothing,
    oversized_query_strings_are_414,
);

/// An id in the shape of ours that names nothing.
const MISSING_ID: &str = "0192f0c4-6a6e-7d31-a9f5-3c3a4a0d9e11";

fn post_path(post: &Value) -> String {
    resource(POSTS, id(post))
}

fn slug_path(post: &Value) -> String {
    format!("{POSTS}/slug/{}", post["slug"].as_str().expect("a slug"))
}

fn in_a_day() -> String {
    (Utc::now() + TimeDelta::days(1)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn unique(prefix: &str) -> String {
    format!("{prefix} {}", uuid::Uuid::now_v7().simple())
}

/// A body that gives a new author a login with `role`.
fn login_body(role: &str) -> Value {
    json!({
        "name": unique(&format!("New {role}")),
        "email": format!("{role}-{}@example.com", uuid::Uuid::now_v7().simple()),
        "password": PASSWORD,
        "role": role,
    })
}

/// `If-Match` naming `version`.
fn if_match(version: &Value) -> String {
    format!("\"{}\"", version.as_i64().expect("a version"))
}

/// The ids of the posts in a list.
fn ids_in(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|p| id(p).to_owned())
        .collect()
}

/// How many items `path` lists for the owner, who sees everything.
async fn total<S, B>(app: &TestApp<S>, path: &str) -> i64
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    app.get(&format!("{path}?count=true"), Some(&app.owner_token))
        .await
        .expect(200)
        .body["meta"]["pagination"]["total"]
        .as_i64()
        .expect("a total")
}

/// A post written by the owner with `authors` as its byline and `status`.
async fn post_by<S, B>(app: &TestApp<S>, authors: &[&str], status: &str) -> Value
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut body = json!({"title": unique("Post"), "markdown": "Words.", "authors": authors});
    if status != "draft" {
        body["status"] = json!(status);
    }
    if status == "scheduled" {
        body["published_at"] = json!(in_a_day());
    }
    app.post_as(None, body).await
}

/// A new author account made by the owner, with a login when `role` is given: its path.
async fn account<S, B>(app: &TestApp<S>, role: Option<&str>) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let body = match role {
        Some(role) => login_body(role),
        None => json!({"name": unique("Byline")}),
    };
    let created = app
        .post(AUTHORS, Some(&app.owner_token), body)
        .await
        .expect(201);
    resource(AUTHORS, id(&created.body))
}

// ---------------------------------------------------------------------------------------------
// 1. Broken object-level authorisation
// ---------------------------------------------------------------------------------------------

/// A request: method, path, body and extra headers.
type Request<'a> = (&'a str, String, Option<Value>, &'a [(&'a str, &'a str)]);

/// The problem a hidden post gets, with its id or slug blanked, so it can be compared with
/// the problem of a post that does not exist.
fn blanked(problem: &Value, key: &str) -> Value {
    let mut p = problem.clone();
    p["detail"] = json!(
        p["detail"]
            .as_str()
            .expect("a detail")
            .replace(key, "<key>")
    );
    p
}

/// An author's draft and scheduled post, which no other author or contributor may see.
struct Hidden {
    writer: String,
    writer_slug: String,
    draft: Value,
    scheduled: Value,
}

async fn hidden_posts<S, B>(app: &TestApp<S>) -> Hidden
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let (writer_id, writer) = app.staff("author").await;
    let writer_slug = app.get(ME, Some(&writer)).await.expect(200).body["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let draft = app
        .post_as(
            Some(&writer),
            json!({"title": "Secret plan", "markdown": "The zanzibar merger closes on Friday."}),
        )
        .await;
    let scheduled = app
        .post_as(
            Some(&writer),
            json!({"title": "Embargoed", "markdown": "The zanzibar numbers.",
                   "status": "scheduled", "published_at": in_a_day()}),
        )
        .await;
    assert_eq!(draft["authors"][0]["id"], writer_id.as_str());
    assert_eq!(scheduled["status"], "scheduled");

    // The control: the writer's search and list do find both, so an empty answer later means
    // "hidden", not "not indexed".
    let own_search = app
        .get(&format!("{POSTS}?q=zanzibar"), Some(&writer))
        .await
        .expect(200);
    let mut found = ids_in(&own_search.body);
    found.sort();
    let mut expected = vec![id(&draft).to_owned(), id(&scheduled).to_owned()];
    expected.sort();
    assert_eq!(
        found, expected,
        "the writer finds both: {}",
        own_search.text
    );
    Hidden {
        writer,
        writer_slug,
        draft,
        scheduled,
    }
}

/// Every way `intruder` (of `role`) could reach `hidden` answers as for a post that does not
/// exist: the same `404`, with nothing of the post in it.
async fn assert_looks_missing<S, B>(app: &TestApp<S>, role: &str, intruder: &str, hidden: &Value)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let intruder = Some(intruder);
    let missing_by_id = app
        .get(&resource(POSTS, MISSING_ID), intruder)
        .await
        .problem(404);
    let missing_by_slug = app
        .get(&format!("{POSTS}/slug/no-such-post"), intruder)
        .await
        .problem(404);
    let path = post_path(hidden);
    let title = hidden["title"].as_str().unwrap();
    let change = json!({"title": "Defaced"});
    let attempts: [Request; 7] = [
        ("GET", path.clone(), None, &[]),
        ("GET", slug_path(hidden), None, &[]),
        // A guessed version, a wildcard, the version in the body, and no version at all:
        // existence is decided before any precondition, so all are 404.
        (
            "PATCH",
            path.clone(),
            Some(change.clone()),
            &[("if-match", "\"1\"")],
        ),
        (
            "PATCH",
            path.clone(),
            Some(change.clone()),
            &[("if-match", "*")],
        ),
        (
            "PATCH",
            path.clone(),
            Some(json!({"title": "Defaced", "version": 1})),
            &[],
        ),
        ("PATCH", path.clone(), Some(change.clone()), &[]),
        ("DELETE", path.clone(), None, &[]),
    ];
    for (method, target, body, headers) in attempts {
        let res = app.call(method, &target, intruder, body, headers).await;
        let context = format!("{role}: {method} {target}");
        assert_eq!(res.status, 404, "{context}: {}", res.text);
        assert!(
            !res.text.contains(title),
            "{context}: the answer leaks the title: {}",
            res.text
        );
        let problem = res.problem(404);
        // Indistinguishable from a post that does not exist.
        let (key, missing, missing_key) = if target.contains("/slug/") {
            (
                hidden["slug"].as_str().unwrap(),
                &missing_by_slug,
                "no-such-post",
            )
        } else {
            (id(hidden), &missing_by_id, MISSING_ID)
        };
        assert_eq!(
            blanked(&problem, key),
            blanked(missing, missing_key),
            "{context}: a hidden post must look missing"
        );
    }
}

/// Lists, filters and search do not reveal the hidden posts to `intruder` either.
async fn assert_lists_hide<S, B>(app: &TestApp<S>, role: &str, intruder: &str, posts: &Hidden)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let writer_slug = &posts.writer_slug;
    for query in [
        &format!("{POSTS}?count=true"),
        &format!("{POSTS}?status=draft&count=true"),
        &format!("{POSTS}?status=scheduled&count=true"),
        &format!("{POSTS}?q=zanzibar&count=true"),
        &format!("{POSTS}?author={writer_slug}&count=true"),
    ] {
        let list = app.get(query, Some(intruder)).await.expect(200);
        let listed = ids_in(&list.body);
        for hidden in [&posts.draft, &posts.scheduled] {
            assert!(
                !listed.contains(&id(hidden).to_owned()),
                "{role}: {query} lists a hidden post: {}",
                list.text
            );
        }
        assert!(
            !list.text.contains("zanzibar"),
            "{role}: {query} leaks the text: {}",
            list.text
        );
    }
}

async fn others_drafts_are_missing_not_forbidden(backend: Backend) {
    let app = spawn(backend).await;
    let posts = hidden_posts(&app).await;
    for role in ["author", "contributor"] {
        let (_, intruder) = app.staff(role).await;
        for hidden in [&posts.draft, &posts.scheduled] {
            assert_looks_missing(&app, role, &intruder, hidden).await;
        }
        assert_lists_hide(&app, role, &intruder, &posts).await;
    }

    // Nothing the intruders did changed anything.
    for hidden in [&posts.draft, &posts.scheduled] {
        let now = app
            .get(
                &format!("{}?formats=html,markdown", post_path(hidden)),
                Some(&posts.writer),
            )
            .await
            .expect(200)
            .body;
        assert_eq!(now["version"], 1, "{now}");
        assert_eq!(now["title"], hidden["title"]);
        assert_eq!(now["status"], hidden["status"]);
        assert_eq!(now["html"], hidden["html"]);
        assert_eq!(now["updated_at"], hidden["updated_at"]);
    }
}

/// An old slug of a hidden post redirects its writer, but nobody else, to the new one.
async fn old_slugs_of_hidden_posts_lead_only_their_writer_on(backend: Backend) {
    let app = spawn(backend).await;
    let Hidden { writer, draft, .. } = hidden_posts(&app).await;
    let renamed = app
        .patch(
            &post_path(&draft),
            Some(&writer),
            "\"1\"",
            json!({"slug": "secret-plan-v2"}),
        )
        .await
        .expect(200);
    assert_eq!(renamed.body["slug"], "secret-plan-v2");
    let old = &format!("{POSTS}/slug/secret-plan");
    let followed = app.get(old, Some(&writer)).await.expect(301);
    assert_eq!(
        followed.header("location"),
        Some(format!("{POSTS}/slug/secret-plan-v2").as_str())
    );
    let (_, intruder) = app.staff("author").await;
    for token in [Some(intruder.as_str()), None] {
        let res = app.get(old, token).await;
        assert!(
            res.header("location").is_none(),
            "the new slug leaks through a redirect"
        );
        res.problem(404);
    }
}

async fn anonymous_readers_see_only_live_posts(backend: Backend) {
    let app = spawn(backend).await;
    let (_, author) = app.staff("author").await;
    let author = Some(author.as_str());
    let draft = app
        .post_as(author, json!({"title": "Unfinished", "markdown": "quokka"}))
        .await;
    // A draft with a date in the past is still a draft.
    let backdated_draft = app
        .post_as(
            author,
            json!({"title": "Backdated draft", "markdown": "quokka",
                   "published_at": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(backdated_draft["status"], "draft");
    let scheduled = app
        .post_as(
            author,
            json!({"title": "Tomorrow", "markdown": "quokka", "status": "scheduled",
                   "published_at": in_a_day()}),
        )
        .await;
    let live = app
        .post_as(
            author,
            json!({"title": "Live", "markdown": "quokka", "status": "published"}),
        )
        .await;

    for hidden in [&draft, &backdated_draft, &scheduled] {
        app.get(&post_path(hidden), None).await.problem(404);
        app.get(&slug_path(hidden), None).await.problem(404);
    }
    app.get(&post_path(&live), None).await.expect(200);
    for query in [
        &format!("{POSTS}?count=true"),
        &format!("{POSTS}?status=draft"),
        &format!("{POSTS}?status=scheduled"),
        &format!("{POSTS}?q=quokka"),
    ] {
        let list = app.get(query, None).await.expect(200);
        let listed = ids_in(&list.body);
        for hidden in [&draft, &backdated_draft, &scheduled] {
            assert!(
                !listed.contains(&id(hidden).to_owned()),
                "{query} shows anonymous readers a post that is not live: {}",
                list.text
            );
        }
    }
    let all = app
        .get(&format!("{POSTS}?count=true"), None)
        .await
        .expect(200);
    assert_eq!(ids_in(&all.body), [id(&live)]);
    assert_eq!(all.body["meta"]["pagination"]["total"], 1);

    // A live post taken back to draft disappears at once, even though anonymous reads of it
    // were just served (and kept by the response cache).
    for _ in 0..2 {
        app.get(&post_path(&live), None).await.expect(200);
        app.get(&slug_path(&live), None).await.expect(200);
        app.get(POSTS, None).await.expect(200);
    }
    app.patch(
        &post_path(&live),
        author,
        "\"1\"",
        json!({"status": "draft"}),
    )
    .await
    .expect(200);
    app.get(&post_path(&live), None).await.problem(404);
    app.get(&slug_path(&live), None).await.problem(404);
    let after = app
        .get(&format!("{POSTS}?count=true"), None)
        .await
        .expect(200);
    assert!(ids_in(&after.body).is_empty(), "{}", after.text);
    assert_eq!(after.body["meta"]["pagination"]["total"], 0);
}

// ---------------------------------------------------------------------------------------------
// 2. Broken function-level authorisation
// ---------------------------------------------------------------------------------------------

/// The callers of the matrix, in the order of its expected statuses.
const CALLERS: [&str; 6] = [
    "anonymous",
    "contributor",
    "author",
    "editor",
    "admin",
    "owner",
];

/// One write, as each caller attempts it against fresh fixtures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    CreateDraft,
    CreatePublished,
    CreateScheduled,
    CreateForSomeoneElse,
    EditOwnDraft,
    PublishOwnDraft,
    EditOwnPublished,
    HandOwnPostToSomeoneElse,
    EditOthersDraft,
    EditOthersPublished,
    DeleteOwnDraft,
    DeleteOwnPublished,
    DeleteOthersDraft,
    DeleteOthersPublished,
    CreateTag,
    EditTag,
    DeleteTag,
    AddBylineAuthor,
    AddContributor,
    AddAuthor,
    AddEditor,
    AddAdmin,
    AddOwner,
    EditOwnProfile,
    EditAuthorProfile,
    EditBylineProfile,
    EditEditorProfile,
    EditAdminProfile,
    EditOwnerProfile,
    PromoteSelfToAdmin,
    PromoteAuthorToEditor,
    DemoteAdminToAuthor,
    MakeSomeoneOwner,
    ResetAuthorPassword,
    ResetAdminPassword,
    ResetOwnerPassword,
    ChangeOwnPasswordWithoutCurrent,
    DeleteAuthor,
    DeleteEditor,
    DeleteAdmin,
    DeleteOwner,
    DeleteOwnAccount,
}

/// Every write endpoint × every caller: `[anonymous, contributor, author, editor, admin,
/// owner]`. 401 without a token; 404 for a post the caller may not even see; 403 for what
/// the caller sees but may not do (src/posts/policy.rs, src/authors/policy.rs,
/// src/tags/routes.rs).
#[rustfmt::skip]
const MATRIX: &[(Op, &str, [u16; 6])] = &[
    // posts
    (Op::CreateDraft, "create a draft", [401, 201, 201, 201, 201, 201]),
    (Op::CreatePublished, "create a published post", [401, 403, 201, 201, 201, 201]),
    (Op::CreateScheduled, "create a scheduled post", [401, 403, 201, 201, 201, 201]),
    (Op::CreateForSomeoneElse, "create a post bylined to someone else", [401, 403, 403, 201, 201, 201]),
    (Op::EditOwnDraft, "edit own draft", [401, 200, 200, 200, 200, 200]),
    (Op::PublishOwnDraft, "publish own draft", [401, 403, 200, 200, 200, 200]),
    (Op::EditOwnPublished, "edit own published post", [401, 403, 200, 200, 200, 200]),
    (Op::HandOwnPostToSomeoneElse, "replace own byline with someone else", [401, 403, 403, 200, 200, 200]),
    (Op::EditOthersDraft, "edit someone else's draft", [401, 404, 404, 200, 200, 200]),
    (Op::EditOthersPublished, "edit someone else's published post", [401, 403, 403, 200, 200, 200]),
    (Op::DeleteOwnDraft, "delete own draft", [401, 204, 204, 204, 204, 204]),
    (Op::DeleteOwnPublished, "delete own published post", [401, 403, 204, 204, 204, 204]),
    (Op::DeleteOthersDraft, "delete someone else's draft", [401, 404, 404, 204, 204, 204]),
    (Op::DeleteOthersPublished, "delete someone else's published post", [401, 403, 403, 204, 204, 204]),
    // tags: authors create them; only editorial roles change or delete them
    (Op::CreateTag, "create a tag", [401, 403, 201, 201, 201, 201]),
    (Op::EditTag, "edit a tag", [401, 403, 403, 200, 200, 200]),
    (Op::DeleteTag, "delete a tag", [401, 403, 403, 204, 204, 204]),
    // authors and roles
    (Op::AddBylineAuthor, "add an author without a login", [401, 403, 403, 201, 201, 201]),
    (Op::AddContributor, "add a contributor", [401, 403, 403, 201, 201, 201]),
    (Op::AddAuthor, "add an author", [401, 403, 403, 201, 201, 201]),
    (Op::AddEditor, "add an editor", [401, 403, 403, 403, 201, 201]),
    (Op::AddAdmin, "add an admin", [401, 403, 403, 403, 201, 201]),
    (Op::AddOwner, "add a second owner", [401, 403, 403, 403, 403, 403]),
    (Op::EditOwnProfile, "edit own profile", [401, 200, 200, 200, 200, 200]),
    (Op::EditAuthorProfile, "edit an author's profile", [401, 403, 403, 200, 200, 200]),
    (Op::EditBylineProfile, "edit a login-less author's profile", [401, 403, 403, 200, 200, 200]),
    (Op::EditEditorProfile, "edit another editor's profile", [401, 403, 403, 403, 200, 200]),
    (Op::EditAdminProfile, "edit another admin's profile", [401, 403, 403, 403, 200, 200]),
    (Op::EditOwnerProfile, "edit the owner's profile", [401, 403, 403, 403, 403, 200]),
    // An admin asking for the role it has changes nothing; the owner's role is fixed.
    (Op::PromoteSelfToAdmin, "promote self to admin", [401, 403, 403, 403, 200, 403]),
    (Op::PromoteAuthorToEditor, "promote an author to editor", [401, 403, 403, 403, 200, 200]),
    (Op::DemoteAdminToAuthor, "demote an admin to author", [401, 403, 403, 403, 200, 200]),
    (Op::MakeSomeoneOwner, "make an admin the owner", [401, 403, 403, 403, 403, 403]),
    // Someone else's password is set without theirs; your own needs `current_password`.
    (Op::ResetAuthorPassword, "set an author's password", [401, 403, 403, 200, 200, 200]),
    (Op::ResetAdminPassword, "set another admin's password", [401, 403, 403, 403, 200, 200]),
    (Op::ResetOwnerPassword, "set the owner's password", [401, 403, 403, 403, 403, 422]),
    (Op::ChangeOwnPasswordWithoutCurrent, "change own password without the current one", [401, 422, 422, 422, 422, 422]),
    (Op::DeleteAuthor, "delete an author", [401, 403, 403, 204, 204, 204]),
    (Op::DeleteEditor, "delete another editor", [401, 403, 403, 403, 204, 204]),
    (Op::DeleteAdmin, "delete another admin", [401, 403, 403, 403, 204, 204]),
    (Op::DeleteOwner, "delete the owner", [401, 403, 403, 403, 403, 403]),
    (Op::DeleteOwnAccount, "delete own account", [401, 403, 403, 403, 204, 403]),
];

/// A request of the matrix and what it must leave alone when refused.
struct Attempt {
    method: &'static str,
    path: String,
    body: Option<Value>,
    /// The resource a PATCH or DELETE aims at.
    target: Option<String>,
    /// The list a create adds to.
    collection: Option<&'static str>,
}

impl Attempt {
    fn create(collection: &'static str, body: Value) -> Attempt {
        Attempt {
            method: "POST",
            path: collection.to_owned(),
            body: Some(body),
            target: None,
            collection: Some(collection),
        }
    }

    fn patch(target: String, body: Value) -> Attempt {
        Attempt {
            method: "PATCH",
            path: target.clone(),
            body: Some(body),
            target: Some(target),
            collection: None,
        }
    }

    fn delete(target: String) -> Attempt {
        Attempt {
            method: "DELETE",
            path: target.clone(),
            body: None,
            target: Some(target),
            collection: None,
        }
    }
}

/// Fresh fixtures for `op`, attempted by the account `me`; `other` is an author who is not
/// the caller.
async fn attempt<S, B>(app: &TestApp<S>, op: Op, me: &str, other: &str) -> Attempt
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let edit = || json!({"title": unique("Edited")});
    let rename = || json!({"name": unique("Renamed")});
    let new_password = || json!({"password": "a-brand-new-password-456"});
    let me_path = resource(AUTHORS, me);
    match op {
        Op::CreateDraft => Attempt::create(POSTS, json!({"title": unique("Draft")})),
        Op::CreatePublished => Attempt::create(
            POSTS,
            json!({"title": unique("Published"), "status": "published"}),
        ),
        Op::CreateScheduled => Attempt::create(
            POSTS,
            json!({"title": unique("Scheduled"), "status": "scheduled", "published_at": in_a_day()}),
        ),
        Op::CreateForSomeoneElse => Attempt::create(
            POSTS,
            json!({"title": unique("Ghostwritten"), "authors": [other]}),
        ),
        Op::EditOwnDraft => Attempt::patch(post_path(&post_by(app, &[me], "draft").await), edit()),
        Op::PublishOwnDraft => Attempt::patch(
            post_path(&post_by(app, &[me], "draft").await),
            json!({"status": "published"}),
        ),
        Op::EditOwnPublished => {
            Attempt::patch(post_path(&post_by(app, &[me], "published").await), edit())
        }
        Op::HandOwnPostToSomeoneElse => Attempt::patch(
            post_path(&post_by(app, &[me], "draft").await),
            json!({"authors": [other]}),
        ),
        Op::EditOthersDraft => {
            Attempt::patch(post_path(&post_by(app, &[other], "draft").await), edit())
        }
        Op::EditOthersPublished => Attempt::patch(
            post_path(&post_by(app, &[other], "published").await),
            edit(),
        ),
        Op::DeleteOwnDraft => Attempt::delete(post_path(&post_by(app, &[me], "draft").await)),
        Op::DeleteOwnPublished => {
            Attempt::delete(post_path(&post_by(app, &[me], "published").await))
        }
        Op::DeleteOthersDraft => Attempt::delete(post_path(&post_by(app, &[other], "draft").await)),
        Op::DeleteOthersPublished => {
            Attempt::delete(post_path(&post_by(app, &[other], "published").await))
        }
        Op::CreateTag => Attempt::create(TAGS, json!({"name": unique("Tag")})),
        Op::EditTag => Attempt::patch(
            format!("{TAGS}/{}", id(&app.tag(&unique("Tag")).await)),
            rename(),
        ),
        Op::DeleteTag => Attempt::delete(format!("{TAGS}/{}", id(&app.tag(&unique("Tag")).await))),
        Op::AddBylineAuthor => Attempt::create(AUTHORS, json!({"name": unique("Byline")})),
        Op::AddContributor => Attempt::create(AUTHORS, login_body("contributor")),
        Op::AddAuthor => Attempt::create(AUTHORS, login_body("author")),
        Op::AddEditor => Attempt::create(AUTHORS, login_body("editor")),
        Op::AddAdmin => Attempt::create(AUTHORS, login_body("admin")),
        Op::AddOwner => Attempt::create(AUTHORS, login_body("owner")),
        Op::EditOwnProfile => Attempt::patch(me_path, rename()),
        Op::EditAuthorProfile => Attempt::patch(account(app, Some("author")).await, rename()),
        Op::EditBylineProfile => Attempt::patch(account(app, None).await, rename()),
        Op::EditEditorProfile => Attempt::patch(account(app, Some("editor")).await, rename()),
        Op::EditAdminProfile => Attempt::patch(account(app, Some("admin")).await, rename()),
        Op::EditOwnerProfile => Attempt::patch(
            resource(AUTHORS, &app.owner_id),
            json!({"bio": unique("Defaced")}),
        ),
        Op::PromoteSelfToAdmin => Attempt::patch(me_path, json!({"role": "admin"})),
        Op::PromoteAuthorToEditor => Attempt::patch(
            account(app, Some("author")).await,
            json!({"role": "editor"}),
        ),
        Op::DemoteAdminToAuthor => {
            Attempt::patch(account(app, Some("admin")).await, json!({"role": "author"}))
        }
        Op::MakeSomeoneOwner => {
            Attempt::patch(account(app, Some("admin")).await, json!({"role": "owner"}))
        }
        Op::ResetAuthorPassword => {
            Attempt::patch(account(app, Some("author")).await, new_password())
        }
        Op::ResetAdminPassword => Attempt::patch(account(app, Some("admin")).await, new_password()),
        Op::ResetOwnerPassword => Attempt::patch(resource(AUTHORS, &app.owner_id), new_password()),
        Op::ChangeOwnPasswordWithoutCurrent => Attempt::patch(me_path, new_password()),
        Op::DeleteAuthor => Attempt::delete(account(app, Some("author")).await),
        Op::DeleteEditor => Attempt::delete(account(app, Some("editor")).await),
        Op::DeleteAdmin => Attempt::delete(account(app, Some("admin")).await),
        Op::DeleteOwner => Attempt::delete(resource(AUTHORS, &app.owner_id)),
        Op::DeleteOwnAccount => Attempt::delete(me_path),
    }
}

/// One call of the role table: `caller` (author `me`, signed in with `token`) attempts `op`,
/// which should answer `want`. What the answer says happened must have happened, and what
/// was refused must have left no trace. The ways it went wrong, if it did.
#[allow(clippy::too_many_arguments)]
async fn role_table_call<S, B>(
    app: &TestApp<S>,
    (op, what): (Op, &str),
    caller: &str,
    want: u16,
    me: &str,
    token: Option<&str>,
    other: &str,
) -> Vec<String>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let owner = Some(app.owner_token.as_str());
    let mut failures = Vec::new();
    let attempt = attempt(app, op, me, other).await;
    let before = match &attempt.target {
        Some(target) => Some(app.get(target, owner).await.expect(200).body),
        None => None,
    };
    let count_before = match attempt.collection {
        Some(collection) => Some(total(app, collection).await),
        None => None,
    };
    let version = before.as_ref().map(|b| if_match(&b["version"]));
    let headers: Vec<(&str, &str)> = match (&version, attempt.method) {
        (Some(v), "PATCH") => vec![("if-match", v.as_str())],
        _ => vec![],
    };
    let res = app
        .call(
            attempt.method,
            &attempt.path,
            token,
            attempt.body.clone(),
            &headers,
        )
        .await;
    let label = format!("{what}: {} {} as {caller}", attempt.method, attempt.path);
    if res.status != want {
        failures.push(format!(
            "{label}: expected {want}, got {}: {}",
            res.status, res.text
        ));
    }
    if res.status >= 400 && res.header("content-type") != Some("application/problem+json") {
        failures.push(format!(
            "{label}: a {} that is not problem+json",
            res.status
        ));
    }
    let refused = want >= 400;
    if let (Some(target), Some(before)) = (&attempt.target, &before) {
        let after = app.get(target, owner).await;
        let ok = match (refused, attempt.method) {
            (true, _) => after.status == 200 && after.body == *before,
            (false, "DELETE") => after.status == 404,
            (false, _) => {
                after.status == 200 && after.body["version"].as_i64() > before["version"].as_i64()
            }
        };
        if !ok {
            failures.push(format!(
                "{label}: answered {} but the target is now {} {}",
                res.status, after.status, after.text
            ));
        }
    }
    if let (Some(collection), Some(count_before)) = (attempt.collection, count_before) {
        let count_after = total(app, collection).await;
        let grew_by = if refused { 0 } else { 1 };
        if count_after != count_before + grew_by {
            failures.push(format!(
                "{label}: answered {}; {collection} went from {count_before} to \
                 {count_after}, expected {}",
                res.status,
                count_before + grew_by
            ));
        }
    }
    failures
}

async fn every_write_endpoint_follows_the_role_table(backend: Backend) {
    let app = spawn(backend).await;
    let (other, _) = app.staff("author").await;
    // One signed-in account per staff role; the owner is the app's.
    let mut staff = Vec::new();
    for role in ["contributor", "author", "editor", "admin"] {
        staff.push((role, app.staff(role).await));
    }
    let mut failures = Vec::new();
    let mut checks = 0;
    for &(op, what, expected) in MATRIX {
        for (caller, &want) in CALLERS.iter().zip(expected.iter()) {
            // Who calls: (their author id, their token). Anonymous callers' "own" fixtures
            // belong to the owner.
            let (me, token) = match *caller {
                "anonymous" => (app.owner_id.clone(), None),
                "owner" => (app.owner_id.clone(), Some(app.owner_token.clone())),
                // Deleting yourself may succeed: use an account of its own.
                role if op == Op::DeleteOwnAccount => {
                    let (me, token) = app.staff(role).await;
                    (me, Some(token))
                }
                role => {
                    let (_, (me, token)) = staff.iter().find(|(r, _)| *r == role).unwrap();
                    (me.clone(), Some(token.clone()))
                }
            };
            checks += 1;
            let call = (op, what);
            failures.extend(
                role_table_call(&app, call, caller, want, &me, token.as_deref(), &other).await,
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checks} calls broke the role table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Mass assignment
// ---------------------------------------------------------------------------------------------

/// Asserts a 422 naming `field` as unknown.
#[track_caller]
fn unknown_field(res: Response, field: &str, context: &str) {
    let problem = res.problem(422);
    assert_eq!(
        problem["errors"][0]["field"], field,
        "{context}: the error names the field: {problem}"
    );
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("unknown field `{field}`"))),
        "{context}: {problem}"
    );
}

/// Fields only the server writes, each with a value someone might try to force.
fn server_owned() -> [(&'static str, Value); 10] {
    [
        ("id", json!(FORCED_ID)),
        ("version", json!(99)),
        ("created_at", json!("2000-01-01T00:00:00Z")),
        ("updated_at", json!("2000-01-01T00:00:00Z")),
        ("html", json!("<script>alert(1)</script>")),
        ("plaintext", json!("<script>alert(1)</script>")),
        ("excerpt", json!("<script>alert(1)</script>")),
        ("reading_time", json!(999)),
        (
            "password_hash",
            json!("$argon2id$v=19$m=8,t=1,p=1$AAAA$AAAA"),
        ),
        ("count", json!({"posts": 99})),
    ]
}

const FORCED_ID: &str = "00000000-0000-4000-8000-000000000001";

/// Creating a post, a tag, an author: every server-owned field is an unknown field, and
/// nothing is written.
async fn server_owned_fields_cannot_be_assigned(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let (_, author) = app.staff("author").await;
    let (_, editor) = app.staff("editor").await;
    let creates = [
        (POSTS, author.as_str(), json!({"title": "Mass"})),
        (TAGS, author.as_str(), json!({"name": "Mass"})),
        (AUTHORS, editor.as_str(), json!({"name": "Mass"})),
    ];
    for (path, token, good) in &creates {
        let before = total(&app, path).await;
        for (field, value) in &server_owned() {
            let mut body = good.clone();
            body[field] = value.clone();
            let res = app.post(path, Some(token), body).await;
            unknown_field(res, field, &format!("POST {path} with `{field}`"));
        }
        assert_eq!(total(&app, path).await, before, "{path}: nothing written");
        app.get(&format!("{path}/{FORCED_ID}"), owner)
            .await
            .problem(404);
    }
}

/// Changing server-owned fields: the same, and the resource is untouched.
async fn server_owned_fields_cannot_be_changed(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let (_, author) = app.staff("author").await;
    let (_, editor) = app.staff("editor").await;
    let post = app
        .post_as(
            Some(&author),
            json!({"title": "Mine", "markdown": "Hello *there*."}),
        )
        .await;
    let tag = app.tag("Mass tag").await;
    let me = app.get(ME, Some(&author)).await.expect(200).body;
    let targets = [
        (post_path(&post), author.as_str()),
        (resource(TAGS, id(&tag)), editor.as_str()),
        (resource(AUTHORS, id(&me)), author.as_str()),
    ];
    for (path, token) in &targets {
        let before = app.get(path, owner).await.expect(200).body;
        for (field, value) in &server_owned() {
            if *field == "version" {
                continue; // a precondition in a PATCH body: see the next test
            }
            let res = app
                .patch(
                    path,
                    Some(token),
                    &if_match(&before["version"]),
                    json!({ *field: value }),
                )
                .await;
            unknown_field(res, field, &format!("PATCH {path} with `{field}`"));
        }
        assert_eq!(
            app.get(path, owner).await.expect(200).body,
            before,
            "{path}: unchanged"
        );
    }
}

/// In a PATCH body `version` is the version the client read: a precondition, never the new
/// value.
async fn a_version_in_a_patch_is_a_precondition(backend: Backend) {
    let app = spawn(backend).await;
    let (_, author) = app.staff("author").await;
    let author = Some(author.as_str());
    let post = app
        .post_as(
            author,
            json!({"title": "Mine", "markdown": "Hello *there*."}),
        )
        .await;
    let path = post_path(&post);
    app.call(
        "PATCH",
        &path,
        author,
        Some(json!({"title": "Jumped", "version": 99})),
        &[],
    )
    .await
    .problem(412);
    let read = app.get(&path, author).await.expect(200).body;
    assert_eq!(read["version"], 1);
    assert_eq!(read["title"], "Mine");
    let changed = app
        .call(
            "PATCH",
            &path,
            author,
            Some(json!({"title": "Stepped", "version": 1})),
            &[],
        )
        .await
        .expect(200);
    assert_eq!(changed.body["version"], 2);
    assert_eq!(changed.body["title"], "Stepped");
}

async fn roles_and_bylines_cannot_be_assigned_by_the_unprivileged(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());

    // Nobody below admin gives themselves a role, whatever role they ask for.
    for (role, wanted) in [
        ("contributor", "author"),
        ("contributor", "owner"),
        ("author", "editor"),
        ("author", "admin"),
        ("editor", "admin"),
        ("editor", "owner"),
    ] {
        let (me_id, token) = app.staff(role).await;
        let token = Some(token.as_str());
        let path = resource(AUTHORS, &me_id);
        let before = app.get(&path, owner).await.expect(200).body;
        let res = app
            .patch(
                &path,
                token,
                &if_match(&before["version"]),
                json!({"name": "Climber", "role": wanted}),
            )
            .await;
        res.problem(403);
        let after = app.get(ME, token).await.expect(200).body;
        assert_eq!(after["role"], role, "{role} asking for {wanted}");
        assert_eq!(after, before, "{role} asking for {wanted}: nothing changed");
        // Nor do they add an account with a higher role than theirs.
        let count = total(&app, AUTHORS).await;
        app.post(AUTHORS, token, login_body(wanted))
            .await
            .problem(403);
        assert_eq!(total(&app, AUTHORS).await, count);
    }
    // Asking for the role one already has is not a change of role.
    let (me_id, token) = app.staff("author").await;
    let path = resource(AUTHORS, &me_id);
    let same = app
        .patch(&path, Some(&token), "\"1\"", json!({"role": "author"}))
        .await
        .expect(200);
    assert_eq!(same.body["role"], "author");
    // An editor manages authors but does not promote them.
    let (_, editor) = app.staff("editor").await;
    let target = account(&app, Some("author")).await;
    app.patch(&target, Some(&editor), "\"1\"", json!({"role": "editor"}))
        .await
        .problem(403);
    assert_eq!(app.get(&target, owner).await.body["role"], "author");

    // Bylines: an author must stay among the authors of what they write.
    let (_, author) = app.staff("author").await;
    let author = Some(author.as_str());
    let (victim_id, _) = app.staff("author").await;
    let posts = total(&app, POSTS).await;
    for status in ["draft", "published"] {
        app.post(
            POSTS,
            author,
            json!({"title": "Not mine", "status": status, "authors": [victim_id]}),
        )
        .await
        .problem(403);
    }
    assert_eq!(total(&app, POSTS).await, posts, "nothing written");
    let own = app
        .post_as(author, json!({"title": "Mine", "status": "published"}))
        .await;
    let before = app.get(&post_path(&own), owner).await.expect(200).body;
    app.patch(
        &post_path(&own),
        author,
        "\"1\"",
        json!({"authors": [victim_id]}),
    )
    .await
    .problem(403);
    assert_eq!(
        app.get(&post_path(&own), owner).await.expect(200).body,
        before,
        "the byline is unchanged"
    );
}

/// Bylines are the editors' to set: an author cannot put a colleague's name on a post, nor
/// take a co-author's off (which would also take the post from them).
async fn bylines_are_the_editors_to_set(backend: Backend) {
    let app = spawn(backend).await;
    let (writer_id, writer) = app.staff("author").await;
    let (named_id, named) = app.staff("author").await;
    let (_, editor) = app.staff("editor").await;
    let byline = |post: &Value| -> Vec<String> {
        post["authors"]
            .as_array()
            .expect("a byline")
            .iter()
            .map(|a| id(a).to_owned())
            .collect()
    };
    let before = app.get(&format!("{POSTS}?count=true"), Some(&editor)).await;
    let refused = app
        .post(
            POSTS,
            Some(&writer),
            json!({"title": "Co-written", "status": "published",
                   "authors": [named_id, writer_id]}),
        )
        .await
        .problem(403);
    assert!(refused["detail"].as_str().unwrap().contains("byline"));
    let after = app.get(&format!("{POSTS}?count=true"), Some(&editor)).await;
    assert_eq!(
        after.body["meta"]["pagination"]["total"], before.body["meta"]["pagination"]["total"],
        "nothing was written"
    );
    // Naming only oneself is no change.
    app.post_as(
        Some(&writer),
        json!({"title": "Mine", "authors": [writer_id]}),
    )
    .await;

    // An editor puts both on a post; each may edit it, neither may change the byline.
    let shared = app
        .post_as(
            Some(&editor),
            json!({"title": "Shared", "status": "published",
                   "authors": [writer_id, named_id]}),
        )
        .await;
    let path = post_path(&shared);
    for (token, authors) in [
        (&named, json!([named_id])),
        (&writer, json!([writer_id])),
        (&writer, json!([named_id, writer_id])),
    ] {
        app.patch(&path, Some(token), "\"1\"", json!({"authors": authors}))
            .await
            .problem(403);
    }
    let edited = app
        .patch(
            &path,
            Some(&named),
            "\"1\"",
            json!({"title": "Shared, edited"}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(byline(&edited), [writer_id.clone(), named_id.clone()]);
    let moved = app
        .patch(
            &path,
            Some(&editor),
            "\"2\"",
            json!({"authors": [named_id]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(byline(&moved), [named_id.as_str()]);

    // A contributor neither, on a draft.
    let (contributor_id, contributor) = app.staff("contributor").await;
    app.post(
        POSTS,
        Some(&contributor),
        json!({"title": "Draft", "authors": [named_id, contributor_id]}),
    )
    .await
    .problem(403);
}

// ---------------------------------------------------------------------------------------------
// 4. Stored XSS through Markdown
// ---------------------------------------------------------------------------------------------

/// Markdown that tries to smuggle script into the rendered HTML.
const HOSTILE: &[(&str, &str)] = &[
    ("script block", "<script>alert(1)</script>"),
    ("inline script", "Hello <script>alert(1)</script> there."),
    ("iframe", "<iframe src=\"https://evil.example/\"></iframe>"),
    (
        "iframe srcdoc",
        "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
    ),
    ("javascript: link", "[x](javascript:alert(1))"),
    (
        "javascript: reference link",
        "[x][evil]\n\n[evil]: javascript:alert(1)",
    ),
    ("javascript: image", "![x](javascript:alert(1))"),
    (
        "mixed-case javascript: href",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    ),
    (
        "entity-encoded javascript: href",
        "<a href=\"&#106;avascript&#58;alert(1)\">x</a>",
    ),
    (
        "javascript: href hidden by whitespace",
        "<a href=\" \tjava\nscript:alert(1)\">x</a>",
    ),
    ("vbscript: link", "[x](vbscript:msgbox(1))"),
    (
        "data: image",
        "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ),
    (
        "data: link",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ),
    ("img onerror", "<img src=x onerror=alert(1)>"),
    (
        "event handlers on allowed tags",
        "<p onclick=\"alert(1)\" onmouseover=alert(1)>x</p>",
    ),
    (
        "svg onload with script",
        "<svg onload=alert(1)><script>alert(2)</script></svg>",
    ),
    (
        "svg xlink",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    ),
    (
        "math mutation",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    ),
    (
        "style attribute",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
    ),
    (
        "style element",
        "<style>body{background:url(javascript:alert(1))}</style>",
    ),
    ("object", "<object data=\"javascript:alert(1)\"></object>"),
    ("embed", "<embed src=\"javascript:alert(1)\">"),
    (
        "form",
        "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    ),
    (
        "formaction",
        "<button formaction=\"javascript:alert(1)\">go</button>",
    ),
    (
        "meta refresh",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    ),
    ("base", "<base href=\"https://evil.example/\">"),
];

/// Markup that must never survive sanitising.
const FORBIDDEN: &[&str] = &[
    "<script",
    "<iframe",
    "srcdoc",
    "javascript:",
    "vbscript:",
    "data:text/html",
    "onerror",
    "onload",
    "onclick",
    "onmouseover",
    "<svg",
    "<math",
    "<object",
    "<embed",
    "<form",
    "formaction",
    "<meta",
    "<base",
    "<style",
    "style=",
];

/// `text` with its numeric character references (`&#106;`, `&#x6A;`) and the named ones
/// that spell out a URL scheme decoded, as a browser reads an attribute.
fn decode_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&end| end <= 10);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let code = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse().ok()
            } else {
                match name {
                    "colon" => Some(u32::from(':')),
                    "tab" => Some(u32::from('\t')),
                    "newline" => Some(u32::from('\n')),
                    _ => None,
                }
            };
            Some((code.and_then(char::from_u32)?, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What of [`FORBIDDEN`] `html` holds, ignoring case, and, for URL schemes, ignoring
/// character references and the whitespace and control characters browsers skip in URLs.
fn active_content(html: &str) -> Vec<&'static str> {
    let lower = html.to_lowercase();
    let compact: String = decode_references(&lower)
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    FORBIDDEN
        .iter()
        .copied()
        .filter(|bad| lower.contains(bad) || (bad.ends_with(':') && compact.contains(bad)))
        .collect()
}

/// `body` (a post as served) carries no active content in its HTML, and its excerpt and
/// plaintext (where sent) are text with the markup dropped.
fn assert_inert(name: &str, how: &str, body: &Value) {
    let html = body["html"].as_str().expect("html");
    let found = active_content(html);
    assert!(
        found.is_empty(),
        "{name} ({how}): {found:?} survived in {html}"
    );
    let mut texts = vec![("excerpt", body["excerpt"].as_str().expect("an excerpt"))];
    if let Some(plaintext) = body["plaintext"].as_str() {
        texts.push(("plaintext", plaintext));
    }
    for (field, text) in texts {
        assert!(
            !text.contains('<') && active_content(text).is_empty(),
            "{name} ({how}): markup in {field}: {text}"
        );
    }
}

async fn rendered_markdown_carries_no_active_content(backend: Backend) {
    let app = spawn(backend).await;
    let (_, author) = app.staff("author").await;
    let author = Some(author.as_str());

    let mut created = Vec::new();
    for (name, markdown) in HOSTILE {
        // The check below would catch this payload, were it let through as written.
        assert!(
            !active_content(markdown).is_empty(),
            "{name}: the check misses it"
        );
        let post = app
            .post_as(
                author,
                json!({"title": format!("Hostile: {name}"), "markdown": markdown,
                       "status": "published"}),
            )
            .await;
        created.push((name, post));
    }

    // Every way a reader gets the post: the create answer, a read by id and by slug, the list.
    let list = app
        .get(&format!("{POSTS}?limit=100&formats=html,plaintext"), None)
        .await
        .expect(200);
    assert_eq!(list.header("content-type"), Some("application/json"));
    for (name, post) in &created {
        let path = format!("{}?formats=html,plaintext", post_path(post));
        let by_id = app.get(&path, None).await.expect(200);
        let by_slug = app
            .get(&format!("{}?formats=html,plaintext", slug_path(post)), None)
            .await
            .expect(200);
        for res in [&by_id, &by_slug] {
            assert_eq!(
                res.header("content-type"),
                Some("application/json"),
                "{name}: posts are only ever served as JSON"
            );
        }
        let listed = list.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == post["id"])
            .unwrap_or_else(|| panic!("{name}: not listed"));
        for (how, body) in [
            ("created", post),
            ("by id", &by_id.body),
            ("by slug", &by_slug.body),
            ("listed", listed),
        ] {
            assert_inert(name, how, body);
        }
    }
}

/// What is harmless survives sanitising: the link (made safe to follow), the emphasis, and
/// the code block, whose `<script>` is shown, escaped.
async fn harmless_markdown_survives_sanitising(backend: Backend) {
    let app = spawn(backend).await;
    let (_, author) = app.staff("author").await;
    let harmless = "Visit [Example](https://example.com) for *emphasis*.\n\n\
                    ```\n<script>alert(1)</script>\n```\n";
    let safe = app
        .post_as(
            Some(&author),
            json!({"title": "Harmless", "markdown": harmless, "status": "published"}),
        )
        .await;
    let read = app
        .get(
            &format!("{}?formats=html,plaintext", post_path(&safe)),
            None,
        )
        .await
        .expect(200);
    assert_eq!(read.header("content-type"), Some("application/json"));
    let html = read.body["html"].as_str().unwrap();
    assert!(
        html.contains("<a href=\"https://example.com\" rel=\"noopener noreferrer\">Example</a>"),
        "{html}"
    );
    assert!(html.contains("<em>emphasis</em>"), "{html}");
    assert!(
        html.contains("<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(active_content(html).is_empty(), "{html}");
    // Plaintext and excerpt are text: the code block's `<script>` comes back as the literal
    // characters (only ever inside a JSON string), for a client to escape like any text.
    let plaintext = read.body["plaintext"].as_str().unwrap();
    assert!(
        plaintext.contains("<script>alert(1)</script>"),
        "{plaintext}"
    );
    assert!(
        read.body["excerpt"]
            .as_str()
            .unwrap()
            .contains("<script>alert(1)</script>"),
        "{}",
        read.text
    );
}

async fn url_fields_accept_only_http_and_https(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let hostile = [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "//evil.example/x.png",
        "file:///etc/passwd",
    ];
    let posts = total(&app, POSTS).await;
    let authors = total(&app, AUTHORS).await;
    for url in hostile {
        for field in ["feature_image", "canonical_url"] {
            let problem = app
                .post(POSTS, owner, json!({"title": "Links", field: url}))
                .await
                .problem(422);
            assert_eq!(problem["errors"][0]["field"], field, "{url}: {problem}");
        }
        for field in ["avatar_url", "website"] {
            let problem = app
                .post(AUTHORS, owner, json!({"name": "Links", field: url}))
                .await
                .problem(422);
            assert_eq!(problem["errors"][0]["field"], field, "{url}: {problem}");
        }
    }
    assert_eq!(total(&app, POSTS).await, posts);
    assert_eq!(total(&app, AUTHORS).await, authors);

    // Changing a URL is held to the same rule.
    let post = app.post_as(None, json!({"title": "Target"})).await;
    let path = post_path(&post);
    app.patch(
        &path,
        owner,
        "\"1\"",
        json!({"feature_image": "javascript:alert(1)"}),
    )
    .await
    .problem(422);
    let me = resource(AUTHORS, &app.owner_id);
    let version = app.get(&me, owner).await.expect(200).body["version"].clone();
    app.patch(
        &me,
        owner,
        &if_match(&version),
        json!({"website": "javascript:alert(1)"}),
    )
    .await
    .problem(422);
    assert_eq!(app.get(&path, owner).await.body["version"], 1);
    assert_eq!(app.get(&me, owner).await.body["version"], version);
    // The control: an https URL is accepted.
    app.patch(
        &path,
        owner,
        "\"1\"",
        json!({"feature_image": "https://example.com/a.png"}),
    )
    .await
    .expect(200);
}

// ---------------------------------------------------------------------------------------------
// 5. Oversized input
// ---------------------------------------------------------------------------------------------

async fn oversized_query_strings_are_414(backend: Backend) {
    let app = spawn(backend).await;
    // 16 KiB of well-formed filter, and 16 KiB of anything at all.
    let tags: Vec<String> = (0..2000).map(|i| format!("tag-{i}")).collect();
    let filter = format!("{POSTS}?tag={}", tags.join(","));
    let padding = format!("{POSTS}?q={}", "a".repeat(16 * 1024));
    for path in [filter, padding] {
        assert!(path.len() >= 16 * 1024);
        for token in [None, Some(app.owner_token.as_str())] {
            app.get(&path, token).await.problem(414);
        }
    }
}

/// POST bodies past the limit are covered by `errors::oversized_bodies_are_413` and
/// `errors::failed_writes_change_nothing`; these are the PATCH bodies.
async fn oversized_patch_bodies_are_413_and_change_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let huge = "x".repeat(70 * 1024);
    let post = app.post_as(None, json!({"title": "Small"})).await;
    let tag = app.tag("Small").await;
    let author = app.author("Small").await;
    for (path, body) in [
        (post_path(&post), json!({"markdown": huge})),
        (resource(TAGS, id(&tag)), json!({"description": huge})),
        (resource(AUTHORS, id(&author)), json!({"bio": huge})),
    ] {
        let before = app.get(&path, owner).await.expect(200).body;
        let problem = app.patch(&path, owner, "\"1\"", body).await.problem(413);
        assert_eq!(problem["type"], "urn:folio:problem:payload-too-large");
        assert_eq!(app.get(&path, owner).await.expect(200).body, before);
    }
}
