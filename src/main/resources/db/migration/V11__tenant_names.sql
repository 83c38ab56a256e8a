-- The distinct tag and audience names of each tenant (each is one Redis bitmap as long as the tenant's
-- highest contact number), bounded by segstream.ingest.max-tags-per-tenant / max-audiences-per-tenant.
-- A name is recorded by the ingest transaction that first stores a contact.tagged / audience.joined
-- event carrying it (ingest.TenantNames) and is never removed. tenant_name_counts keeps the counts; its
-- row is locked by a transaction that records new names, so that two cannot both take the last place.
CREATE TABLE tenant_names (
    tenant_id text NOT NULL,
    kind      text NOT NULL CHECK (kind IN ('tag', 'audience')),
    name      text NOT NULL,
    PRIMARY KEY (tenant_id, kind, name)
);

CREATE TABLE tenant_name_counts (
    tenant_id text    PRIMARY KEY REFERENCES tenants (id),
    tags      integer NOT NULL,
    audiences integer NOT NULL
);

-- Names already in use: every tag and audience a contact's folded state holds, present or removed
-- (a removed one keeps its fact, and its bitmap stayed in Redis). One pass over contacts, which has a
-- row per contact rather than per event; the events of deleted contacts are erased, so a name only
-- such contacts ever had is not found, and is counted again when an event next brings it.
INSERT INTO tenant_names (tenant_id, kind, name)
SELECT DISTINCT c.tenant_id, x.kind, x.name
FROM contacts c
CROSS JOIN LATERAL (SELECT 'tag' AS kind, k AS name FROM jsonb_object_keys(c.state -> 'tg') AS k
                    UNION ALL
                    SELECT 'audience', k FROM jsonb_object_keys(c.state -> 'au') AS k) x;

INSERT INTO tenant_name_counts (tenant_id, tags, audiences)
SELECT t.id, count(n.name) FILTER (WHERE n.kind = 'tag'), count(n.name) FILTER (WHERE n.kind = 'audience')
FROM tenants t LEFT JOIN tenant_names n ON n.tenant_id = t.id
GROUP BY t.id;
