-- Rows are rewritten below, which queues the deferred content_generation triggers, and
-- PostgreSQL will not alter a table with trigger events pending: fire them as they come.
SET CONSTRAINTS ALL IMMEDIATE;
DROP TABLE preview_tokens;
DROP TABLE revisions;
DROP TABLE settings;
DROP TABLE posts_meta;
ALTER TABLE authors
    DROP COLUMN cover_image, DROP COLUMN meta_title, DROP COLUMN meta_description,
    DROP COLUMN twitter, DROP COLUMN facebook, DROP COLUMN mastodon, DROP COLUMN bluesky,
    DROP COLUMN threads, DROP COLUMN linkedin, DROP COLUMN instagram, DROP COLUMN youtube,
    DROP COLUMN tiktok;
ALTER TABLE tags
    DROP COLUMN visibility, DROP COLUMN feature_image, DROP COLUMN accent_color,
    DROP COLUMN meta_title, DROP COLUMN meta_description, DROP COLUMN og_image,
    DROP COLUMN og_title, DROP COLUMN og_description, DROP COLUMN twitter_image,
    DROP COLUMN twitter_title, DROP COLUMN twitter_description, DROP COLUMN canonical_url,
    DROP COLUMN codeinjection_head, DROP COLUMN codeinjection_foot;
DELETE FROM posts WHERE kind = 'page';
ALTER TABLE post_slugs DROP CONSTRAINT post_slugs_pkey;
ALTER TABLE post_slugs DROP COLUMN kind;
ALTER TABLE post_slugs ADD PRIMARY KEY (slug);
DROP INDEX posts_scheduled_idx;
DROP INDEX posts_all_idx;
DROP INDEX posts_live_idx;
ALTER TABLE posts DROP CONSTRAINT posts_kind_slug_key;
ALTER TABLE posts ADD CONSTRAINT posts_slug_key UNIQUE (slug);
ALTER TABLE posts
    DROP COLUMN kind, DROP COLUMN uuid, DROP COLUMN visibility,
    DROP COLUMN codeinjection_head, DROP COLUMN codeinjection_foot, DROP COLUMN custom_template;
CREATE INDEX posts_live_idx ON posts (published_at DESC, created_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX posts_all_idx ON posts (published_at DESC, created_at DESC, id DESC);
