package io.segstream.membership;

import io.segstream.platform.OpaqueArrays;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Per-contact timers: when a contact's membership can next change with time alone. */
@Repository
public class TimerStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final DatabaseClient db;

    public TimerStore(DatabaseClient db) {
        this.db = db;
    }

    /** The timers' removal: one primary-key probe per contact ({@link OpaqueArrays}). */
    static final String CLEAR = "DELETE FROM contact_timers t USING %s AS v(id) WHERE t.tenant_id = :tenant AND t.contact_id = v.id"
            .formatted(OpaqueArrays.unnest(":ids::text[]"));

    /** Sets (or clears, for an empty due) the timers of contacts locked by the caller's transaction. */
    public Mono<Void> set(String tenantId, Map<String, Optional<Instant>> dueByContact) {
        if (dueByContact.isEmpty()) return Mono.empty();
        List<String> setIds = new ArrayList<>();
        List<String> setDue = new ArrayList<>();
        List<String> clear = new ArrayList<>();
        dueByContact.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (e.getValue().isPresent()) {
                setIds.add(e.getKey());
                setDue.add(e.getValue().get().toString());
            } else {
                clear.add(e.getKey());
            }
        });
        Mono<Void> upsert = setIds.isEmpty() ? Mono.empty() : db.sql("""
                        INSERT INTO contact_timers (tenant_id, contact_id, due_at, lease_until)
                        SELECT :tenant, c, d::timestamptz, NULL FROM unnest(:ids::text[], :due::text[]) AS v(c, d)
                        ON CONFLICT (tenant_id, contact_id) DO UPDATE SET due_at = EXCLUDED.due_at, lease_until = NULL""")
                .bind("tenant", tenantId)
                .bind("ids", setIds.toArray(String[]::new))
                .bind("due", setDue.toArray(String[]::new))
                .then();
        Mono<Void> delete = clear.isEmpty() ? Mono.empty() : db.sql(CLEAR)
                .bind("tenant", tenantId)
                .bind("ids", clear.toArray(String[]::new))
                .then();
        return upsert.then(delete).timeout(TIMEOUT);
    }

    public record Due(String tenantId, String contactId) {}

    /**
     * Claims up to {@code limit} timers due at {@code now} (the application clock) for {@code lease}, in a short transaction of its own (the
     * caller's). Timers locked by others are skipped; an expired lease is claimable again.
     */
    public Flux<Due> claim(int limit, Duration lease, Instant now) {
        return db.sql("""
                        UPDATE contact_timers t SET lease_until = now() + make_interval(secs => :lease)
                        FROM (SELECT tenant_id, contact_id FROM contact_timers
                              WHERE due_at <= :now::timestamptz AND (lease_until IS NULL OR lease_until < now())
                              ORDER BY due_at LIMIT :limit FOR UPDATE SKIP LOCKED) d
                        WHERE t.tenant_id = d.tenant_id AND t.contact_id = d.contact_id
                        RETURNING t.tenant_id, t.contact_id""")
                .bind("lease", (double) lease.toSeconds())
                .bind("now", now.toString())
                .bind("limit", limit)
                .map(row -> new Due(row.get("tenant_id", String.class), row.get("contact_id", String.class)))
                .all()
                .timeout(TIMEOUT);
    }

    /** Timers waiting to fire now (for the backlog gauge). */
    public Mono<Long> backlog(Instant now) {
        return db.sql("SELECT count(*) FROM contact_timers WHERE due_at <= :now::timestamptz")
                .bind("now", now.toString())
                .map(row -> row.get(0, Long.class)).one().timeout(TIMEOUT);
    }
}
