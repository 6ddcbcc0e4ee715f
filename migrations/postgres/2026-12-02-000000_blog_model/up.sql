-- The whole blog: pages beside posts (one table, told apart by kind), the fields blog
-- frontends read, site settings, revisions and preview tokens.
-- Rows are rewritten below, which queues the deferred content_generation triggers, and
-- PostgreSQL will not alter a table with trigger events pending: fire them as they come.
SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE posts ADD COLUMN kind TEXT NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'page'));
ALTER TABLE posts ALTER COLUMN kind DROP DEFAULT;
-- Stable and public: what a preview address or an import names a post by.
ALTER TABLE posts ADD COLUMN uuid TEXT;
UPDATE posts SET uuid = gen_random_uuid()::text;
ALTER TABLE posts ALTER COLUMN uuid SET NOT NULL;
ALTER TABLE posts ADD CONSTRAINT posts_uuid_key UNIQUE (uuid);
-- Who may read it once it is live; stored now, enforced when there are members.
ALTER TABLE posts ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
    CHECK (visibility IN ('public', 'members', 'paid'));
ALTER TABLE posts ALTER COLUMN visibility DROP DEFAULT;
-- Markup the frontend puts into the page's head and foot; Folio never renders it.
ALTER TABLE posts ADD COLUMN codeinjection_head TEXT;
ALTER TABLE posts ADD COLUMN codeinjection_foot TEXT;
ALTER TABLE posts ADD COLUMN custom_template TEXT;

-- A slug is unique within its kind.
ALTER TABLE posts DROP CONSTRAINT posts_slug_key;
ALTER TABLE posts ADD CONSTRAINT posts_kind_slug_key UNIQUE (kind, slug);

-- Lists walk these within one kind. The live one's condition is written as live posts are
-- filtered (src/db/live.rs), so that the planner sees it applies.
DROP INDEX posts_live_idx;
CREATE INDEX posts_live_idx ON posts (kind, published_at DESC, created_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
DROP INDEX posts_all_idx;
CREATE INDEX posts_all_idx ON posts (kind, published_at DESC, created_at DESC, id DESC);
-- When the next scheduled post or page goes live: read with every freshness stamp.
CREATE INDEX posts_scheduled_idx ON posts (published_at) WHERE status = 'scheduled';

-- Former slugs, now within a kind too: a post and a page may each have been "about" once.
ALTER TABLE post_slugs ADD COLUMN kind TEXT NOT NULL DEFAULT 'post'
    CHECK (kind IN ('post', 'page'));
ALTER TABLE post_slugs ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE post_slugs DROP CONSTRAINT post_slugs_pkey;
ALTER TABLE post_slugs ADD PRIMARY KEY (kind, slug);

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
CREATE CONSTRAINT TRIGGER posts_meta_generation AFTER INSERT OR UPDATE OR DELETE ON posts_meta
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION content_changed();

-- A tag whose name starts with `#` is internal: for organising, never shown to readers.
ALTER TABLE tags ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
    CHECK (visibility IN ('public', 'internal'));
UPDATE tags SET visibility = 'internal' WHERE name LIKE '#%';
ALTER TABLE tags
    ADD COLUMN feature_image TEXT,
    ADD COLUMN accent_color TEXT,
    ADD COLUMN meta_title TEXT,
    ADD COLUMN meta_description TEXT,
    ADD COLUMN og_image TEXT,
    ADD COLUMN og_title TEXT,
    ADD COLUMN og_description TEXT,
    ADD COLUMN twitter_image TEXT,
    ADD COLUMN twitter_title TEXT,
    ADD COLUMN twitter_description TEXT,
    ADD COLUMN canonical_url TEXT,
    ADD COLUMN codeinjection_head TEXT,
    ADD COLUMN codeinjection_foot TEXT;

ALTER TABLE authors
    ADD COLUMN cover_image TEXT,
    ADD COLUMN meta_title TEXT,
    ADD COLUMN meta_description TEXT,
    ADD COLUMN twitter TEXT,
    ADD COLUMN facebook TEXT,
    ADD COLUMN mastodon TEXT,
    ADD COLUMN bluesky TEXT,
    ADD COLUMN threads TEXT,
    ADD COLUMN linkedin TEXT,
    ADD COLUMN instagram TEXT,
    ADD COLUMN youtube TEXT,
    ADD COLUMN tiktok TEXT;

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
CREATE CONSTRAINT TRIGGER settings_generation AFTER INSERT OR UPDATE OR DELETE ON settings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION content_changed();

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
    snapshot       BYTEA NOT NULL,
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
