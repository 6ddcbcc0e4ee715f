-- The whole blog: pages beside posts (one table, told apart by kind), the fields blog
-- frontends read, site settings, revisions and preview tokens.
--
-- posts is rebuilt, keeping every rowid (the search index is keyed by it): a slug is now
-- unique within its kind. Foreign keys are off meanwhile, or dropping the old table would
-- delete every row that refers to it; they are checked before the commit.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE posts_new (
    id                 TEXT PRIMARY KEY NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('post', 'page')),
    -- Stable and public: what a preview address or an import names a post by.
    uuid               TEXT NOT NULL UNIQUE,
    slug               TEXT NOT NULL,
    title              TEXT NOT NULL,
    markdown           TEXT NOT NULL,
    html               TEXT NOT NULL,
    plaintext          TEXT NOT NULL,
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

-- A version 4 UUID for each existing post, from SQLite's random source.
INSERT INTO posts_new (
    rowid, id, kind, uuid, slug, title, markdown, html, plaintext, custom_excerpt, excerpt,
    reading_time, feature_image, featured, status, visibility, published_at, meta_title,
    meta_description, canonical_url, created_at, updated_at, version
)
SELECT
    rowid, id, 'post',
    lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
        || substr(lower(hex(randomblob(2))), 2) || '-'
        || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2)
        || '-' || lower(hex(randomblob(6))),
    slug, title, markdown, html, plaintext, custom_excerpt, excerpt, reading_time,
    feature_image, featured, status, 'public', published_at, meta_title, meta_description,
    canonical_url, created_at, updated_at, version
FROM posts;

DROP TABLE posts;
ALTER TABLE posts_new RENAME TO posts;

-- Lists walk these within one kind. The live one's condition is written as live posts are
-- filtered (src/db/live.rs), so that both databases see it applies.
CREATE INDEX posts_live_idx ON posts (kind, published_at DESC, created_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX posts_all_idx ON posts (kind, published_at DESC, created_at DESC, id DESC);
-- When the next scheduled post or page goes live: read with every freshness stamp.
CREATE INDEX posts_scheduled_idx ON posts (published_at) WHERE status = 'scheduled';

-- The triggers went with the old table.
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, title, excerpt, plaintext)
    VALUES (new.rowid, new.title, new.excerpt, new.plaintext);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, plaintext)
    VALUES ('delete', old.rowid, old.title, old.excerpt, old.plaintext);
END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, excerpt, plaintext ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, plaintext)
    VALUES ('delete', old.rowid, old.title, old.excerpt, old.plaintext);
    INSERT INTO posts_fts (rowid, title, excerpt, plaintext)
    VALUES (new.rowid, new.title, new.excerpt, new.plaintext);
END;
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

-- Former slugs, now within a kind too: a post and a page may each have been "about" once.
CREATE TABLE post_slugs_new (
    kind       TEXT NOT NULL CHECK (kind IN ('post', 'page')),
    slug       TEXT NOT NULL,
    post_id    TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, slug)
);
INSERT INTO post_slugs_new (kind, slug, post_id, created_at)
SELECT 'post', slug, post_id, created_at FROM post_slugs;
DROP TABLE post_slugs;
ALTER TABLE post_slugs_new RENAME TO post_slugs;
CREATE INDEX post_slugs_post_idx ON post_slugs (post_id);
CREATE TRIGGER post_slugs_insert_generation AFTER INSERT ON post_slugs
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER post_slugs_update_generation AFTER UPDATE ON post_slugs
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER post_slugs_delete_generation AFTER DELETE ON post_slugs
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;

-- The image and social fields, apart as Ghost keeps them (posts_meta): a row only for posts
-- that set any of them.
CREATE TABLE posts_meta (
    post_id               TEXT PRIMARY KEY NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    feature_image_alt     TEXT,
    feature_image_caption TEXT,
    og_image              TEXT,
    og_title              TEXT,
    og_description        TEXT,
    twitter_image         TEXT,
    twitter_title         TEXT,
    twitter_description   TEXT
);
CREATE TRIGGER posts_meta_insert_generation AFTER INSERT ON posts_meta
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_meta_update_generation AFTER UPDATE ON posts_meta
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_meta_delete_generation AFTER DELETE ON posts_meta
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;

