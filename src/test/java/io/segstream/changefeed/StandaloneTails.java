package io.segstream.changefeed;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import reactor.core.publisher.Mono;

/** A {@link ChangeTail} without database or Redis, whose log position is 0, for unit tests of its fan-out. */
final class StandaloneTails {

    private StandaloneTails() {}

    static ChangeTail create(MeterRegistry meters) {
        ChangeLogReader reader = new ChangeLogReader(null, null, null) {
            @Override
            Mono<long[]> position(String tenantId) {
                return Mono.just(new long[] {0, 0});
            }
        };
        return new ChangeTail(reader, null, null,
                new ChangeFeedProperties(Duration.ofSeconds(15), Duration.ofSeconds(3), 100, Duration.ofDays(7), Duration.ofSeconds(1),
                        Duration.ofHours(1)),
                meters);
    }
}
