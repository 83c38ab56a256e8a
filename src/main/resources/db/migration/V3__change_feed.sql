-- The change feed: how far the change log of a tenant has been pruned (older seqs are gone), and an
-- index for replaying one tenant's segment changes in seq order.
ALTER TABLE change_seq ADD COLUMN pruned_through bigint NOT NULL DEFAULT 0;
CREATE INDEX changes_at ON changes (at);
