-- Slugs a post used to have, so old links keep working (answered with 301 to the current one).
CREATE TABLE post_slugs (
    slug       TEXT PRIMARY KEY NOT NULL,
    post_id    TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX post_slugs_post_idx ON post_slugs (post_id);
