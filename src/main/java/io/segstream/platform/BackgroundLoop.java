package io.segstream.platform;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A pipeline the application owns: runs {@link #runOnce()} every period and whenever {@link #wake()}
 * is called, one run at a time (ticks that arrive during a run are dropped). A failed run is logged and
 * the next tick tries again. Started and stopped with the application context.
 */
public abstract class BackgroundLoop implements SmartLifecycle {

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String what;
    private final Duration initialDelay;
    private final Duration period;
    private final Sinks.Many<Boolean> wakeups = Sinks.many().multicast().directBestEffort();
    private volatile Disposable loop;

    /** @param what names the work in log lines ("Timer processing") */
    protected BackgroundLoop(String what, Duration initialDelay, Duration period) {
        this.what = what;
        this.initialDelay = initialDelay;
        this.period = period;
    }

    /** One run of the work; the returned publisher is subscribed once per tick. */
    protected abstract Mono<?> runOnce();

    /** How a failed run is reported; the next tick runs again either way. */
    protected void onFailure(Throwable e) {
        log.warn("{} failed; it runs again: {}", what, e.toString());
    }

    /** Asks for a run now rather than at the next tick. */
    public void wake() {
        wakeups.tryEmitNext(Boolean.TRUE);
    }

    @Override
    public void start() {
        loop = Flux.merge(Flux.interval(initialDelay, period), wakeups.asFlux())
                .onBackpressureDrop()
                .concatMap(tick -> runOnce().onErrorResume(e -> {
                    onFailure(e);
                    return Mono.empty();
                }), 1)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable d = loop;
        if (d != null) d.dispose();
        loop = null;
    }

    @Override
    public boolean isRunning() {
        return loop != null;
    }
}
