package io.segstream.platform;

import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * Emits into a sink from any number of threads at once without waiting: a sink refuses a second
 * concurrent emitter ({@code FAIL_NON_SERIALIZED}), so each value is queued, and the thread that finds no
 * emission in progress emits everything queued, its own value and those handed over meanwhile (the
 * queue-drain pattern Reactor's operators use). A thread that finds an emission in progress returns at
 * once; nothing spins or parks, so it is safe on Reactor and Netty threads.
 *
 * <p>Design note: this replaced retrying {@code tryEmitNext} in a spin loop ({@code Thread.onSpinWait}
 * for up to 100 ms), which BlockHound reported as blocking on the event loops.
 */
public final class SerializedEmitter<T> {

    private final Sinks.Many<T> sink;
    private final BiConsumer<T, Sinks.EmitResult> onFailure;
    private final Queue<T> queue = Queues.<T>unboundedMultiproducer().get();
    private final AtomicInteger wip = new AtomicInteger();

    /** @param onFailure called (on the emitting thread) with each value the sink refused and why */
    public SerializedEmitter(Sinks.Many<T> sink, BiConsumer<T, Sinks.EmitResult> onFailure) {
        this.sink = sink;
        this.onFailure = onFailure;
    }

    /**
     * Emits {@code value}, or hands it to the thread emitting right now. Returns the sink's answer when this
     * thread emitted the value, {@code OK} when it was handed over (a refusal is then reported to
     * {@code onFailure} by the thread that emits it).
     */
    public Sinks.EmitResult emit(T value) {
        queue.offer(value);
        if (wip.getAndIncrement() != 0) return Sinks.EmitResult.OK;
        Sinks.EmitResult own = Sinks.EmitResult.OK;
        boolean ownSeen = false;
        int missed = 1;
        for (;;) {
            for (T next; (next = queue.poll()) != null; ) {
                Sinks.EmitResult result = sink.tryEmitNext(next);
                if (!ownSeen && next == value) {
                    own = result;
                    ownSeen = true;
                }
                if (result.isFailure()) onFailure.accept(next, result);
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) return own;
        }
    }
}
