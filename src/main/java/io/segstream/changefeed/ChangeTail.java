package io.segstream.changefeed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.segstream.membership.Appended;
import io.segstream.membership.Change;
import io.segstream.membership.ChangeSignals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
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
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

/**
 * One reader of the change log per tenant with subscribers on this instance, fanning new changes out
 * to them. Woken by commits on this instance, by Redis pub/sub for commits elsewhere, and by a poll.
 *
 * <p>Design note: seqs are taken under the tenant's seq row lock held until commit, so they become
 * visible in order and reading {@code seq > position} never skips a late commit. A commit (or a read of
 * the log) only queues its changes on the tenant's tail and returns; the tail's drain, on a small
 * scheduler of its own, encodes each change once and queues the same frame for every subscriber. Each
 * subscriber has a bounded queue; one that falls too far behind is ended (it resumes from its
 * Last-Event-ID), so a slow reader never holds up the others, the writers, or memory.
 *
 * <p>Design note: a stream's frames are handed to it on its connection's event loop, by one task per loop
 * and batch for all of that loop's streams. Handed over on the drain's thread (as before), every stream's
 * write became a task of its own for its event loop, with a wake-up of the loop's selector, and one thread
 * ran every stream's operators; now the loops take their streams in parallel and the write follows on the
 * same thread. Measured with 10,000 streams on 2 cores (load-tests/fanout/README.md), the time to the last
 * stream is bound by the cores' CPU (about 220 ms either way on a quiet machine). A stream's tasks run on its
 * loop in the order they were queued, so its frames keep seq order.
 */
