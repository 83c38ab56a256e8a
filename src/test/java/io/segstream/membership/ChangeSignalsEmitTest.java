package io.segstream.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.platform.SerializedEmitter;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.test.util.RaceTestUtils;

/** Wake-ups emitted by commits ending at the same moment on two threads all arrive: none is dropped as non-serialized, none waits. */
class ChangeSignalsEmitTest {

    @Test
    void concurrentEmittersLoseNoSignal() {
        Sinks.Many<String> sink = Sinks.many().multicast().directBestEffort();
        AtomicInteger received = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        SerializedEmitter<String> emitter = new SerializedEmitter<>(sink, (value, result) -> refused.incrementAndGet());
        Disposable subscriber = sink.asFlux().subscribe(s -> received.incrementAndGet());
        try {
            int rounds = 20_000;
            for (int i = 0; i < rounds; i++) {
                RaceTestUtils.race(() -> emitter.emit("a"), () -> emitter.emit("b"));
            }
            assertThat(received.get()).isEqualTo(2 * rounds);
            assertThat(refused.get()).isZero();
        } finally {
            subscriber.dispose();
        }
    }

    @Test
    void noSubscriberIsNormal() {
        Sinks.Many<String> sink = Sinks.many().multicast().directBestEffort();
        SerializedEmitter<String> emitter = new SerializedEmitter<>(sink, (value, result) -> {});
        assertThat(emitter.emit("a")).isEqualTo(Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER);
        assertThat(emitter.emit("b")).isEqualTo(Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER);
    }
}
