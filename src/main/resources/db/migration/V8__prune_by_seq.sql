-- The change log is pruned per tenant as a prefix of seqs (every seq up to change_seq.pruned_through is
-- gone, every later one kept), walking the primary key in seq order. The index on `at` that the
-- earlier pruning (any rows older than the retention, in any order) needed goes: it cost three index
-- insertions per ingested event (one per change row) and was read by nothing else.
-- Rows at or below a tenant's pruned_through can remain from that earlier pruning (a row newer than
-- its neighbours); no reader reads them (a resume from before pruned_through starts with a reset), so
-- they go now, making the prefix exact.
DELETE FROM changes c USING change_seq s WHERE c.tenant_id = s.tenant_id AND c.seq <= s.pruned_through;
DROP INDEX IF EXISTS changes_at;
