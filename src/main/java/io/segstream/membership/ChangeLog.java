package io.segstream.membership;

import io.segstream.platform.PgArrays;
import io.segstream.platform.TextArray;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * The change log. {@link #append} must be the last write of its transaction: it takes the tenant's seq
 * row lock and holds it until commit, so seqs commit in order and a reader never sees seq 11 without 10.
 */
@Repository
public class ChangeLog {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final DatabaseClient db;

    public ChangeLog(DatabaseClient db) {
        this.db = db;
    }

    /**
     * Appends the changes with consecutive seqs, in list order. {@code at} is stored with microsecond
     * precision; the result carries the stamp as stored.
     */
    public Mono<Appended> append(String tenantId, List<Change> changes, Instant at) {
        if (changes.isEmpty()) return Mono.just(Appended.none(tenantId));
        Instant stamp = at.truncatedTo(ChronoUnit.MICROS);
        int n = changes.size();
        String[] keys = new String[n];
        String[] contacts = new String[n];
        Long[] numbers = new Long[n];
        Boolean[] bits = new Boolean[n];
        String[] kinds = new String[n];
        String[] events = new String[n];
        for (int i = 0; i < n; i++) {
            Change c = changes.get(i);
            keys[i] = c.key();
            contacts[i] = c.contactId();
            numbers[i] = c.contactNo();
            bits[i] = c.bit();
            kinds[i] = c.causeKind();
            events[i] = c.eventId();
        }
        return db.sql("""
                        WITH s AS (
                            INSERT INTO change_seq (tenant_id, last_seq) VALUES (:tenant, :n)
                            ON CONFLICT (tenant_id) DO UPDATE SET last_seq = change_seq.last_seq + :n
                            RETURNING last_seq - :n AS base),
                        i AS (
                            INSERT INTO changes (tenant_id, seq, key, contact_id, contact_no, bit, at, cause_kind, cause_event_id)
                            SELECT :tenant, s.base + v.ord, v.key, v.contact, v.no, v.bit, :at::timestamptz, v.kind, v.event
                            FROM s, unnest(:keys::text[], :contacts::text[], :numbers::bigint[], :bits::boolean[],
                                           :kinds::text[], :events::text[]) WITH ORDINALITY AS v(key, contact, no, bit, kind, event, ord))
                        SELECT base + 1 AS first FROM s""")
                .bind("tenant", tenantId)
                .bind("n", (long) n)
                .bind("at", stamp.toString())
                .bind("keys", TextArray.of(keys))
                .bind("contacts", TextArray.of(contacts))
                .bind("numbers", PgArrays.bigints(numbers))
                .bind("bits", PgArrays.booleans(bits))
                .bind("kinds", TextArray.of(kinds))
                .bind("events", TextArray.of(events))
                .map(row -> new Appended(tenantId, row.get("first", Long.class), changes, stamp))
                .one()
                .timeout(TIMEOUT);
    }

    /**
     * The tenant's last seq and how far its log was pruned, read together: every change up to that seq
     * has committed (seqs commit in order), those up to the second are gone.
     */
    public Mono<long[]> position(String tenantId) {
        return db.sql("SELECT last_seq, pruned_through FROM change_seq WHERE tenant_id = :t")
                .bind("t", tenantId)
                .map(row -> new long[] {row.get("last_seq", Long.class), row.get("pruned_through", Long.class)})
                .one()
                .defaultIfEmpty(new long[] {0, 0})
                .timeout(TIMEOUT);
    }
}
