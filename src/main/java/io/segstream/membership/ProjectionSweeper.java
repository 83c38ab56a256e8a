package io.segstream.membership;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Repairs the Redis projection when no commit would: every few seconds, tenants whose change log is
 * ahead of their Redis watermark (Redis was unreachable, or restarted) are caught up.
 */
@Component
class ProjectionSweeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProjectionSweeper.class);

    private final DatabaseClient db;
    private final Projection projection;
    private final Duration every;
    private volatile Disposable loop;

    ProjectionSweeper(DatabaseClient db, Projection projection, @Value("${segstream.projection.sweep:5s}") Duration every) {
        this.db = db;
        this.projection = projection;
        this.every = every;
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

    @Override
    public void start() {
        loop = Flux.interval(every, every)
                .onBackpressureDrop()
                .concatMap(t -> sweep()
                        .doOnNext(n -> {
                            if (n > 0) log.info("Caught up the Redis projection of {} tenant(s)", n);
                        })
                        .onErrorResume(e -> {
                            log.debug("Projection sweep failed; it runs again: {}", e.toString());
                            return Mono.empty();
                        }), 1)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable d = loop;
        if (d != null) d.dispose();
        loop = null;
    }

    @Override
    public boolean isRunning() {
        return loop != null;
    }
}