@Component
class ChangeTail implements SmartLifecycle, org.springframework.beans.factory.DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ChangeTail.class);

    private final ChangeLogReader reader;
    private final ChangeSignals signals;
    private final ReactiveRedisConnectionFactory redis;
    private final ChangeFeedProperties properties;
    private final Counter cutOff;
    private final Counter encoded;
    /** Where changes are handed to subscribers: bounded, never a committing or reading thread. */
    private final Scheduler fanOut = Schedulers.newParallel("sse-fanout", Math.min(4, Runtime.getRuntime().availableProcessors()), true);
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
        this.encoded = Counter.builder("segstream.sse.frames.encoded")
                .description("Live change events encoded, once per change whatever the number of subscribers").register(meters);
    }

    /**
     * A subscriber's live queue; frames arrive in seq order. Design note: the queue grows in small chunks
     * as needed (a preallocated array of the full bound would cost every idle stream ~128 KiB); the bound
     * is enforced by counting what is pending.
     */
    static final class Subscription {
        final Sinks.Many<Frame> sink = Sinks.many().unicast().onBackpressureBuffer(Queues.<Frame>unbounded(16).get());
        final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
        final long position;
        /**
         * Where its frames are handed to it: the event loop of its connection, so that the write that
         * follows happens on the same thread with no hand-over; null: on the fan-out scheduler.
         */
        final Executor loop;

        Subscription(long position, Executor loop) {
            this.position = position;
            this.loop = loop;
        }

        /** The subscriber's frames, each counted off as it is taken. */
        Flux<Frame> frames() {
            return sink.asFlux().doOnNext(f -> pending.decrementAndGet());
        }
    }

    /**
     * A change and its server-sent event, encoded once and shared, bytes and all, by every subscriber it
     * goes to (the bytes are never written to).
     */
    record Frame(ChangeRow row, byte[] bytes) {}

    /** Changes to hand out, in the order they were read or committed; {@code upTo}: the log position they bring the tail to. */
    private record Batch(List<ChangeRow> rows, long upTo, Appended committed) {}

    private static final Subscription[] NONE = new Subscription[0];

    /**
     * A tenant's tail. Design note: batches of changes queue in {@link #inbox} and are handed out by one
     * drain at a time on the fan-out scheduler, never on the thread that committed or read them. The
     * monitor guards only {@link #position} and the subscriber array (copied on write); it is held to join,
     * leave, or advance the position and take a snapshot of the subscribers, never while writing to them.
     */
    private final class TenantTail {
        final String tenantId;
        volatile Subscription[] subscribers = NONE;
        final AtomicBoolean reading = new AtomicBoolean();
        final AtomicBoolean again = new AtomicBoolean();
        final Queue<Batch> inbox = new ConcurrentLinkedQueue<>();
        final AtomicInteger wip = new AtomicInteger();
        long position = -1;

        TenantTail(String tenantId) {
            this.tenantId = tenantId;
        }

        /** Under the monitor. */
        void add(Subscription s) {
            Subscription[] a = subscribers;
            Subscription[] b = Arrays.copyOf(a, a.length + 1);
            b[a.length] = s;
            subscribers = b;
        }

        /** Under the monitor. */
        boolean remove(Subscription s) {
            Subscription[] a = subscribers;
            for (int i = 0; i < a.length; i++) {
                if (a[i] != s) continue;
                Subscription[] b = new Subscription[a.length - 1];
                System.arraycopy(a, 0, b, 0, i);
                System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                subscribers = b;
                return true;
            }
            return false;
        }

        boolean contains(Subscription s) {
            for (Subscription x : subscribers) if (x == s) return true;
            return false;
        }
    }

    /**
     * Registers a subscriber. Its subscription carries the position it starts at: every change with a
     * higher seq will be queued for it; the ones up to it are the caller's to replay from the log.
     */
    Mono<Subscription> subscribe(String tenantId) {
        return subscribe(tenantId, null);
    }

    /**
     * {@link #subscribe(String)} for a subscriber whose frames are handed to it on {@code loop} (its
     * connection's event loop; null: on the fan-out scheduler). The tasks run on {@code loop} in the order
     * they were queued, so the subscriber still gets its frames in seq order.
     */
    Mono<Subscription> subscribe(String tenantId, Executor loop) {
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
                            joined[0] = new Subscription(t.position, loop);
                            t.add(joined[0]);
                        }
                    }
                    return current;
                });
                return joined[0] != null ? Mono.just(joined[0]) : subscribe(tenantId, loop);
            });
        });
    }

    /** Whether {@code s} is a subscriber of the tail the tenant's changes are fanned out from. */
    boolean delivering(String tenantId, Subscription s) {
        TenantTail t = tails.get(tenantId);
        return t != null && t.contains(s);
    }

    void unsubscribe(String tenantId, Subscription s) {
        tails.computeIfPresent(tenantId, (id, t) -> {
            synchronized (t) {
                t.remove(s);
                return t.subscribers.length == 0 ? null : t;
            }
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
     * Reads whatever the tenant's log gained and queues it for the subscribers: first the tenant's last seq
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
                        .buffer(ChangeLogReader.PAGE)
                        .doOnNext(rows -> hand(t, new Batch(rows, rows.get(rows.size() - 1).seq(), null)))
                        .then(Mono.fromRunnable(() -> hand(t, new Batch(List.of(), p[0], null)))))
                .then()
                .doFinally(signal -> {
                    t.reading.set(false);
                    if (t.again.getAndSet(false)) rounds.run(guarded(tenantId, () -> pump(tenantId)), v -> { }, e -> { });
                });
    }

    /**
     * Queues changes just committed through this instance for the subscribers, to be handed out without
     * reading them back when they follow what the tail has handed out (otherwise the log is read, see
     * {@link #pump}). Returns at once: the committing thread never writes to a subscriber.
     */
    Mono<Void> offer(Appended changes) {
        TenantTail t = tails.get(changes.tenantId());
        if (t != null) hand(t, new Batch(null, changes.lastSeq(), changes));
        return Mono.empty();
    }

    /** Queues a batch and makes sure one drain of the tenant's inbox runs on the fan-out scheduler. */
    private void hand(TenantTail t, Batch batch) {
        t.inbox.offer(batch);
        if (t.wip.getAndIncrement() == 0) fanOut.schedule(() -> drain(t));
    }

    /** Hands out the queued batches in order; one drain per tenant at a time. */
    private void drain(TenantTail t) {
        int missed = 1;
        do {
            Batch b;
            while ((b = t.inbox.poll()) != null) {
                try {
                    deliver(t, b);
                } catch (RuntimeException e) {
                    log.warn("Change feed of tenant {} could not hand out changes: {}", t.tenantId, e.toString());
                }
            }
            missed = t.wip.addAndGet(-missed);
        } while (missed != 0);
    }

    /**
     * Queues a batch's changes the tail has not handed out yet for every subscriber, each change encoded
     * once. A committed batch that does not follow the tail's position is read from the log instead.
     */
    private void deliver(TenantTail t, Batch b) {
        List<ChangeRow> fresh;
        Subscription[] to;
        synchronized (t) {
            if (t.position < 0) return; // not initialized: its first subscriber starts from the log
            if (b.committed() != null) {
                Appended a = b.committed();
                if (t.position < a.firstSeq() - 1) {
                    // A gap (commits signalled out of order, or a signal lost): read the log after the monitor.
                    fresh = null;
                } else {
                    fresh = new ArrayList<>(a.changes().size());
                    for (int i = 0; i < a.changes().size(); i++) {
                        Change c = a.changes().get(i);
                        if (a.seq(i) <= t.position || !c.key().startsWith(Change.SEGMENT_PREFIX)) continue;
                        fresh.add(new ChangeRow(a.seq(i), ChangeRow.segmentOf(c.key()), c.contactId(), c.bit(), a.at(),
                                c.causeKind(), c.eventId()));
                    }
                }
            } else {
                fresh = new ArrayList<>(b.rows().size());
                for (ChangeRow r : b.rows()) if (r.seq() > t.position) fresh.add(r);
            }
            if (fresh != null) t.position = Math.max(t.position, b.upTo());
            // A subscriber joining after this takes the new position: what it lacks it replays from the log.
            to = t.subscribers;
        }
        if (fresh == null) {
            rounds.run(guarded(t.tenantId, () -> pump(t.tenantId)), v -> { }, e -> { });
            return;
        }
        if (fresh.isEmpty() || to.length == 0) return;
        Frame[] frames = new Frame[fresh.size()];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = new Frame(fresh.get(i), SseFrames.changeBytes(fresh.get(i)));
        }
        encoded.increment(frames.length);
        // One task per event loop hands the frames to all of that loop's subscribers: no hand-over per
        // subscriber, and the loops write in parallel (see the class's design note).
        Map<Executor, List<Subscription>> byLoop = new IdentityHashMap<>();
        for (Subscription s : to) {
            if (s.loop == null) handOut(t, s, frames);
            else byLoop.computeIfAbsent(s.loop, l -> new ArrayList<>()).add(s);
        }
        byLoop.forEach((loop, subscribers) -> {
            try {
                loop.execute(() -> {
                    for (Subscription s : subscribers) {
                        try {
                            handOut(t, s, frames);
                        } catch (RuntimeException e) {
                            // One stream's failure ends no other stream's delivery.
                            log.warn("Change feed of tenant {} could not hand out changes: {}", t.tenantId, e.toString());
                        }
                    }
                });
            } catch (RejectedExecutionException e) {
                // The loop is shutting down with its connections: end the streams (they resume on reconnect).
                for (Subscription s : subscribers) s.sink.tryEmitComplete();
            }
        });
    }

    /** Queues {@code frames} (those after its start) for one subscriber, or ends its stream if that would exceed its bound. */
    private void handOut(TenantTail t, Subscription s, Frame[] frames) {
        for (Frame f : frames) {
            if (f.row().seq() <= s.position) continue;
            boolean full = s.pending.incrementAndGet() > properties.buffer();
            if (full || s.sink.tryEmitNext(f) == Sinks.EmitResult.FAIL_OVERFLOW) {
                // Too far behind: end its stream after what it has queued; it resumes from its Last-Event-ID.
                boolean removed;
                synchronized (t) {
                    removed = t.remove(s);
                }
                s.sink.tryEmitComplete();
                if (removed) cutOff.increment();
                return;
            }
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
        tails.values().forEach(t -> {
            for (Subscription s : t.subscribers) s.sink.tryEmitComplete();
        });
    }

    /** Ends the fan-out threads with the context. */
    @Override
    public void destroy() {
        fanOut.dispose();
    }

    @Override
    public boolean isRunning() {
        return running != null;
    }
}
