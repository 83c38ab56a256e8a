package io.segstream.changefeed;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Ends every change stream when the application stops, before the web server's graceful shutdown waits
 * for open requests (streams would otherwise hold it until its timeout): each stream gets a last event
 * with a {@code retry:} hint and completes, so clients reconnect (to another instance) with their
 * Last-Event-ID and lose nothing. Streams opened while stopping end at once the same way.
 */
@Component
class ChangeFeedShutdown implements SmartLifecycle {

    private volatile Sinks.Empty<Void> closing = Sinks.empty();
    private volatile boolean running;

    /** Completes when the application starts stopping. */
    Mono<Void> closing() {
        return closing.asMono();
    }

    boolean isClosing() {
        return !running;
    }

    @Override
    public void start() {
        if (!running) closing = Sinks.empty();
        running = true;
    }

    /** Stops first: the highest phase, before the graceful shutdown of the web server. */
    @Override
    public void stop() {
        running = false;
        closing.tryEmitEmpty();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
