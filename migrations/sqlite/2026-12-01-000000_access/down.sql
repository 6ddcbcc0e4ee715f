DROP TABLE auth_failures;
DROP TABLE api_keys;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
ALTER TABLE authors DROP COLUMN disabled_at;
