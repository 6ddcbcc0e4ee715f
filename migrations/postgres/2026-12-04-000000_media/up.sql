-- Media: uploaded files stored by the SHA-256 of their bytes, their responsive variants, the
-- posts that point at them, and objects that may have lost their record.

CREATE TABLE media (
    id          TEXT PRIMARY KEY NOT NULL,
    -- The stored bytes' digest, which names the object: the same bytes are stored once.
    sha256      TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'document')),
    mime_type   TEXT NOT NULL,
    extension   TEXT NOT NULL,
    -- The uploaded name, made safe for a URL: the last segment of the file's address.
    file_name   TEXT NOT NULL,
    size_bytes  BIGINT NOT NULL,
    width       INTEGER,
    height      INTEGER,
    alt         TEXT,
    caption     TEXT,
    uploaded_by TEXT REFERENCES authors (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     BIGINT NOT NULL
);
CREATE INDEX media_kind_idx ON media (kind, id);
CREATE INDEX media_uploaded_by_idx ON media (uploaded_by);

-- The variants that are ready: only these are served.
CREATE TABLE media_variants (
    media_id   TEXT NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    mime_type  TEXT NOT NULL,
    extension  TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    PRIMARY KEY (media_id, width, extension)
);

-- Which posts and pages point at which stored bytes (feature, social and inline images), kept
-- with every write of a post: media still pointed at is not deleted by accident.
CREATE TABLE media_references (
    sha256  TEXT NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    PRIMARY KEY (sha256, post_id)
);
CREATE INDEX media_references_post_idx ON media_references (post_id);

-- Objects that may have no record: written before an upload stores its object (so one that is
-- interrupted is found again), and when a record is deleted. Once due, a sweep deletes the
-- objects of each digest no record has.
CREATE TABLE media_sweeps (
    sha256    TEXT PRIMARY KEY NOT NULL,
    extension TEXT NOT NULL,
    due_at    TIMESTAMP NOT NULL
);
CREATE INDEX media_sweeps_due_idx ON media_sweeps (due_at);

-- The job queue learns two kinds: making an image's variants, and sweeping objects.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
    CHECK (kind IN ('publish', 'deliver', 'prune', 'variants', 'sweep'));
