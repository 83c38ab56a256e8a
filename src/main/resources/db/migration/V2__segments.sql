-- Segment definitions. rule is the JSON as submitted (validated); version grows on every PUT.
CREATE TABLE segments (
    tenant_id  text        NOT NULL REFERENCES tenants (id),
    id         text        NOT NULL,
    name       text        NOT NULL,
    rule       jsonb       NOT NULL,
    version    integer     NOT NULL,
    status     text        NOT NULL CHECK (status IN ('building', 'live')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);

-- Bumped by every segment change; ingest transactions read it to know their segment catalogue is current.
ALTER TABLE tenants ADD COLUMN segments_version bigint NOT NULL DEFAULT 0;

-- Per contact: behavioural state per event signature ({"<signature>": {"n": count, "t": [micros...]}})
-- and the segments it is in (the membership truth, maintained under the contact's row lock).
ALTER TABLE contacts ADD COLUMN behaviour jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE contacts ADD COLUMN segments text[] NOT NULL DEFAULT '{}';
CREATE INDEX contacts_segments ON contacts USING gin (segments);
CREATE INDEX contacts_number ON contacts (tenant_id, contact_no);

-- The change log: every enter/exit of a segment (key 'seg:<id>') and every change of a projected
-- profile bit (key 'tag:<t>', 'aud:<a>', 'ch:<channel>', 'live'), with a per-tenant seq. Seqs are taken
-- at the end of the writing transaction under the tenant's change_seq row lock, so they commit in
-- seq order.
CREATE TABLE changes (
    tenant_id      text        NOT NULL,
    seq            bigint      NOT NULL,
    key            text        NOT NULL,
    contact_id     text        NOT NULL,
    contact_no     bigint      NOT NULL,
    bit            boolean     NOT NULL,
    at             timestamptz NOT NULL,
    cause_kind     text        NOT NULL,
    cause_event_id text,
    PRIMARY KEY (tenant_id, seq)
);

CREATE TABLE change_seq (
    tenant_id text PRIMARY KEY REFERENCES tenants (id),
    last_seq  bigint NOT NULL
);

-- When each contact's membership can next change with time alone. lease_until marks a claimed timer.
CREATE TABLE contact_timers (
    tenant_id   text        NOT NULL,
    contact_id  text        NOT NULL,
    due_at      timestamptz NOT NULL,
    lease_until timestamptz,
    PRIMARY KEY (tenant_id, contact_id)
);
CREATE INDEX contact_timers_due ON contact_timers (due_at);

-- Segment (re)builds: a job per segment version, picked up by any instance.
CREATE TABLE segment_builds (
    tenant_id   text        NOT NULL,
    segment_id  text        NOT NULL,
    version     integer     NOT NULL,
    after_no    bigint      NOT NULL DEFAULT -1,
    lease_until timestamptz,
    PRIMARY KEY (tenant_id, segment_id)
);
