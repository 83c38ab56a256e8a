-- Segment counts come from the Redis projection, corrected from the change log up to the tenant's last
-- seq (membership.MembershipCounts); PostgreSQL counts only while a projection is being restored, with
-- one scan of the tenant's contacts. The GIN index on contacts.segments served nothing else, yet every
-- contact write maintained it (and flushed its pending list in bursts under load).
DROP INDEX IF EXISTS contacts_segments;
