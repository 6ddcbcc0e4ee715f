-- Times are UTC, written by the application (microsecond precision on both backends).
CREATE TABLE authors (
    id            TEXT PRIMARY KEY NOT NULL,
    slug          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    bio           TEXT,
    avatar_url    TEXT,
    website       TEXT,
    location      TEXT,
    -- Only authors who can sign in have these three; email is stored lower-cased.
    email         TEXT UNIQUE,
    password_hash TEXT,
    role          TEXT CHECK (role IN ('owner', 'admin', 'editor', 'author', 'contributor')),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    CHECK ((email IS NULL) = (role IS NULL))
);
CREATE INDEX authors_created_at_idx ON authors (created_at DESC, id DESC);

CREATE TABLE tags (
    id          TEXT PRIMARY KEY NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX tags_created_at_idx ON tags (created_at DESC, id DESC);

CREATE TABLE posts (
    id               TEXT PRIMARY KEY NOT NULL,
    slug             TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    markdown         TEXT NOT NULL,
    html             TEXT NOT NULL,
    plaintext        TEXT NOT NULL,
    custom_excerpt   TEXT,
    excerpt          TEXT NOT NULL,
    reading_time     INTEGER NOT NULL,
    feature_image    TEXT,
    featured         BOOLEAN NOT NULL DEFAULT FALSE,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published')),
    published_at     TIMESTAMP,
    meta_title       TEXT,
    meta_description TEXT,
    canonical_url    TEXT,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
-- The public list: live posts, newest first.
CREATE INDEX posts_live_idx ON posts (published_at DESC, created_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
-- The staff list: everything, drafts included.
CREATE INDEX posts_all_idx ON posts (published_at DESC, created_at DESC, id DESC);

CREATE TABLE posts_authors (
    post_id   TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    PRIMARY KEY (post_id, author_id)
);
CREATE INDEX posts_authors_author_idx ON posts_authors (author_id, post_id);

CREATE TABLE posts_tags (
    post_id  TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id   TEXT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX posts_tags_tag_idx ON posts_tags (tag_id, post_id);
