package io.segstream.membership;

import io.segstream.platform.ProblemException;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Lets a query answer from the Redis projection only when the projection is current: its watermark
 * exists (or the tenant has no changes yet), the tenant is not being replayed or rebuilt, and the
 * watermark has reached every seq this instance knows to be committed ({@link Projection#acknowledged}).
 * Otherwise the tenant is caught up at once and the read is tried again; if the projection is still not
 * current after {@code segstream.query.max-wait} (default 2 s), the query answers 503 with
 * {@code Retry-After}.
 *
 * <p>Design note: the watermark is read in the same Redis script as the bitmaps (a missing watermark
 * reported as {@code -1}), so a projection that vanished (FLUSHALL, a Redis restarted without its data)
 * is seen by the very query that would have read it, not at the next sweep; PostgreSQL is asked only
 * then, to tell an empty tenant from a lost one.
 */
@Component
public class ProjectionReads {

    /** What a projection script reports as the watermark when the tenant has none in Redis. */
    public static final long MISSING = -1;

    private final Projection projection;
    private final ProjectionHealth health;
    private final ChangeLog changeLog;
    private final Duration maxWait;

    ProjectionReads(Projection projection, ProjectionHealth health, ChangeLog changeLog,
            @Value("${segstream.query.max-wait:2s}") Duration maxWait) {
        this.projection = projection;
        this.health = health;
        this.changeLog = changeLog;
        this.maxWait = maxWait;
    }

    /**
     * Runs {@code read} (a Redis read that reports the watermark it saw through {@code watermark}) and emits
     * its result when the projection was current. Otherwise gives up that result ({@code discard}), waits
     * for the tenant's catch-up (at most the configured wait) and reads once more; still not current: a 503
     * {@link ProblemException}. Cancelling cancels the wait, not a catch-up other callers share.
     */
    public <T> Mono<T> current(String tenantId, Mono<T> read, ToLongFunction<T> watermark, Function<T, Mono<Void>> discard) {
        return read.flatMap(first -> behind(tenantId, watermark.applyAsLong(first)).flatMap(stale -> {
            if (!stale) return Mono.just(first);
            return discard.apply(first)
                    .then(projection.catchUpQuietly(tenantId).timeout(maxWait, Mono.empty()))
                    .then(read)
                    .flatMap(again -> behind(tenantId, watermark.applyAsLong(again)).flatMap(still -> still
                            ? discard.apply(again).then(Mono.error(this::unavailable))
                            : Mono.just(again)));
        }));
    }

    /** Whether an answer read at watermark {@code wm} ({@link #MISSING}: none) would be stale. */
    private Mono<Boolean> behind(String tenantId, long wm) {
        if (!health.serving(tenantId)) return Mono.just(true);
        if (wm >= 0) return Mono.just(wm < projection.acknowledged(tenantId));
        return changeLog.position(tenantId).map(p -> {
            if (p[0] == 0) return false; // nothing was ever projected: no watermark is the truth
            health.lost(tenantId, ProjectionHealth.Loss.LOST);
            return true;
        });
    }

    private ProblemException unavailable() {
        return ProblemException.unavailable("This tenant's membership projection is behind what was stored and is being "
                + "restored from PostgreSQL; try again shortly", Duration.ofSeconds(Math.max(1, maxWait.toSeconds())));
    }
}
