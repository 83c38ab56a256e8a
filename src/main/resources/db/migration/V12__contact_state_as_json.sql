-- A contact's folded state and behaviour are stored as json (the text as written) rather than jsonb. They are
-- only ever written whole and read whole by the service, never queried inside by SQL, yet every ingested
-- event rewrote them: jsonb parsed and rebuilt each one on the way in (about 1.3 kB per contact) and printed
-- it again on the way out, under the contact's row lock; json only checks the text and stores it, and the
-- compact text is smaller (725 + 580 bytes as jsonb, 647 + 473 as json, on the ingest benchmark's contacts).
-- Measured in docs/ingest-performance.md. The json operators (->, ->>, json_each) still read them.
-- (Rewrites the table: on a large existing one, plan the migration's lock and time.)
ALTER TABLE contacts
    ALTER COLUMN state TYPE json USING state::json,
    ALTER COLUMN behaviour DROP DEFAULT,
    ALTER COLUMN behaviour TYPE json USING behaviour::json,
    ALTER COLUMN behaviour SET DEFAULT '{}'::json;
