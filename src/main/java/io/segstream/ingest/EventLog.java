package io.segstream.ingest;

import io.segstream.platform.OpaqueArrays;
import io.segstream.platform.TextArray;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** The tenant's event log in PostgreSQL, idempotent by (tenant, event id). */
@Repository
class EventLog {

    private final DatabaseClient db;

    EventLog(DatabaseClient db) {
        this.db = db;
    }

    /**
     * What the first statement of a batch's transaction found: the tenant's time zone and segments version
     * (its row now share-locked), the ids of the events stored (the others were known), and which of the
     * batch's contacts already exist.
     */
    record Opened(String timeZone, long segmentsVersion, Set<String> inserted, Set<String> existingContacts) {}

    /**
     * The statement of {@link #open}. Which contacts exist is one scan of the primary key with the batch's
     * contact ids as its keys ({@link OpaqueArrays#any}).
     */
    static final String OPEN = """
            WITH t AS (SELECT time_zone, segments_version FROM tenants WHERE id = :tenant FOR SHARE),
            i AS (
                INSERT INTO events (tenant_id, event_id, contact_id, type, occurred_at, properties)
                SELECT :tenant, v.id, v.contact, v.type, v.at::timestamptz, v.props::jsonb
                FROM t, unnest(:ids::text[], :contacts::text[], :types::text[], :times::text[], :props::text[])
                     WITH ORDINALITY AS v(id, contact, type, at, props, ord)
                ORDER BY v.ord
                ON CONFLICT (tenant_id, event_id) DO NOTHING
                RETURNING event_id),
            c AS (
                SELECT contact_id FROM contacts WHERE tenant_id = :tenant AND contact_id = %s)
            SELECT 0 AS kind, time_zone AS name, segments_version AS version FROM t
            UNION ALL SELECT 1, event_id, NULL FROM i
            UNION ALL SELECT 2, contact_id, NULL FROM c""".formatted(OpaqueArrays.any(":contactIds::text[]"));

    /**
     * Opens a batch inside the caller's transaction, in one statement: takes the tenant row {@code FOR
     * SHARE} (the catalogue's lock, see {@code SegmentCatalog}), stores the events whose ids are new, and
     * looks up which of {@code contactIds} exist. Inside a transaction, a concurrent batch holding the same
     * event id makes this wait for it, and then counts the id as known: an id is stored exactly once.
     *
     * <p>Design note: these were three round trips (and the lookup a pool acquisition of its own, before
     * the transaction); each is one more wait for a scheduler slot on a loaded host. The tenant lock still
     * comes first: the events' insert reads the locked row. The lookup sees the statement's snapshot, like
     * the lookup before the transaction did; a contact created meanwhile is handled at its insert.
     */
    Mono<Opened> open(String tenantId, List<IncomingEvent> events, Collection<String> contactIds) {
        List<IncomingEvent> sorted = events.stream()
                .sorted(java.util.Comparator.comparing(e -> e.event().id()))
                .toList();
        int n = sorted.size();
        String[] ids = new String[n];
        String[] contacts = new String[n];
        String[] types = new String[n];
        String[] times = new String[n];
        String[] props = new String[n];
        for (int i = 0; i < n; i++) {
            var e = sorted.get(i).event();
            ids[i] = e.id();
            contacts[i] = e.contactId();
            types[i] = e.type();
            times[i] = e.occurredAt().toString();
            props[i] = sorted.get(i).propertiesJson();
        }
        return db.sql(OPEN)
                .bind("tenant", tenantId)
                .bind("ids", TextArray.of(ids))
                .bind("contacts", TextArray.of(contacts))
                .bind("types", TextArray.of(types))
                .bind("times", TextArray.of(times))
                .bind("props", TextArray.of(props))
                .bind("contactIds", TextArray.of(contactIds.toArray(String[]::new)))
                .map(row -> new Object[] {row.get("kind", Integer.class), row.get("name", String.class), row.get("version", Long.class)})
                .all()
                .collect(OpenedRows::new, OpenedRows::add)
                .map(rows -> rows.opened(tenantId));
    }

    private static final class OpenedRows {
        String timeZone;
        long version = -1;
        final Set<String> inserted = new HashSet<>();
        final Set<String> existing = new HashSet<>();

        void add(Object[] row) {
            switch ((Integer) row[0]) {
                case 0 -> {
                    timeZone = (String) row[1];
                    version = (Long) row[2];
                }
                case 1 -> inserted.add((String) row[1]);
                default -> existing.add((String) row[1]);
            }
        }

        Opened opened(String tenantId) {
            if (timeZone == null) throw new IllegalStateException("Tenant " + tenantId + " does not exist");
            return new Opened(timeZone, version, inserted, existing);
        }
    }
}
