package io.segstream.membership;

import java.time.Duration;
import io.segstream.platform.SerializedEmitter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.util.concurrent.Queues;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Says that a tenant's change log grew: after every commit that wrote changes, this instance's change
 * feed and its Redis projection are given them (or woken to read the log), and other instances are
 * woken through Redis pub/sub. A lost wake-up only delays delivery: feeds also poll.
 *
 * <p>Design note: a commit whose appended changes are known ({@link #committed(Appended)}) hands them
 * over as they are: the change feed delivers them when they follow its position, then the projection
 * applies them directly when they follow its watermark; otherwise each falls back to reading the log. The
 * log stays the only source of truth, this only saves reading back what was just written. Pub/sub
 * messages carry this instance's id so that an instance does not wake itself a second time.
 */
@Component
public class ChangeSignals implements SmartLifecycle {

    public static final String CHANNEL = "segstream:changes";
    private static final Logger log = LoggerFactory.getLogger(ChangeSignals.class);

    private final Projection projection;
    private final ReactiveStringRedisTemplate redis;
    private final Sinks.Many<String> local = Sinks.many().multicast().directBestEffort();
    private final Sinks.Many<Appended> appended = Sinks.many().multicast().directBestEffort();
    private final Sinks.Many<Appended> toProject = Sinks.many().unicast().onBackpressureBuffer(Queues.<Appended>get(QUEUED).get());
    private static final int QUEUED = 4096;
    private static final int PROJECTING = 16;
    private final SerializedEmitter<String> localSignals = new SerializedEmitter<>(local, ChangeSignals::notDelivered);
    private final SerializedEmitter<Appended> appendedSignals = new SerializedEmitter<>(appended, ChangeSignals::notDelivered);
    private final SerializedEmitter<Appended> projectionQueue = new SerializedEmitter<>(toProject, (changes, result) ->
            log.debug("Projection queue full ({}); tenant {} is caught up from the log instead", result, changes.tenantId()));
    private volatile Disposable projecting;
    private final String instance = java.util.UUID.randomUUID().toString();

    public ChangeSignals(Projection projection, ReactiveStringRedisTemplate redis) {
        this.projection = projection;
        this.redis = redis;
    }

    /** To call after a commit that wrote changes of {@code tenantId}; never fails. */
    public Mono<Void> committed(String tenantId) {
        // Bounded: while Redis replays or rebuilds a tenant, a commit does not wait for it.
        return projection.catchUpQuietly(tenantId).timeout(Duration.ofSeconds(2), Mono.empty())
                .then(Mono.fromRunnable(() -> localSignals.emit(tenantId)))
                .then(publish(tenantId));
    }

    /**
     * To call after the commit of a transaction that appended {@code changes}; never fails, never waits
     * for Redis. Records the changes as acknowledged (queries wait for the projection to reach them, see
     * {@link ProjectionReads}), hands them to this instance's change feed, and queues them for the Redis
     * projection and the pub/sub wake-up of other instances, which run after the caller has moved on.
     *
     * <p>Design note: the ingest lane of the tenant is free as soon as this returns, so a slow or hung
     * Redis slows queries (503 after their wait), not ingestion. The queue is bounded; what overflows it
     * (or was queued when the application stopped) is applied from the log by the next catch-up, query or
     * sweep: the log is the source of truth, the queue only saves reading back what was just written.
     */
    public Mono<Void> committed(Appended changes) {
        if (changes.isEmpty()) return Mono.empty();
        return Mono.fromRunnable(() -> {
            projection.acknowledge(changes.tenantId(), changes.lastSeq());
            appendedSignals.emit(changes);
            projectionQueue.emit(changes);
        });
    }

    /** Applies queued changes to Redis and wakes other instances, a few at a time; owned, stopped with the context. */
    @Override
    public void start() {
        if (projecting != null) return;
        projecting = toProject.asFlux()
                .flatMap(changes -> projection.applyCommitted(changes).timeout(Duration.ofSeconds(2), Mono.empty())
                        .then(publish(changes.tenantId()))
                        .onErrorResume(e -> {
                            log.debug("Projection of committed changes failed; caught up from the log later: {}", e.toString());
                            return Mono.empty();
                        }), PROJECTING)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable d = projecting;
        projecting = null;
        if (d != null) d.dispose();
    }

    @Override
    public boolean isRunning() {
        return projecting != null;
    }

    /** Stops after the web server's graceful shutdown (a lower phase stops later), so drained requests are still projected. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 4096;
    }

    /**
     * Commits end on many threads at once, and a multicast sink refuses a second concurrent emitter
     * ({@code FAIL_NON_SERIALIZED}): each sink is fed through a {@link SerializedEmitter}, which loses no
     * wake-up and never waits. Having no subscriber is normal; any other refusal is logged, and the
     * feed's poll delivers what it missed. Never {@code emitNext}: its overflow handling would terminate
     * the sink for good.
     */
    private static void notDelivered(Object value, Sinks.EmitResult result) {
        if (result != Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER) {
            log.debug("Change signal not delivered in-process ({}); the feed's poll picks it up", result);
        }
    }

    private Mono<Void> publish(String tenantId) {
        return redis.convertAndSend(CHANNEL, instance + " " + tenantId)
                .timeout(Duration.ofSeconds(2))
                .doOnError(e -> log.debug("Change signal not published: {}", e.toString()))
                .onErrorResume(e -> Mono.empty())
                .then();
    }

    /** Tenants whose log grew through this instance (changes not at hand). */
    public Flux<String> local() {
        return local.asFlux();
    }

    /** Changes committed through this instance, in the order their commits were signalled (not always seq order). */
    public Flux<Appended> appended() {
        return appended.asFlux();
    }

    /**
     * The tenant named by a pub/sub message on {@link #CHANNEL}, or null when this instance sent it (it
     * has already woken its own feeds).
     */
    public String remoteTenant(String message) {
        int space = message.indexOf(' ');
        if (space < 0) return message;
        return message.startsWith(instance) && space == instance.length() ? null : message.substring(space + 1);
    }
}
