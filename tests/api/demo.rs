//! The sample blog (`--demo`), read as a frontend reads it: a whole blog built from the API
//! alone, anonymously: the site's name and navigation, the pages it links to, posts with
//! their authors, tags and addresses, an author's page, a tag's page, and a draft shown by a
//! preview link.

use actix_web::body::MessageBody;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{AUTHORS, PAGES, POSTS, SETTINGS, TAGS, by_slug, preview, resource};
use crate::support::{Backend, Served, TestApp, id, slugs, spawn_with};

on_both_backends!(a_frontend_builds_the_whole_blog_from_the_api);

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect()
}

async fn a_frontend_builds_the_whole_blog_from_the_api(backend: Backend) {
    let app = spawn_with(backend, |cfg| cfg.demo = true).await;
    let owner = Some(app.owner_token.as_str());
    app.patch(
        SETTINGS,
        owner,
        "*",
        json!({"url": "https://blog.example.com"}),
    )
    .await
    .expect(200);
    let read = |path: String| {
        let app = &app;
        async move { app.get(&path, None).await.expect(200).body }
    };

    // The frame of every page: the site's name and navigation, and where it leads.
    let site = read(SETTINGS.to_owned()).await;
    assert_eq!(site["title"], "Folio Sample Blog");
    assert_eq!(names(&site["navigation"], "label"), ["Home", "About"]);
    for link in site["navigation"].as_array().unwrap()[1..]
        .iter()
        .chain(site["secondary_navigation"].as_array().unwrap())
    {
        let slug = link["url"].as_str().unwrap().trim_matches('/');
        let page = read(by_slug(PAGES, slug)).await;
        assert_eq!(page["url"], format!("https://blog.example.com/{slug}/"));
        assert!(page["html"].as_str().unwrap().starts_with("<p>"));
    }

    // The front page: posts only, live ones, internal tags left out.
    let front = read(format!("{POSTS}?limit=100")).await;
    let listed = slugs(&front);
    assert!(!listed.is_empty());
    assert!(!listed.contains(&"about".to_owned()), "pages are not posts");
    for post in front["data"].as_array().unwrap() {
        assert_eq!(post["status"], "published");
        let tags = names(&post["tags"], "name");
        assert!(!tags.iter().any(|t| t.starts_with('#')), "{tags:?}");
        assert_eq!(
            post["url"],
            format!(
                "https://blog.example.com/{}/",
                post["slug"].as_str().unwrap()
            )
        );
    }
    let welcome = read(by_slug(POSTS, "welcome-to-the-folio-sample-blog")).await;
    assert_eq!(
        names(&welcome["tags"], "name"),
        ["Getting Started", "Editorial"]
    );
    let as_staff = app
        .get(&resource(POSTS, id(&welcome)), owner)
        .await
        .expect(200)
        .body;
    assert_eq!(
        as_staff["tags"][2]["visibility"], "internal",
        "staff see it"
    );

    // An author's page and a tag's page, by the slugs the post links to.
    let author = &welcome["authors"][0];
    let page = read(format!(
        "{}?include=count.posts",
        by_slug(AUTHORS, author["slug"].as_str().unwrap())
    ))
    .await;
    assert_eq!(page["url"], author["url"]);
    assert!(page["count"]["posts"].as_i64().unwrap() > 0);
    let by_author = read(format!("{POSTS}?author={}", page["slug"].as_str().unwrap())).await;
    assert!(slugs(&by_author).contains(&welcome["slug"].as_str().unwrap().to_owned()));
    let tag = &welcome["tags"][0];
    let page = read(by_slug(TAGS, tag["slug"].as_str().unwrap())).await;
    assert_eq!(
        page["url"],
        format!(
            "https://blog.example.com/tag/{}/",
            page["slug"].as_str().unwrap()
        )
    );
    let tags = read(format!("{TAGS}?limit=100")).await;
    assert!(!names(&tags["data"], "name").contains(&"#newsletter".to_owned()));

    a_draft_is_shown_by_its_link(&app).await;
}

/// A draft, shown to a colleague who cannot sign in.
async fn a_draft_is_shown_by_its_link<S: Served<B>, B: MessageBody>(app: &TestApp<S>) {
    let owner = Some(app.owner_token.as_str());
    let drafts = app
        .get(&format!("{POSTS}?status=draft"), owner)
        .await
        .expect(200)
        .body;
    let draft = &drafts["data"][0];
    app.get(&resource(POSTS, id(draft)), None)
        .await
        .problem(404);
    let link = app
        .post(&preview(&resource(POSTS, id(draft))), owner, json!({}))
        .await
        .expect(201)
        .body;
    let shown = app
        .get(link["path"].as_str().unwrap(), None)
        .await
        .expect(200)
        .body;
    assert_eq!(shown["kind"], "post");
    assert_eq!(shown["data"]["title"], draft["title"]);
    assert_eq!(shown["data"]["html"], draft["html"]);
}
