-- Full-text search over posts: title, excerpt and text. External content: the text lives
-- once, in posts, and the index holds only its tokens, keyed by posts' rowid. (VACUUM keeps
-- the rowids of a table with indexes, as posts has; were they ever renumbered,
-- `INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')` would bring the index back in step.)
-- unicode61 splits on everything but letters and digits, as the query parser does, and
-- folds case and accents.
CREATE VIRTUAL TABLE posts_fts USING fts5 (
    title,
    excerpt,
    plaintext,
    content = 'posts',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The triggers keep the index in step with every write. An external-content index forgets a
-- row only when told exactly what it held, hence the old values in 'delete'.
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

-- Index the posts written before search existed.
INSERT INTO posts_fts (posts_fts) VALUES ('rebuild');
