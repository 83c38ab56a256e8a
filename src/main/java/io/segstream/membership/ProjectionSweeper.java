package io.segstream.membership;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import io.segstream.platform.BackgroundLoop;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
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
    private final ProjectionRebuild rebuild;
    private final ProjectionHealth health;

    ProjectionSweeper(DatabaseClient db, Projection projection, ProjectionRebuild rebuild, ProjectionHealth health,
            @Value("${segstream.projection.sweep:5s}") Duration every) {
        super("Projection sweep", Duration.ZERO, every);
        this.db = db;
        this.projection = projection;
        this.rebuild = rebuild;
        this.health = health;
    }

    @Override
    protected Mono<Long> runOnce() {
        return rebuilds().then(sweep()).doOnNext(n -> {
            if (n > 0) log.info("Caught up the Redis projection of {} tenant(s)", n);
        });
    }

    /** A failed sweep is expected while Redis is down; the projection already warns about that. */
    @Override
    protected void onFailure(Throwable e) {
        log.debug("Projection sweep failed; it runs again: {}", e.toString());
    }

    @Override
    protected void failedRun(Throwable e) {
        health.sweepFailed(e);
    }

    /** Rebuilds the tenants whose log was found pruned past their watermark, then catches them up. */
    private Mono<Void> rebuilds() {
        return Flux.fromIterable(health.rebuildsDue())
                .concatMap(t -> rebuild.rebuild(t)
                        .doOnNext(seq -> health.rebuilt(t))
                        .then(projection.catchUpQuietly(t)))
                .then();
    }

    /**
     * Compares every tenant's watermark with its log, catches up those that are behind and reports the
     * lags to the health; emits how many tenants were behind.
     */
    Mono<Long> sweep() {
        Map<String, Long> lags = new ConcurrentHashMap<>();
        return db.sql("SELECT tenant_id, last_seq FROM change_seq")
                .map(row -> Map.entry(row.get("tenant_id", String.class), row.get("last_seq", Long.class)))
                .all()
                // Read whole before any catch-up: a cursor kept open under a per-row timeout would span the
                // catch-up of every earlier tenant (and hold a connection meanwhile).
                .collectList()
                .timeout(Duration.ofSeconds(10))
                .flatMapIterable(list -> list)
                .concatMap(t -> projection.watermark(t.getKey())
                        .doOnNext(wm -> lags.put(t.getKey(), Math.max(0, t.getValue() - wm)))
                        .filter(wm -> wm < t.getValue())
                        .flatMap(wm -> projection.catchUpQuietly(t.getKey()).thenReturn(1L)))
                .count()
                .doOnNext(n -> health.swept(lags));
    }

}
