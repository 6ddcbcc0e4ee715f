-- The bodies (Markdown, HTML, plain text) move to a table of their own, so that a post's row
-- holds only what lists filter, order and show. With the bodies inline, every row spanned
-- overflow pages, and checking whether a search match or a staff list entry is live read
-- them from disk: at a million posts, most of a search's time.
--
-- The search index becomes contentless: it held no text before either (it read it from
-- posts), and now the text is in two tables, so Folio writes the index itself beside each
-- write (src/posts/storage.rs), with one statement, instead of a trigger per table and field
-- re-reading the other table. contentless_delete lets it forget a row by rowid alone.
--
-- posts is rebuilt (one pass, keeping every rowid: the index is keyed by it) rather than
-- having three columns dropped (three passes over every body). Foreign keys are off
-- meanwhile, or dropping the old table would delete every row that refers to it; they are
-- checked before the commit.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE post_bodies (
    post_id   TEXT PRIMARY KEY NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    markdown  TEXT NOT NULL,
    html      TEXT NOT NULL,
    plaintext TEXT NOT NULL
);
INSERT INTO post_bodies (post_id, markdown, html, plaintext)
SELECT id, markdown, html, plaintext FROM posts;

DROP TRIGGER posts_fts_insert;
DROP TRIGGER posts_fts_delete;
DROP TRIGGER posts_fts_update;
DROP TABLE posts_fts;
CREATE VIRTUAL TABLE posts_fts USING fts5 (
    title,
    excerpt,
    plaintext,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO posts_fts (rowid, title, excerpt, plaintext)
SELECT rowid, title, excerpt, plaintext FROM posts;

CREATE TABLE posts_new (
    id                 TEXT PRIMARY KEY NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('post', 'page')),
    -- Stable and public: what a preview address or an import names a post by.
    uuid               TEXT NOT NULL UNIQUE,
    slug               TEXT NOT NULL,
    title              TEXT NOT NULL,
    custom_excerpt     TEXT,
    excerpt            TEXT NOT NULL,
    reading_time       INTEGER NOT NULL,
    feature_image      TEXT,
    featured           BOOLEAN NOT NULL DEFAULT FALSE,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published')),
    -- Who may read it once it is live; stored now, enforced when there are members.
    visibility         TEXT NOT NULL CHECK (visibility IN ('public', 'members', 'paid')),
    published_at       TIMESTAMP,
    meta_title         TEXT,
    meta_description   TEXT,
    canonical_url      TEXT,
    -- Markup the frontend puts into the page's head and foot; Folio never renders it.
    codeinjection_head TEXT,
    codeinjection_foot TEXT,
    custom_template    TEXT,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1,
    UNIQUE (kind, slug)
);
INSERT INTO posts_new (
    rowid, id, kind, uuid, slug, title, custom_excerpt, excerpt, reading_time, feature_image,
    featured, status, visibility, published_at, meta_title, meta_description, canonical_url,
    codeinjection_head, codeinjection_foot, custom_template, created_at, updated_at, version
)
SELECT
    rowid, id, kind, uuid, slug, title, custom_excerpt, excerpt, reading_time, feature_image,
    featured, status, visibility, published_at, meta_title, meta_description, canonical_url,
    codeinjection_head, codeinjection_foot, custom_template, created_at, updated_at, version
FROM posts;

DROP TABLE posts;
ALTER TABLE posts_new RENAME TO posts;

-- The indexes and triggers went with the old table; as the earlier migrations made them.
CREATE INDEX posts_live_idx ON posts (kind, published_at DESC, created_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX posts_scheduled_idx ON posts (published_at) WHERE status = 'scheduled';
CREATE INDEX posts_addresses_idx
    ON posts (kind, published_at DESC, id DESC, slug, uuid, updated_at, canonical_url, status)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX posts_staff_idx
    ON posts (kind, (published_at IS NULL) DESC, published_at DESC, created_at DESC, id DESC);

CREATE TRIGGER posts_insert_generation AFTER INSERT ON posts
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_update_generation AFTER UPDATE ON posts
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_delete_generation AFTER DELETE ON posts
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
-- post_bodies needs none of its own: a body changes only in a write that counts a new
-- version of its post.

-- Nothing may point at a row that is not there: a violation fails this CHECK, and the
-- migration with it, before anything is committed.
CREATE TEMP TABLE rebuilt_keys_hold (violations INTEGER CHECK (violations = 0));
INSERT INTO rebuilt_keys_hold SELECT count(*) FROM pragma_foreign_key_check;
DROP TABLE rebuilt_keys_hold;

COMMIT;
PRAGMA foreign_keys = ON;
