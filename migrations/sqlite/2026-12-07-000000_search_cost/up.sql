-- PostgreSQL only (its search vector's trigger); SQLite's index has no such trigger to change.
SELECT 1;
