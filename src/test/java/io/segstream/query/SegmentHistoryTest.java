package io.segstream.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segstream.platform.ProblemException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The history window's defaults and limits, and the walk back from the current count. */
class SegmentHistoryTest {

    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final Instant LONG_AGO = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void defaultsAreTheLastDayInHours() {
        SegmentHistory.Window w = SegmentHistory.window(null, NOW, null, LONG_AGO);
        assertThat(w.from()).isEqualTo(NOW.minus(Duration.ofHours(24)));
        assertThat(w.step()).isEqualTo(Duration.ofHours(1));
        assertThat(w.n()).isEqualTo(24);
    }

    @Test
    void aDefaultedFromStartsAtTheOldestHistoryAndAnExplicitOneBeforeItIsRefused() {
        Instant created = NOW.minus(Duration.ofMinutes(90));
        SegmentHistory.Window w = SegmentHistory.window(null, NOW, null, created);
        assertThat(w.from()).isEqualTo(created);
        assertThat(w.n()).isEqualTo(2);
        assertThatThrownBy(() -> SegmentHistory.window(NOW.minus(Duration.ofHours(2)), NOW, null, created))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.errors().getFirst().message())
                        .isEqualTo("is before the oldest history available, " + created));
    }

    @Test
    void atMostAThousandPoints() {
        assertThat(SegmentHistory.window(NOW.minus(Duration.ofMinutes(1000)), NOW, Duration.ofMinutes(1), LONG_AGO).n()).isEqualTo(1000);
        assertThatThrownBy(() -> SegmentHistory.window(NOW.minus(Duration.ofMinutes(1001)), NOW, Duration.ofMinutes(1), LONG_AGO))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.errors().getFirst().pointer()).isEqualTo("/step"));
        // Without a step, a long window gets whole days.
        assertThat(SegmentHistory.window(NOW.minus(Duration.ofDays(300)), NOW, null, LONG_AGO).step()).isEqualTo(Duration.ofDays(1));
        assertThatThrownBy(() -> SegmentHistory.window(NOW, NOW, null, LONG_AGO)).isInstanceOf(ProblemException.class);
    }

    @Test
    void pointsWalkBackFromTheCurrentCount() {
        SegmentHistory.Window w = SegmentHistory.window(NOW.minus(Duration.ofMinutes(150)), NOW, Duration.ofHours(1), LONG_AGO);
        assertThat(w.n()).isEqualTo(3);
        // Buckets: [0,1h) +5 -1, [1h,2h) +2 -3, [2h,2h30) +0 -0, after the window +4 -1; 20 members now.
        var points = SegmentHistory.points(w, 20, new long[] {5, 2, 0, 4}, new long[] {1, 3, 0, 1});
        assertThat(points).containsExactly(
                new SegmentHistory.Point(NOW.minus(Duration.ofMinutes(90)), 18, 5, 1),
                new SegmentHistory.Point(NOW.minus(Duration.ofMinutes(30)), 17, 2, 3),
                new SegmentHistory.Point(NOW, 17, 0, 0));
    }
}
