-- The job queue, the outbox of events, and the webhooks that events are delivered to.

-- Work to do, durable: claimed by leasing it (lease_until), so a job whose instance died
-- becomes claimable again when its lease runs out; done when its row is gone.
CREATE TABLE jobs (
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
CREATE INDEX jobs_due_idx ON jobs (run_at);

-- What happened, written in the transaction that made it happen: the body every delivery of
-- the event sends. The worker hands each to the webhooks that want it (a delivery each) and
-- marks it dispatched, in one transaction; the write itself only adds this row.
CREATE TABLE events (
    id            TEXT PRIMARY KEY NOT NULL,
    event_type    TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    dispatched_at TIMESTAMP
);
CREATE INDEX events_undispatched_idx ON events (created_at) WHERE dispatched_at IS NULL;

CREATE TABLE webhooks (
    id                    TEXT PRIMARY KEY NOT NULL,
    url                   TEXT NOT NULL,
    -- The event types it wants, space-separated.
    events                TEXT NOT NULL,
    enabled               BOOLEAN NOT NULL,
    description           TEXT,
    -- Signing needs the secret itself, not a digest of it.
    secret                TEXT NOT NULL,
    -- After a rotation the old secret signs beside the new one until this time.
    previous_secret       TEXT,
    previous_secret_until TIMESTAMP,
    -- Why Folio turned it off (the receiver answered 410), if it did.
    disabled_reason       TEXT,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    version               BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY NOT NULL,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    last_attempt_at TIMESTAMP,
    response_status INTEGER,
    latency_ms      INTEGER,
    response_body   TEXT,
    error           TEXT,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_age_idx ON webhook_deliveries (created_at);

-- Posts and pages scheduled before there was a queue get their publishing job now.
INSERT INTO jobs (id, kind, payload, run_at, attempts, created_at)
SELECT 'publish-' || id, 'publish', '{"post":"' || id || '"}', published_at, 0, now() AT TIME ZONE 'UTC'
FROM posts WHERE status = 'scheduled' AND published_at IS NOT NULL;
