DROP TABLE auth_failures;
DROP TABLE api_keys;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP INDEX authors_one_owner;
ALTER TABLE authors DROP COLUMN disabled_at;
