-- A disabled account keeps its posts and bylines but cannot sign in, and its sessions and
-- keys stop working.
ALTER TABLE authors ADD COLUMN disabled_at TIMESTAMP;

-- There is one owner: handing over ownership demotes the old one before promoting the new,
-- and two hand-overs racing each other cannot both win.
CREATE UNIQUE INDEX authors_one_owner ON authors (role) WHERE role = 'owner';

-- One sign-in: every refresh token it is ever given hangs off it, so revoking the session
-- ends them all, and the access tokens that name it.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY NOT NULL,
    author_id  TEXT NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_author_idx ON sessions (author_id);

-- Refresh tokens are stored as SHA-256 of the secret (256 random bits: no salt needed).
-- A used token is kept until it expires, so presenting it again is recognised as reuse.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('content', 'integration')),
    -- What an integration key may do; content keys read published content only.
    role         TEXT CHECK (role IN ('admin', 'editor', 'author', 'contributor')),
    secret_hash  TEXT NOT NULL UNIQUE,
    -- The first characters of the secret, so people can tell their keys apart.
    prefix       TEXT NOT NULL,
    -- An integration key acts for the account that made it, and dies with it; a content key
    -- acts for no one and outlives its maker.
    created_by   TEXT REFERENCES authors (id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP,
    CHECK ((kind = 'integration') = (role IS NOT NULL))
);
CREATE INDEX api_keys_created_at_idx ON api_keys (created_at DESC, id DESC);

-- Failed sign-ins and refreshes, counted per account and per client address in fixed
-- windows. Kept in the database so every instance behind a load balancer shares them.
CREATE TABLE auth_failures (
    bucket       TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    failures     INTEGER NOT NULL
);
CREATE INDEX auth_failures_window_idx ON auth_failures (window_start);
