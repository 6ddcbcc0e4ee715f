-- SQLite only: its search index is keyed by the lists' order. PostgreSQL's vector sits beside
-- each post's bodies, keyed by the post.
SELECT 1;
