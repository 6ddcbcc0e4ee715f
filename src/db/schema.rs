// Kept by hand in the portable subset of types both backends share (see migrations/).

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
    }
}

diesel::table! {
    posts (id) {
        id -> Text,
        slug -> Text,
        title -> Text,
        markdown -> Text,
        html -> Text,
        plaintext -> Text,
        custom_excerpt -> Nullable<Text>,
        excerpt -> Text,
        reading_time -> Integer,
        feature_image -> Nullable<Text>,
        featured -> Bool,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        canonical_url -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    post_slugs (slug) {
        slug -> Text,
        post_id -> Text,
        created_at -> Timestamp,
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

diesel::joinable!(post_slugs -> posts (post_id));
diesel::joinable!(posts_authors -> posts (post_id));
diesel::joinable!(posts_authors -> authors (author_id));
diesel::joinable!(posts_tags -> posts (post_id));
diesel::joinable!(posts_tags -> tags (tag_id));

diesel::allow_tables_to_appear_in_same_query!(
    authors,
    content_generation,
    post_slugs,
    posts,
    posts_authors,
    posts_tags,
    tags
);

diesel::table! {
    /// Grows with every committed change to content (kept by triggers).
    content_generation (id) {
        id -> Integer,
        generation -> BigInt,
    }
}
