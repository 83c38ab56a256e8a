package io.segstream.membership;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Whether the Redis projection can be trusted, as the {@code projection} component of
 * {@code /actuator/health} (not of readiness, which means "can take ingest") and as metrics. Down until the first sweep after start has compared every tenant's watermark with the
 * change log; while a tenant recovers (Redis came back without its watermark, or the log no longer
 * holds the changes after it and a rebuild is due); and when a tenant stayed more than {@code max-lag}
 * changes behind in two sweeps in a row. Queries of a recovering tenant answer 503.
 */
@Component("projectionHealthIndicator")
public class ProjectionHealth implements HealthIndicator {

    /** Why a tenant's projection had to recover. */
    enum Loss {
        /** Redis had no watermark for a tenant whose log is not empty: flushed, or restarted without data. */
        LOST,
        /** The log no longer holds every change after the watermark (pruned): rebuilt from the contacts. */
        GAP
    }

    private final long maxLag;
    private final Set<String> recovering = ConcurrentHashMap.newKeySet();
    private final Set<String> rebuildDue = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> lagged = new ConcurrentHashMap<>();
    private final AtomicLong lag = new AtomicLong();
    private final Map<Loss, Counter> losses = new java.util.EnumMap<>(Loss.class);
    private volatile boolean swept;
    private volatile String sweepFailure;

    public ProjectionHealth(MeterRegistry meters, @Value("${segstream.projection.max-lag:10000}") long maxLag) {
        this.maxLag = maxLag;
        Gauge.builder("segstream.projection.lag", lag, AtomicLong::get)
                .description("Largest number of changes a tenant's Redis projection was behind its change log at the last sweep")
                .baseUnit("changes")
                .register(meters);
        Gauge.builder("segstream.projection.recovering", recovering, Set::size)
                .description("Tenants whose Redis projection is being replayed or rebuilt")
                .register(meters);
        for (Loss l : Loss.values()) {
            losses.put(l, Counter.builder("segstream.projection.recoveries").tag("reason", l.name().toLowerCase())
                    .description("Times a tenant's Redis projection was found lost (lost) or behind a pruned log (gap)")
                    .register(meters));
        }
    }

    /** Whether queries of the tenant may be answered from Redis. */
    public boolean serving(String tenantId) {
        return !recovering.contains(tenantId);
    }

    @Override
    public Health health() {
        if (sweepFailure != null) return Health.down().withDetail("error", sweepFailure).build();
        if (!swept) return Health.down().withDetail("reason", "the projection was not checked since start").build();
        long behind = lagged.values().stream().filter(v -> v >= 2).count();
        if (!recovering.isEmpty() || behind > 0) {
            return Health.down().withDetail("recovering", recovering.size()).withDetail("behind", behind)
                    .withDetail("maxLag", maxLag).build();
        }
        return Health.up().withDetail("lag", lag.get()).build();
    }

    void lost(String tenantId, Loss why) {
        boolean first = why == Loss.GAP ? rebuildDue.add(tenantId) : !recovering.contains(tenantId);
        recovering.add(tenantId);
        if (first) losses.get(why).increment();
    }

    void caughtUp(String tenantId) {
        if (!rebuildDue.contains(tenantId)) recovering.remove(tenantId);
    }

    void rebuilt(String tenantId) {
        rebuildDue.remove(tenantId);
    }

    Set<String> rebuildsDue() {
        return Set.copyOf(rebuildDue);
    }

    /** The outcome of one sweep: every tenant's lag when the sweep looked at it. */
    void swept(Map<String, Long> lags) {
        long max = 0;
        for (Map.Entry<String, Long> e : lags.entrySet()) {
            max = Math.max(max, e.getValue());
            if (e.getValue() > maxLag) lagged.merge(e.getKey(), 1L, Long::sum);
            else lagged.remove(e.getKey());
        }
        lagged.keySet().retainAll(lags.keySet());
        lag.set(max);
        sweepFailure = null;
        swept = true;
    }

    void sweepFailed(Throwable e) {
        sweepFailure = e.toString();
    }
}
