package io.segstream.changefeed;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.segstream.platform.BackgroundLoop;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Deletes change-log rows older than the retention, 10,000 at a time, and records per tenant the
 * highest seq deleted, so a resume from before it starts with a {@code reset} event.
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

    /** Prunes until nothing is older than the retention; emits the number of rows deleted. */
    Mono<Long> prune() {
        return chunk().expand(n -> n < CHUNK ? Mono.empty() : chunk()).reduce(0L, Long::sum);
    }

    private Mono<Long> chunk() {
        return db.sql("""
                        WITH d AS (
                            DELETE FROM changes WHERE ctid IN (
                                SELECT ctid FROM changes WHERE at < :before::timestamptz LIMIT :n)
                            RETURNING tenant_id, seq),
                        m AS (SELECT tenant_id, max(seq) AS top, count(*) AS n FROM d GROUP BY tenant_id),
                        u AS (UPDATE change_seq c SET pruned_through = greatest(c.pruned_through, m.top)
                              FROM m WHERE c.tenant_id = m.tenant_id RETURNING 1)
                        SELECT coalesce(sum(n), 0) AS deleted FROM m""")
                .bind("before", clock.instant().minus(properties.retention()).toString())
                .bind("n", CHUNK)
                .map(row -> ((Number) row.get("deleted")).longValue())
                .one()
                .timeout(Duration.ofMinutes(1));
    }

}
