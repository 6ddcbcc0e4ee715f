//! The tables, as diesel sees them: kept by hand in the portable subset of types both
//! backends share (see migrations/).

diesel::table! {
    authors (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        bio -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        website -> Nullable<Text>,
        location -> Nullable<Text>,
        email -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        role -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        disabled_at -> Nullable<Timestamp>,
        cover_image -> Nullable<Text>,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        twitter -> Nullable<Text>,
        facebook -> Nullable<Text>,
        mastodon -> Nullable<Text>,
        bluesky -> Nullable<Text>,
        threads -> Nullable<Text>,
        linkedin -> Nullable<Text>,
        instagram -> Nullable<Text>,
        youtube -> Nullable<Text>,
        tiktok -> Nullable<Text>,
    }
}

diesel::table! {
    tags (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        visibility -> Text,
        feature_image -> Nullable<Text>,
        accent_color -> Nullable<Text>,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        og_image -> Nullable<Text>,
        og_title -> Nullable<Text>,
        og_description -> Nullable<Text>,
        twitter_image -> Nullable<Text>,
        twitter_title -> Nullable<Text>,
        twitter_description -> Nullable<Text>,
        canonical_url -> Nullable<Text>,
        codeinjection_head -> Nullable<Text>,
        codeinjection_foot -> Nullable<Text>,
    }
}

diesel::table! {
    posts (id) {
        id -> Text,
        kind -> Text,
        uuid -> Text,
        slug -> Text,
        title -> Text,
        custom_excerpt -> Nullable<Text>,
        excerpt -> Text,
        reading_time -> Integer,
        feature_image -> Nullable<Text>,
        featured -> Bool,
        status -> Text,
        visibility -> Text,
        published_at -> Nullable<Timestamp>,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        canonical_url -> Nullable<Text>,
        codeinjection_head -> Nullable<Text>,
        codeinjection_foot -> Nullable<Text>,
        custom_template -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        word_count -> Integer,
        image_count -> Integer,
        text_start -> Text,
    }
}

diesel::table! {
    /// A post's bodies, apart from its row (see the post_bodies migrations), each read
    /// through `db::text::folio_text` (SQLite stores them packed, and they are written by raw
    /// statements). On PostgreSQL it also holds the search vector, which only raw statements
    /// touch.
    post_bodies (post_id) {
        post_id -> Text,
        markdown -> Text,
        html -> Text,
    }
}

diesel::table! {
    post_slugs (kind, slug) {
        kind -> Text,
        slug -> Text,
        post_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// The image and social fields of posts that set any (Ghost keeps them apart alike).
    posts_meta (post_id) {
        post_id -> Text,
        feature_image_alt -> Nullable<Text>,
        feature_image_caption -> Nullable<Text>,
        og_image -> Nullable<Text>,
        og_title -> Nullable<Text>,
        og_description -> Nullable<Text>,
        twitter_image -> Nullable<Text>,
        twitter_title -> Nullable<Text>,
        twitter_description -> Nullable<Text>,
    }
}

diesel::table! {
    posts_authors (post_id, author_id) {
        post_id -> Text,
        author_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    posts_tags (post_id, tag_id) {
        post_id -> Text,
        tag_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        author_id -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        role -> Nullable<Text>,
        secret_hash -> Text,
        prefix -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// The site's settings: one row holding one JSON document.
    settings (id) {
        id -> Integer,
        document -> Text,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    revisions (id) {
        id -> Text,
        post_id -> Text,
        number -> Integer,
        reason -> Text,
        author_id -> Nullable<Text>,
        created_at -> Timestamp,
        changed_fields -> Text,
        snapshot -> Binary,
    }
}

diesel::table! {
    preview_tokens (token_hash) {
        token_hash -> Text,
        post_id -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    auth_failures (bucket) {
        bucket -> Text,
        window_start -> Timestamp,
        failures -> Integer,
    }
}

diesel::joinable!(sessions -> authors (author_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(api_keys -> authors (created_by));
diesel::joinable!(post_bodies -> posts (post_id));
diesel::joinable!(post_slugs -> posts (post_id));
diesel::joinable!(posts_meta -> posts (post_id));
diesel::joinable!(revisions -> posts (post_id));
diesel::joinable!(revisions -> authors (author_id));
diesel::joinable!(preview_tokens -> posts (post_id));
diesel::joinable!(preview_tokens -> authors (created_by));
diesel::joinable!(posts_authors -> posts (post_id));
diesel::joinable!(posts_authors -> authors (author_id));
diesel::joinable!(posts_tags -> posts (post_id));
diesel::joinable!(posts_tags -> tags (tag_id));

diesel::table! {
    jobs (id) {
        id -> Text,
        kind -> Text,
        payload -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        lease_until -> Nullable<Timestamp>,
        leased_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        event_type -> Text,
        body -> Text,
        created_at -> Timestamp,
        dispatched_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        url -> Text,
        events -> Text,
        enabled -> Bool,
        description -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event_id -> Text,
        event_type -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        response_status -> Nullable<Integer>,
        latency_ms -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> events (event_id));

diesel::table! {
    media (id) {
        id -> Text,
        sha256 -> Text,
        kind -> Text,
        mime_type -> Text,
        extension -> Text,
        file_name -> Text,
        size_bytes -> BigInt,
        width -> Nullable<Integer>,
        height -> Nullable<Integer>,
        alt -> Nullable<Text>,
        caption -> Nullable<Text>,
        uploaded_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    media_variants (media_id, width, extension) {
        media_id -> Text,
        width -> Integer,
        height -> Integer,
        mime_type -> Text,
        extension -> Text,
        size_bytes -> BigInt,
    }
}

diesel::table! {
    media_references (sha256, post_id) {
        sha256 -> Text,
        post_id -> Text,
    }
}

diesel::table! {
    media_sweeps (sha256) {
        sha256 -> Text,
        extension -> Text,
        due_at -> Timestamp,
    }
}

diesel::joinable!(media -> authors (uploaded_by));
diesel::joinable!(media_variants -> media (media_id));
diesel::joinable!(media_references -> posts (post_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    auth_failures,
    authors,
    content_generation,
    events,
    jobs,
    media,
    media_references,
    media_sweeps,
    media_variants,
    post_bodies,
    post_slugs,
    posts,
    posts_authors,
    posts_meta,
    posts_tags,
    preview_tokens,
    refresh_tokens,
    revisions,
    sessions,
    settings,
    tags,
    webhook_deliveries,
    webhooks
);

diesel::table! {
    /// Grows with every committed change to content (kept by triggers).
    content_generation (id) {
        id -> Integer,
        generation -> BigInt,
    }
}
