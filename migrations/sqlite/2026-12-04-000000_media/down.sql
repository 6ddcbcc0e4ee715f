DELETE FROM jobs WHERE kind IN ('variants', 'sweep');
CREATE TABLE jobs_old (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('publish', 'deliver', 'prune')),
    payload     TEXT NOT NULL,
    run_at      TIMESTAMP NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    lease_until TIMESTAMP,
    leased_by   TEXT,
    last_error  TEXT,
    created_at  TIMESTAMP NOT NULL
);
INSERT INTO jobs_old SELECT id, kind, payload, run_at, attempts, lease_until, leased_by,
    last_error, created_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_old RENAME TO jobs;
CREATE INDEX jobs_due_idx ON jobs (run_at);
DROP TABLE media_sweeps;
DROP TABLE media_references;
DROP TABLE media_variants;
DROP TABLE media;
