-- Tenants and their API keys. Keys are stored only as SHA-256 hashes of the full key.
CREATE TABLE tenants (
    id         text PRIMARY KEY,
    name       text        NOT NULL,
    time_zone  text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id         text PRIMARY KEY,
    tenant_id  text        NOT NULL REFERENCES tenants (id),
    key_hash   text        NOT NULL UNIQUE,
    scopes     text[]      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

-- Dense per-tenant contact numbers are handed out in blocks: an instance reserves a block by
-- advancing next_no in its own short transaction, so the row is never held by an ingest transaction.
CREATE TABLE contact_number_blocks (
    tenant_id text PRIMARY KEY REFERENCES tenants (id),
    next_no   bigint NOT NULL
);

-- The event log, idempotent by (tenant, event id). properties are erased ('{}') when the contact is deleted.
CREATE TABLE events (
    tenant_id   text        NOT NULL,
    event_id    text        NOT NULL,
    contact_id  text        NOT NULL,
    type        text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    properties  jsonb       NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX events_contact ON events (tenant_id, contact_id, occurred_at);

-- Contact profiles: the folded state (latest-occurredAt-wins per key, with tombstones) as jsonb.
-- contact_no is never reused; a deleted contact keeps its row (live = false) and number.
CREATE TABLE contacts (
    tenant_id  text        NOT NULL,
    contact_id text        NOT NULL,
    contact_no bigint      NOT NULL,
    live       boolean     NOT NULL,
    created_at timestamptz,
    state      jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, contact_id),
    UNIQUE (tenant_id, contact_no)
);
