package io.segstream.changefeed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segstream.membership.Appended;
import io.segstream.membership.Change;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.SignalType;

/**
 * Fan-out to subscribers bound to an event loop (a stream's connection): one task per loop per batch hands
 * the frames to all of that loop's subscribers, on that loop, in seq order; the slow-subscriber bound
 * still ends a stream that stops reading, and only that one.
 */
class ChangeTailEventLoopTest {

    private static final Instant AT = Instant.parse("2026-11-01T10:15:30Z");

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ChangeTail tail = StandaloneTails.create(meters); // a subscriber may have 100 frames pending
    private final List<ExecutorService> executors = new ArrayList<>();

    @AfterEach
    void tearDown() {
        tail.destroy();
        executors.forEach(ExecutorService::shutdownNow);
    }

    /** A single-thread executor named {@code name}, standing in for an event loop, that counts its tasks. */
    private final class Loop implements Executor {
        final AtomicInteger tasks = new AtomicInteger();
        final ExecutorService thread;

        Loop(String name) {
            thread = Executors.newSingleThreadExecutor(r -> new Thread(r, name));
            executors.add(thread);
        }

        @Override
        public void execute(Runnable task) {
            tasks.incrementAndGet();
            thread.execute(task);
        }
    }

    /** Seqs {@code first..first+1}: c{first} enters vip, then leaves it. */
    private static Appended committed(long first) {
        return new Appended("acme", first, List.of(
                new Change("seg:vip", "c" + first, 1, true, "event", "e" + first),
                new Change("seg:vip", "c" + first, 1, false, "event", "e" + first)), AT);
    }

    private record Received(List<Long> seqs, Set<String> threads) {}

    private Received subscribe(Executor loop) {
        ChangeTail.Subscription s = tail.subscribe("acme", loop).block(Duration.ofSeconds(1));
        Received r = new Received(new CopyOnWriteArrayList<>(), ConcurrentHashMap.newKeySet());
        s.frames().subscribe(f -> {
            r.threads().add(Thread.currentThread().getName());
            r.seqs().add(f.row().seq());
        });
        return r;
    }

    @Test
    void eachBatchIsOneTaskPerLoopAndEverySubscriberGetsEveryChangeInOrderOnItsLoop() {
        Loop a = new Loop("loop-a");
        Loop b = new Loop("loop-b");
        List<Received> onA = new ArrayList<>();
        List<Received> onB = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            onA.add(subscribe(a));
            onB.add(subscribe(b));
        }
        Received onFanOut = subscribe(null);

        int batches = 40;
        for (int k = 0; k < batches; k++) tail.offer(committed(1 + 2L * k)).block(Duration.ofSeconds(1));

        List<Long> all = new ArrayList<>();
        for (long seq = 1; seq <= 2L * batches; seq++) all.add(seq);
        await().atMost(Duration.ofSeconds(10)).until(() -> onFanOut.seqs().size() == all.size()
                && onA.stream().allMatch(r -> r.seqs().size() == all.size()) && onB.stream().allMatch(r -> r.seqs().size() == all.size()));
        assertThat(a.tasks).as("tasks on loop a, one per batch whatever its 50 subscribers").hasValue(batches);
        assertThat(b.tasks).as("tasks on loop b").hasValue(batches);
        onA.forEach(r -> assertThat(r.seqs()).isEqualTo(all));
        onB.forEach(r -> assertThat(r.seqs()).isEqualTo(all));
        assertThat(onFanOut.seqs()).isEqualTo(all);
        onA.forEach(r -> assertThat(r.threads()).containsExactly("loop-a"));
        onB.forEach(r -> assertThat(r.threads()).containsExactly("loop-b"));
        assertThat(onFanOut.threads()).allMatch(name -> name.startsWith("sse-fanout"));
        assertThat(meters.get("segstream.sse.frames.encoded").counter().count()).isEqualTo(all.size());
    }

    @Test
    void aSubscriberOnALoopThatStopsReadingIsEndedAtItsBoundAndTheOthersOnTheLoopGetEverything() {
        Loop loop = new Loop("loop-a");
        ChangeTail.Subscription stuck = tail.subscribe("acme", loop).block(Duration.ofSeconds(1));
        List<Long> stuckGot = new CopyOnWriteArrayList<>();
        AtomicBoolean ended = new AtomicBoolean();
        // Takes 10 frames, then reads no more.
        stuck.frames().subscribe(new BaseSubscriber<ChangeTail.Frame>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                request(10);
            }

            @Override
            protected void hookOnNext(ChangeTail.Frame f) {
                stuckGot.add(f.row().seq());
            }

            @Override
            protected void hookFinally(SignalType type) {
                ended.set(true);
            }
        });
        Received reading = subscribe(loop);

        int batches = 100; // 200 changes: beyond the bound of 100 pending
        for (int k = 0; k < batches; k++) tail.offer(committed(1 + 2L * k)).block(Duration.ofSeconds(1));

        await().atMost(Duration.ofSeconds(10)).until(() -> reading.seqs().size() == 2 * batches);
        assertThat(reading.seqs()).isSorted().doesNotHaveDuplicates().hasSize(2 * batches);
        assertThat(meters.get("segstream.sse.cutoff").counter().count()).isEqualTo(1);
        assertThat(tail.delivering("acme", stuck)).as("the stuck subscriber is off the tail").isFalse();
        assertThat(stuckGot).as("what it read is a gap-free start it can resume after").containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(ended).as("its stream has not ended: it has frames queued and reads no more").isFalse();
    }
}
