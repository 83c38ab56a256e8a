package io.segstream.changefeed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segstream.membership.Appended;
import io.segstream.membership.Change;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keep-alives come from the tail, like changes: every subscriber is handed one per interval (15 ticks of 1 s for
 * the 15 s default) counted from when it joined, whether it gets changes or not (API.md: at least every 15 s); and
 * a subscriber of some segments is queued their changes only.
 */
class ChangeTailKeepAliveTest {

    private static final Instant AT = Instant.parse("2026-11-01T10:15:30Z");
    private static final int TICKS = 15; // keep-alive 15 s, a tick every second

    private final ChangeTail tail = StandaloneTails.create(new SimpleMeterRegistry());

    @AfterEach
    void tearDown() {
        tail.destroy();
    }

    /** Seqs {@code seq} and {@code seq + 1}: c{seq} enters {@code segment}, then c{seq+1} does. */
    private static Appended committed(long seq, String segment) {
        return new Appended("acme", seq, List.of(
                new Change("seg:" + segment, "c" + seq, 1, true, "event", "e" + seq),
                new Change("seg:" + segment, "c" + (seq + 1), 1, true, "event", "e" + (seq + 1))), AT);
    }

    /** What one subscriber was handed: the seqs of its changes, and "ka" for each keep-alive, in order. */
    private List<String> subscribe(Set<String> segments) {
        ChangeTail.Subscription s = tail.subscribe("acme", null, segments).block(Duration.ofSeconds(1));
        List<String> got = new CopyOnWriteArrayList<>();
        s.frames().subscribe(f -> got.add(f.keepAlive() ? "ka" : Long.toString(f.row().seq())));
        return got;
    }

    @Test
    void everySubscriberGetsOneKeepAlivePerIntervalCountedFromItsJoiningBusyOrNot() {
        List<String> busy = subscribe(Set.of("vip"));
        List<String> idle = subscribe(Set.of("other"));

        // An interval in which vip changes every tick: both are due their keep-alive at its end, once.
        long seq = 1;
        for (int t = 0; t < TICKS; t++) {
            tail.offer(committed(seq, "vip")).block(Duration.ofSeconds(1));
            seq += 2;
            tail.tickKeepAlives();
        }
        long changes = seq - 1;
        await().atMost(Duration.ofSeconds(10)).until(() -> busy.size() >= changes + 1 && idle.size() >= 1);
        assertThat(busy.get(busy.size() - 1)).isEqualTo("ka");
        assertThat(busy).filteredOn("ka"::equals).hasSize(1);
        assertThat(idle).containsExactly("ka");

        // A subscriber that joins five ticks into the next interval falls due five ticks after the others. (The
        // tail hands its batches out in order, on its own thread: a change seen by a subscriber marks every tick
        // queued before it as handed out.)
        for (int t = 0; t < 5; t++) tail.tickKeepAlives();
        tail.offer(committed(seq, "vip")).block(Duration.ofSeconds(1));
        String marker = Long.toString(seq + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> busy.contains(marker));
        List<String> late = subscribe(null);
        for (int t = 0; t < TICKS - 5 - 1; t++) tail.tickKeepAlives();
        tail.offer(committed(seq + 2, "vip")).block(Duration.ofSeconds(1)); // one tick before the others' second
        await().atMost(Duration.ofSeconds(10)).until(() -> late.size() >= 2);
        assertThat(idle).containsExactly("ka");
        tail.tickKeepAlives(); // the others' second
        await().atMost(Duration.ofSeconds(10)).until(() -> idle.size() >= 2);
        for (int t = 0; t < 4; t++) tail.tickKeepAlives();
        tail.offer(committed(seq + 4, "vip")).block(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> late.size() >= 4);
        assertThat(late).as("four ticks short of its interval").containsExactly(
                Long.toString(seq + 2), Long.toString(seq + 3), Long.toString(seq + 4), Long.toString(seq + 5));
        tail.tickKeepAlives();
        await().atMost(Duration.ofSeconds(10)).until(() -> late.size() >= 5);
        assertThat(late.get(4)).isEqualTo("ka");
        assertThat(idle).containsExactly("ka", "ka");
    }

    @Test
    void aSubscriberOfSomeSegmentsIsQueuedTheirChangesOnly() {
        List<String> vip = subscribe(Set.of("vip"));
        List<String> both = subscribe(Set.of("vip", "other"));
        List<String> all = subscribe(null);

        tail.offer(committed(1, "vip")).block(Duration.ofSeconds(1));
        tail.offer(committed(3, "other")).block(Duration.ofSeconds(1));
        tail.offer(committed(5, "vip")).block(Duration.ofSeconds(1));

        await().atMost(Duration.ofSeconds(10)).until(() -> all.size() >= 6 && both.size() >= 6 && vip.size() >= 4);
        assertThat(vip).containsExactly("1", "2", "5", "6");
        assertThat(both).containsExactly("1", "2", "3", "4", "5", "6");
        assertThat(all).containsExactly("1", "2", "3", "4", "5", "6");
    }
}
