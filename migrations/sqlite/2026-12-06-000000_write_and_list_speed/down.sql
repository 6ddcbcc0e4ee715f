CREATE INDEX posts_all_idx ON posts (kind, published_at DESC, created_at DESC, id DESC);
DROP INDEX posts_staff_idx;
