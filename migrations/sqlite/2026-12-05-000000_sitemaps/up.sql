-- A sitemap lists every live post's address: answered from this index alone (a covering
-- index: status too, or SQLite reads the row to check it), since reaching those columns in the
-- table means stepping over each post's Markdown and HTML.
CREATE INDEX posts_addresses_idx
    ON posts (kind, published_at DESC, id DESC, slug, uuid, updated_at, canonical_url, status)
    WHERE status IN ('published', 'scheduled');
