-- PostgreSQL only: its search vector's trigger and its rank vectors. SQLite ranks from its FTS5
-- index, which holds what that needs.
SELECT 1;
