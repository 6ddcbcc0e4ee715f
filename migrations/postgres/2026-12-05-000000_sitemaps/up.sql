-- A sitemap lists every live post's address: answered from this index alone (an index-only
-- scan), without reading the posts' rows and their bodies.
CREATE INDEX posts_addresses_idx
    ON posts (kind, published_at DESC, id DESC)
    INCLUDE (slug, uuid, updated_at, canonical_url, status)
    WHERE status IN ('published', 'scheduled');
