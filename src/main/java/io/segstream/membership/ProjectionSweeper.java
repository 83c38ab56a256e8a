package io.segstream.membership;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import io.segstream.platform.BackgroundLoop;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Repairs the Redis projection when no commit would: every few seconds, tenants whose change log is
 * ahead of their Redis watermark (Redis was unreachable, or restarted) are caught up.
 */
@Component
class ProjectionSweeper extends BackgroundLoop {

    private static final Logger log = LoggerFactory.getLogger(ProjectionSweeper.class);

    private final DatabaseClient db;
    private final Projection projection;

    ProjectionSweeper(DatabaseClient db, Projection projection, @Value("${segstream.projection.sweep:5s}") Duration every) {
        super("Projection sweep", every, every);
        this.db = db;
        this.projection = projection;
    }

    @Override
    protected Mono<Long> runOnce() {
        return sweep().doOnNext(n -> {
            if (n > 0) log.info("Caught up the Redis projection of {} tenant(s)", n);
        });
    }

    /** A failed sweep is expected while Redis is down; the projection already warns about that. */
    @Override
    protected void onFailure(Throwable e) {
        log.debug("Projection sweep failed; it runs again: {}", e.toString());
    }

    /** Catches up every tenant that is behind; emits how many were. */
    Mono<Long> sweep() {
        return db.sql("SELECT tenant_id, last_seq FROM change_seq")
                .map(row -> java.util.Map.entry(row.get("tenant_id", String.class), row.get("last_seq", Long.class)))
                .all()
                .timeout(Duration.ofSeconds(10))
                .concatMap(t -> projection.watermark(t.getKey())
                        .filter(wm -> wm < t.getValue())
                        .flatMap(wm -> projection.catchUpQuietly(t.getKey()).thenReturn(1L)))
                .count();
    }

}
