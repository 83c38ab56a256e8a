package io.segstream.changefeed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segstream.membership.Appended;
import io.segstream.membership.Change;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fan-out of committed changes: each change is encoded once whatever the number of subscribers, and the
 * committing thread only queues the changes; subscribers are written to on the fan-out scheduler.
 */
class ChangeTailFanOutTest {

    private static final Instant AT = Instant.parse("2026-11-01T10:15:30Z");

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final ChangeTail tail = StandaloneTails.create(meters);

    @AfterEach
    void tearDown() {
        tail.destroy();
    }

    /** Seqs {@code first..}: a vip enter, a tag bit (not a segment change), a vip exit. */
    private static Appended committed(String tenant, long first) {
        return new Appended(tenant, first, List.of(
                new Change("seg:vip", "c" + first, 1, true, "event", "e" + first),
                new Change("tag:vip", "c" + first, 1, true, "event", "e" + first),
                new Change("seg:vip", "c" + first, 1, false, "event", "e" + first)), AT);
    }

    private double encoded() {
        return meters.get("segstream.sse.frames.encoded").counter().count();
    }

    @Test
    void eachChangeIsEncodedOnceAndItsBytesSharedByAHundredSubscribers() {
        int n = 100;
        List<List<ChangeTail.Frame>> received = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ChangeTail.Subscription s = tail.subscribe("acme").block(Duration.ofSeconds(1));
            List<ChangeTail.Frame> frames = new CopyOnWriteArrayList<>();
            s.frames().subscribe(frames::add);
            received.add(frames);
        }

        tail.offer(committed("acme", 1)).block(Duration.ofSeconds(1));
        tail.offer(committed("acme", 4)).block(Duration.ofSeconds(1));

        await().atMost(Duration.ofSeconds(5)).until(() -> received.stream().allMatch(f -> f.size() == 4));
        assertThat(encoded()).as("live changes encoded for %d subscribers", n).isEqualTo(4);
        List<ChangeTail.Frame> first = received.get(0);
        assertThat(first).extracting(f -> f.row().seq()).containsExactly(1L, 3L, 4L, 6L);
        assertThat(new String(first.get(0).bytes(), StandardCharsets.UTF_8)).isEqualTo(SseFrames.change(first.get(0).row()));
        for (List<ChangeTail.Frame> frames : received) {
            for (int k = 0; k < 4; k++) {
                assertThat(frames.get(k).bytes()).as("the bytes of change %d", k).isSameAs(first.get(k).bytes());
            }
        }
    }

    @Test
    void theCommittingThreadOnlyQueuesAndABlockedSubscriberDoesNotHoldItUp() throws Exception {
        ChangeTail.Subscription watching = tail.subscribe("acme").block(Duration.ofSeconds(1));
        ChangeTail.Subscription blocked = tail.subscribe("acme").block(Duration.ofSeconds(1));
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<Long> watched = new CopyOnWriteArrayList<>();
        List<Long> late = new CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        watching.frames().subscribe(f -> {
            threads.add(Thread.currentThread().getName());
            watched.add(f.row().seq());
        });
        blocked.frames().subscribe(f -> {
            threads.add(Thread.currentThread().getName());
            try {
                release.await(30, TimeUnit.SECONDS); // a subscriber that never returns, until released
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            late.add(f.row().seq());
        });
        try {
            Set<String> committing = ConcurrentHashMap.newKeySet();
            // Each commit returns at once, though a subscriber is stuck in the first change.
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                committing.add(Thread.currentThread().getName());
                for (long first = 1; first <= 30; first += 3) tail.offer(committed("acme", first)).block(Duration.ofSeconds(1));
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> watched.size() == 2 && threads.size() == 1);
            assertThat(threads).doesNotContainAnyElementsOf(committing).allMatch(name -> name.startsWith("sse-fanout"));
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> late.size() == 20 && watched.size() == 20);
        assertThat(late).isEqualTo(watched).startsWith(1L, 3L, 4L, 6L);
        assertThat(threads).allMatch(name -> name.startsWith("sse-fanout"));
    }
}
