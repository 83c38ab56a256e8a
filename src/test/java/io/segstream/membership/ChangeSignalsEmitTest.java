package io.segstream.membership;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.test.util.RaceTestUtils;

/** Wake-ups emitted by commits ending at the same moment on two threads all arrive: none is dropped as non-serialized. */
class ChangeSignalsEmitTest {

    @Test
    void concurrentEmittersLoseNoSignal() {
        Sinks.Many<String> sink = Sinks.many().multicast().directBestEffort();
        AtomicInteger received = new AtomicInteger();
        Disposable subscriber = sink.asFlux().subscribe(s -> received.incrementAndGet());
        try {
            int rounds = 20_000;
            for (int i = 0; i < rounds; i++) {
                RaceTestUtils.race(() -> ChangeSignals.emit(sink, "a"), () -> ChangeSignals.emit(sink, "b"));
            }
            assertThat(received.get()).isEqualTo(2 * rounds);
        } finally {
            subscriber.dispose();
        }
    }

    @Test
    void noSubscriberIsNormal() {
        Sinks.Many<String> sink = Sinks.many().multicast().directBestEffort();
        assertThat(ChangeSignals.emit(sink, "a")).isEqualTo(Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER);
        assertThat(ChangeSignals.emit(sink, "b")).isEqualTo(Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER);
    }
}
