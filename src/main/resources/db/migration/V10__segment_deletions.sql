-- Segments deleted whose memberships are still being removed: the definition is deleted under the
-- tenant lock at once, the members leave in batches afterwards (segment.SegmentDeletions). generation
-- tells deletions of the same id apart (a segment deleted, re-created and deleted again); after_no is
-- the walk's cursor over contact numbers, committed with each batch, so a walk cut short resumes there.
CREATE SEQUENCE segment_deletion_generation;

CREATE TABLE segment_deletions (
    tenant_id   text        NOT NULL REFERENCES tenants (id),
    segment_id  text        NOT NULL,
    generation  bigint      NOT NULL,
    after_no    bigint      NOT NULL DEFAULT -1,
    lease_until timestamptz,
    deleted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, segment_id)
);
