package io.segstream.changefeed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.segstream.membership.Appended;
import io.segstream.membership.Change;
import io.segstream.membership.ChangeSignals;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * One reader of the change log per tenant with subscribers on this instance, fanning new changes out
 * to them. Woken by commits on this instance, by Redis pub/sub for commits elsewhere, and by a poll.
 *
 * <p>Design note: seqs are taken under the tenant's seq row lock held until commit, so they become
 * visible in order and reading {@code seq > position} never skips a late commit. Each subscriber has a
 * bounded queue; one that falls too far behind is ended (it resumes from its Last-Event-ID), so a slow
 * reader never holds up the others, the writers, or memory.
 */
@Component
class ChangeTail implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ChangeTail.class);

    private final ChangeLogReader reader;
    private final ChangeSignals signals;
    private final ReactiveRedisConnectionFactory redis;
    private final ChangeFeedProperties properties;
    private final Counter cutOff;
    private final Map<String, TenantTail> tails = new ConcurrentHashMap<>();
    private volatile Disposable running;
    /** Reads started by a read that found more work on its way out; cancelled on stop. */
    private volatile io.segstream.platform.OwnedWork rounds = new io.segstream.platform.OwnedWork();

    ChangeTail(ChangeLogReader reader, ChangeSignals signals, ReactiveRedisConnectionFactory redis,
            ChangeFeedProperties properties, MeterRegistry meters) {
        this.reader = reader;
        this.signals = signals;
        this.redis = redis;
        this.properties = properties;
        this.cutOff = Counter.builder("segstream.sse.cutoff").description("Subscribers ended for falling behind").register(meters);
    }

    /**
     * A subscriber's live queue; rows arrive in seq order. Design note: the queue grows in small chunks
     * as needed (a preallocated array of the full bound would cost every idle stream ~128 KiB); the bound
     * is enforced by counting what is pending.
     */
    static final class Subscription {
        final Sinks.Many<ChangeRow> sink = Sinks.many().unicast().onBackpressureBuffer(Queues.<ChangeRow>unbounded(16).get());
        final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
        final long position;

        Subscription(long position) {
            this.position = position;
        }

        /** The subscriber's rows, each counted off as it is taken. */
        Flux<ChangeRow> rows() {
            return sink.asFlux().doOnNext(r -> pending.decrementAndGet());
        }
    }

    private final class TenantTail {
        final String tenantId;
        final Set<Subscription> subscribers = ConcurrentHashMap.newKeySet();
        final AtomicBoolean reading = new AtomicBoolean();
        final AtomicBoolean again = new AtomicBoolean();
        long position = -1;

        TenantTail(String tenantId) {
            this.tenantId = tenantId;
        }
    }

    /**
     * Registers a subscriber. Its subscription carries the position it starts at: every change with a
     * higher seq will be queued for it; the ones up to it are the caller's to replay from the log.
     */
    Mono<Subscription> subscribe(String tenantId) {
        return Mono.defer(() -> {
            TenantTail tail = tails.computeIfAbsent(tenantId, TenantTail::new);
            return initialized(tail).flatMap(t -> {
                // Joins the tail only while it is still the tenant's: an unsubscribe meanwhile may have
                // dropped it (it was empty), and a subscriber of a dropped tail would only get keep-alives.
                // Atomic with unsubscribe's removal (both compute on the same key).
                Subscription[] joined = {null};
                tails.computeIfPresent(tenantId, (id, current) -> {
                    if (current == t) {
                        synchronized (t) {
                            joined[0] = new Subscription(t.position);
                            t.subscribers.add(joined[0]);
                        }
                    }
                    return current;
                });
                return joined[0] != null ? Mono.just(joined[0]) : subscribe(tenantId);
            });
        });
    }

    /** Whether {@code s} is a subscriber of the tail the tenant's changes are fanned out from. */
    boolean delivering(String tenantId, Subscription s) {
        TenantTail t = tails.get(tenantId);
        return t != null && t.subscribers.contains(s);
    }

    void unsubscribe(String tenantId, Subscription s) {
        tails.computeIfPresent(tenantId, (id, t) -> {
            t.subscribers.remove(s);
            return t.subscribers.isEmpty() ? null : t;
        });
    }

    private Mono<TenantTail> initialized(TenantTail t) {
        synchronized (t) {
            if (t.position >= 0) return Mono.just(t);
        }
        return reader.position(t.tenantId).map(p -> {
            synchronized (t) {
                if (t.position < 0) t.position = p[0];
            }
            return t;
        });
    }

    /**
     * Reads whatever the tenant's log gained and hands it to the subscribers: first the tenant's last seq
     * (every change up to it has committed, as seqs commit in order), then the changes up to it.
     */
    Mono<Void> pump(String tenantId) {
        TenantTail t = tails.get(tenantId);
        if (t == null) return Mono.empty();
        if (!t.reading.compareAndSet(false, true)) {
            t.again.set(true);
            return Mono.empty();
        }
        long from;
        synchronized (t) {
            from = t.position;
        }
        if (from < 0) {
            t.reading.set(false);
            return Mono.empty();
        }
        // An idle tenant (polled) costs the position query only.
        return reader.position(tenantId)
                .filter(p -> p[0] > from)
                .flatMap(p -> reader.read(tenantId, from, p[0], null)
                        .doOnNext(row -> deliver(t, row))
                        .then(Mono.fromRunnable(() -> {
                            synchronized (t) {
                                t.position = Math.max(t.position, p[0]);
                            }
                        })))
                .then()
                .doFinally(signal -> {
                    t.reading.set(false);
                    if (t.again.getAndSet(false)) rounds.run(guarded(tenantId, () -> pump(tenantId)), v -> { }, e -> { });
                });
    }

    /**
     * Hands changes just committed through this instance to the subscribers without reading them back,
     * when they follow what the tail has handed out; otherwise reads the log ({@link #pump}).
     */
    Mono<Void> offer(Appended changes) {
        TenantTail t = tails.get(changes.tenantId());
        if (t == null) return Mono.empty();
        synchronized (t) {
            if (t.position >= 0 && t.position >= changes.firstSeq() - 1) {
                for (int i = 0; i < changes.changes().size(); i++) {
                    Change c = changes.changes().get(i);
                    if (!c.key().startsWith(Change.SEGMENT_PREFIX)) continue;
                    deliver(t, new ChangeRow(changes.seq(i), ChangeRow.segmentOf(c.key()), c.contactId(), c.bit(), changes.at(),
                            c.causeKind(), c.eventId()));
                }
                t.position = Math.max(t.position, changes.lastSeq());
                return Mono.empty();
            }
        }
        return pump(changes.tenantId());
    }

    /** Queues a row for every subscriber, unless the tail has handed it out already. */
    private void deliver(TenantTail t, ChangeRow row) {
        synchronized (t) {
            if (row.seq() <= t.position) return;
            for (Subscription s : t.subscribers) {
                boolean full = s.pending.incrementAndGet() > properties.buffer();
                if (full || s.sink.tryEmitNext(row) == Sinks.EmitResult.FAIL_OVERFLOW) {
                    // Too far behind: end its stream after what it has queued; it resumes from its Last-Event-ID.
                    t.subscribers.remove(s);
                    s.sink.tryEmitComplete();
                    cutOff.increment();
                }
            }
            t.position = row.seq();
        }
    }

    @Override
    public void start() {
        var container = new ReactiveRedisMessageListenerContainer(redis);
        Flux<String> remote = container.receive(ChannelTopic.of(ChangeSignals.CHANNEL))
                .<String>handle((m, sink) -> {
                    String tenant = signals.remoteTenant(m.getMessage());
                    if (tenant != null) sink.next(tenant);
                })
                .retryWhen(reactor.util.retry.Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30)))
                .onErrorResume(e -> Flux.empty());
        Flux<String> polled = Flux.interval(properties.poll()).onBackpressureDrop()
                .concatMapIterable(tick -> Set.copyOf(tails.keySet()));
        Flux<Mono<Void>> work = Flux.merge(
                Flux.merge(signals.local(), remote, polled).filter(tails::containsKey).map(tenant -> guarded(tenant, () -> pump(tenant))),
                signals.appended().filter(a -> tails.containsKey(a.tenantId())).map(a -> guarded(a.tenantId(), () -> offer(a))));
        Disposable wakeups = work.flatMap(w -> w, 16).subscribe();
        Disposable listener = () -> container.destroyLater().subscribe();
        if (rounds.isDisposed()) rounds = new io.segstream.platform.OwnedWork();
        running = Disposables.composite(wakeups, listener, rounds);
    }

    private static Mono<Void> guarded(String tenant, java.util.function.Supplier<Mono<Void>> work) {
        return Mono.defer(work).onErrorResume(e -> {
            log.warn("Change feed of tenant {} could not read the log: {}", tenant, e.toString());
            return Mono.empty();
        });
    }

    @Override
    public void stop() {
        Disposable d = running;
        if (d != null) d.dispose();
        running = null;
        tails.values().forEach(t -> t.subscribers.forEach(s -> s.sink.tryEmitComplete()));
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }
}