-- A tag whose name starts with `#` is internal: for organising, never shown to readers.
ALTER TABLE tags ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
    CHECK (visibility IN ('public', 'internal'));
UPDATE tags SET visibility = 'internal' WHERE name LIKE '#%';
ALTER TABLE tags ADD COLUMN feature_image TEXT;
ALTER TABLE tags ADD COLUMN accent_color TEXT;
ALTER TABLE tags ADD COLUMN meta_title TEXT;
ALTER TABLE tags ADD COLUMN meta_description TEXT;
ALTER TABLE tags ADD COLUMN og_image TEXT;
ALTER TABLE tags ADD COLUMN og_title TEXT;
ALTER TABLE tags ADD COLUMN og_description TEXT;
ALTER TABLE tags ADD COLUMN twitter_image TEXT;
ALTER TABLE tags ADD COLUMN twitter_title TEXT;
ALTER TABLE tags ADD COLUMN twitter_description TEXT;
ALTER TABLE tags ADD COLUMN canonical_url TEXT;
ALTER TABLE tags ADD COLUMN codeinjection_head TEXT;
ALTER TABLE tags ADD COLUMN codeinjection_foot TEXT;

ALTER TABLE authors ADD COLUMN cover_image TEXT;
ALTER TABLE authors ADD COLUMN meta_title TEXT;
ALTER TABLE authors ADD COLUMN meta_description TEXT;
ALTER TABLE authors ADD COLUMN twitter TEXT;
ALTER TABLE authors ADD COLUMN facebook TEXT;
ALTER TABLE authors ADD COLUMN mastodon TEXT;
ALTER TABLE authors ADD COLUMN bluesky TEXT;
ALTER TABLE authors ADD COLUMN threads TEXT;
ALTER TABLE authors ADD COLUMN linkedin TEXT;
ALTER TABLE authors ADD COLUMN instagram TEXT;
ALTER TABLE authors ADD COLUMN youtube TEXT;
ALTER TABLE authors ADD COLUMN tiktok TEXT;

-- The site's settings: one row, one JSON document (src/settings/model.rs says what it holds
-- and what each key defaults to), versioned like every resource.
CREATE TABLE settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    document   TEXT NOT NULL,
    version    BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO settings (id, document, version, updated_at)
VALUES (1, '{}', 1, '1970-01-01 00:00:00');
-- Every post's address depends on them, so they are content for the caches.
CREATE TRIGGER settings_update_generation AFTER UPDATE ON settings
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;

-- What a post or page was at each change: a snapshot of its content (JSON, deflated), which
-- fields changed, why, and who changed it. Numbered per post from 1.
CREATE TABLE revisions (
    id             TEXT PRIMARY KEY NOT NULL,
    post_id        TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    number         INTEGER NOT NULL,
    reason         TEXT NOT NULL
        CHECK (reason IN ('created', 'edited', 'published', 'unpublished', 'restored')),
    author_id      TEXT REFERENCES authors (id) ON DELETE SET NULL,
    created_at     TIMESTAMP NOT NULL,
    changed_fields TEXT NOT NULL,
    snapshot       BLOB NOT NULL,
    UNIQUE (post_id, number)
);
CREATE INDEX revisions_author_idx ON revisions (author_id);

-- Links that show a draft to someone who cannot sign in. Only a hash of each token is kept
-- (256 random bits: no salt needed); a token dies with its post, or its maker's account.
CREATE TABLE preview_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    post_id    TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_by TEXT NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX preview_tokens_post_idx ON preview_tokens (post_id);
CREATE INDEX preview_tokens_author_idx ON preview_tokens (created_by);
CREATE INDEX preview_tokens_expires_idx ON preview_tokens (expires_at);

-- Nothing may point at a row that is not there: a violation fails this CHECK, and the
-- migration with it, before anything is committed.
CREATE TEMP TABLE rebuilt_keys_hold (violations INTEGER CHECK (violations = 0));
INSERT INTO rebuilt_keys_hold SELECT count(*) FROM pragma_foreign_key_check;
DROP TABLE rebuilt_keys_hold;

COMMIT;
PRAGMA foreign_keys = ON;
