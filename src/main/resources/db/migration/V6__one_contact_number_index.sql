-- contacts carried two indexes on (tenant_id, contact_no): the UNIQUE constraint's and V5's covering
-- index with the id. One unique covering index serves both (uniqueness, and number -> id by index-only
-- scans), so every new contact and every non-HOT contact update maintains one index less.
-- (Not CONCURRENTLY, as in V5: on a large existing table, create contacts_number_unique by hand first.)
CREATE UNIQUE INDEX IF NOT EXISTS contacts_number_unique ON contacts (tenant_id, contact_no) INCLUDE (contact_id);
ALTER TABLE contacts DROP CONSTRAINT IF EXISTS contacts_tenant_id_contact_no_key;
ALTER TABLE contacts ADD CONSTRAINT contacts_number_unique UNIQUE USING INDEX contacts_number_unique;
DROP INDEX IF EXISTS contacts_number_id;
