-- PostgreSQL only: SQLite's search already reads its index in the lists' order.
SELECT 1;
