package io.segstream.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/** Readiness of the Redis projection: the states a sweep and a catch-up move it through. */
class ProjectionHealthTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ProjectionHealth health = new ProjectionHealth(meters, 100);

    @Test
    void notReadyUntilTheFirstSweepAfterStart() {
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        health.swept(Map.of("a", 0L));
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void aTenantThatLostItsProjectionIsNotServedUntilCaughtUp() {
        health.swept(Map.of());
        health.lost("a", ProjectionHealth.Loss.LOST);
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.serving("a")).isFalse();
        assertThat(health.serving("b")).isTrue();
        health.caughtUp("a");
        assertThat(health.serving("a")).isTrue();
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        assertThat(meters.get("segstream.projection.recoveries").tag("reason", "lost").counter().count()).isEqualTo(1);
    }

    @Test
    void aGapKeepsTheTenantRecoveringUntilItWasRebuiltAndCaughtUp() {
        health.swept(Map.of());
        health.lost("a", ProjectionHealth.Loss.LOST);
        health.lost("a", ProjectionHealth.Loss.GAP);
        health.caughtUp("a");
        assertThat(health.serving("a")).as("catching up cannot cross the gap").isFalse();
        assertThat(health.rebuildsDue()).containsExactly("a");
        health.rebuilt("a");
        health.caughtUp("a");
        assertThat(health.serving("a")).isTrue();
        assertThat(health.rebuildsDue()).isEmpty();
        assertThat(meters.get("segstream.projection.recoveries").tag("reason", "gap").counter().count()).isEqualTo(1);
    }

    @Test
    void aTenantBehindByMoreThanTheMaximumInTwoSweepsInARowMakesItNotReady() {
        health.swept(Map.of("a", 500L));
        assertThat(health.health().getStatus()).as("one burst is not enough").isEqualTo(Status.UP);
        health.swept(Map.of("a", 700L));
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(meters.get("segstream.projection.lag").gauge().value()).isEqualTo(700);
        health.swept(Map.of("a", 3L));
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void aFailedSweepMakesItNotReadyUntilASweepSucceeds() {
        health.swept(Map.of());
        health.sweepFailed(new IllegalStateException("Redis down"));
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        health.swept(Map.of());
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    }
}
