package io.segstream.changefeed;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.util.RaceTestUtils;

/**
 * A subscriber that joins a tenant's tail while the last other subscriber leaves is always delivered
 * to: it never waits on a tail that the leave dropped (which would only send it keep-alives).
 */
class ChangeTailRaceTest {

    private final ChangeTail tail = StandaloneTails.create(new SimpleMeterRegistry());

    @Test
    void aSubscribeRacingTheLastUnsubscribeJoinsALiveTail() {
        int orphaned = 0;
        for (int i = 0; i < 20_000; i++) {
            String tenant = "t" + i;
            ChangeTail.Subscription leaving = tail.subscribe(tenant).block(Duration.ofSeconds(1));
            ChangeTail.Subscription[] joining = {null};
            RaceTestUtils.race(() -> tail.unsubscribe(tenant, leaving),
                    () -> joining[0] = tail.subscribe(tenant).block(Duration.ofSeconds(1)));
            if (!tail.delivering(tenant, joining[0])) orphaned++;
            tail.unsubscribe(tenant, joining[0]);
        }
        assertThat(orphaned).as("subscribers left on a dropped tail").isZero();
    }
}
