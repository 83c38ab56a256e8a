package io.segstream.changefeed;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.segstream.platform.BackgroundLoop;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deletes change-log rows older than the retention and records per tenant the highest seq deleted, so a
 * resume from before it starts with a {@code reset} event.
 *
 * <p>Design note: a tenant's log is pruned as a prefix of seqs, 10,000 rows at a time in seq order (its
 * primary key), up to the first row that is still within the retention: afterwards every seq up to
 * {@code pruned_through} is gone and every later one is kept. Stamps follow seqs only roughly (a
 * transaction stamps its changes before it takes its seqs), so a row just inside the retention can keep a
 * few older ones after it for a while. Walking seqs needs no index on the stamp, which every change row
 * would otherwise pay for at ingest.
 */
@Component
class ChangePruner extends BackgroundLoop {

    private static final Logger log = LoggerFactory.getLogger(ChangePruner.class);
    private static final int CHUNK = 10_000;

    private final DatabaseClient db;
    private final ChangeFeedProperties properties;
    private final Clock clock;

    ChangePruner(DatabaseClient db, ChangeFeedProperties properties, Clock clock) {
        super("Change-log pruning", Duration.ofSeconds(30), properties.pruneEvery());
        this.db = db;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    protected Mono<Long> runOnce() {
        return prune().doOnNext(n -> {
            if (n > 0) log.info("Pruned {} change-log rows older than {}", n, properties.retention());
        });
    }

    /** Prunes every tenant's log until nothing older than the retention starts it; emits the rows deleted. */
    Mono<Long> prune() {
        String before = clock.instant().minus(properties.retention()).toString();
        // The tenants whose oldest kept change is older than the retention: one index probe each.
        return db.sql("""
                        SELECT s.tenant_id, s.pruned_through FROM change_seq s
                        WHERE s.last_seq > s.pruned_through
                          AND (SELECT c.at FROM changes c WHERE c.tenant_id = s.tenant_id AND c.seq > s.pruned_through
                               ORDER BY c.seq LIMIT 1) < :before::timestamptz""")
                .bind("before", before)
                .map(row -> new Start(row.get("tenant_id", String.class), row.get("pruned_through", Long.class)))
                .all()
                // Read whole first: pruning one tenant can take longer than the next row may wait, and a
                // cursor left open would hold its connection meanwhile.
                .collectList()
                .timeout(Duration.ofMinutes(1))
                .flatMapMany(Flux::fromIterable)
                .concatMap(t -> prune(t.tenantId(), t.prunedThrough(), before))
                .reduce(0L, Long::sum);
    }

    private record Start(String tenantId, long prunedThrough) {}

    private record Chunk(long deleted, Long top) {}

    private Mono<Long> prune(String tenantId, long from, String before) {
        return chunk(tenantId, from, before)
                .expand(c -> c.deleted() < CHUNK || c.top() == null ? Mono.empty() : chunk(tenantId, c.top(), before))
                .map(Chunk::deleted)
                .reduce(0L, Long::sum);
    }

    /**
     * Deletes, among the next {@link #CHUNK} seqs after {@code from}, those before the first one within
     * the retention, and raises the tenant's pruned_through to the last deleted, in one statement.
     */
    private Mono<Chunk> chunk(String tenantId, long from, String before) {
        return db.sql("""
                        WITH c AS (
                            SELECT seq, at FROM changes WHERE tenant_id = :t AND seq > :from ORDER BY seq LIMIT :n),
                        b AS (
                            SELECT max(seq) AS top FROM c
                            WHERE seq < coalesce((SELECT min(seq) FROM c WHERE at >= :before::timestamptz), 9223372036854775807)),
                        d AS (
                            DELETE FROM changes WHERE tenant_id = :t AND seq > :from AND seq <= (SELECT top FROM b)
                            RETURNING 1),
                        u AS (
                            UPDATE change_seq SET pruned_through = greatest(pruned_through, (SELECT top FROM b))
                            WHERE tenant_id = :t AND (SELECT top FROM b) IS NOT NULL
                            RETURNING 1)
                        SELECT (SELECT count(*) FROM d) AS deleted, (SELECT top FROM b) AS top""")
                .bind("t", tenantId)
                .bind("from", from)
                .bind("before", before)
                .bind("n", CHUNK)
                .map(row -> new Chunk(((Number) row.get("deleted")).longValue(), row.get("top", Long.class)))
                .one()
                .timeout(Duration.ofMinutes(1));
    }
}
