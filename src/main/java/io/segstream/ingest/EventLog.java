package io.segstream.ingest;

import io.segstream.platform.PgArrays;
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
     * Stores the events whose ids are new, with one statement, and emits those ids. Inside a transaction,
     * a concurrent batch holding the same id makes this wait for it, and then counts the id as known:
     * an id is stored exactly once.
     */
    Mono<Set<String>> insertNew(String tenantId, List<IncomingEvent> events) {
        if (events.isEmpty()) return Mono.just(Set.of());
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
        return db.sql("""
                        INSERT INTO events (tenant_id, event_id, contact_id, type, occurred_at, properties)
                        SELECT :tenant, v.id, v.contact, v.type, v.at::timestamptz, v.props::jsonb
                        FROM unnest(:ids::text[], :contacts::text[], :types::text[], :times::text[], :props::text[])
                             WITH ORDINALITY AS v(id, contact, type, at, props, ord)
                        ORDER BY v.ord
                        ON CONFLICT (tenant_id, event_id) DO NOTHING
                        RETURNING event_id""")
                .bind("tenant", tenantId)
                .bind("ids", PgArrays.text(ids))
                .bind("contacts", PgArrays.text(contacts))
                .bind("types", PgArrays.text(types))
                .bind("times", PgArrays.text(times))
                .bind("props", PgArrays.text(props))
                .map(row -> row.get("event_id", String.class))
                .all()
                .collect(HashSet::new, Set::add);
    }
}
