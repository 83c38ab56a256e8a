package io.segstream.platform;

import java.util.function.Consumer;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;

/**
 * Work a component starts on its own (not on behalf of a subscriber that WebFlux owns) and therefore
 * owns: each run is tracked while it is in flight, and {@link #dispose()} (on shutdown) cancels what is
 * still running and refuses new runs. Finished runs are forgotten at once, so the set stays small.
 */
public final class OwnedWork implements Disposable {

    private final Disposable.Composite running = Disposables.composite();

    /** Subscribes to {@code work}, owned; does nothing once disposed. */
    public <T> void run(Mono<T> work, Consumer<? super T> onValue, Consumer<? super Throwable> onError) {
        Disposable.Swap slot = Disposables.swap();
        if (!running.add(slot)) return;
        slot.update(work.doFinally(signal -> running.remove(slot)).subscribe(onValue, onError));
    }

    /** How many runs are in flight. */
    public int inFlight() {
        return running.size();
    }

    @Override
    public void dispose() {
        running.dispose();
    }

    @Override
    public boolean isDisposed() {
        return running.isDisposed();
    }
}
