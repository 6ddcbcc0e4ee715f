-- The search index is keyed by where each post stands in the lists' order (`search_key`,
-- see `SearchKey` in src/posts/search.rs), not by the post's rowid: a search then reads its
-- matches newest first, straight from the index, and stops at a page, instead of gathering
-- and ordering every match (at a million posts, tens of thousands for a common word).
--
-- The index is contentless, so its entries cannot be moved to their new keys here: that
-- needs each post's plain text, which is made from its Markdown by Folio, not by SQL. The
-- index is made empty, and Folio keys and indexes the posts that have no key yet before it
-- serves (`posts::storage::index_unkeyed`, in batches, so a stopped run goes on where it
-- was).
ALTER TABLE posts ADD COLUMN search_key INTEGER;
CREATE UNIQUE INDEX posts_search_key_idx ON posts (search_key);

DROP TABLE posts_fts;
CREATE VIRTUAL TABLE posts_fts USING fts5 (
    title,
    excerpt,
    plaintext,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
