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
 * is called, one run at a time (ticks that arrive during a run are dropped). A failed run is reported
 * and the next tick tries again. Started and stopped with the application context.
 *
 * <p>Failures are logged as one line when the work starts failing and one when it works again (with how
 * many runs failed in between), not once per run: a loop that ticks every 100 ms while PostgreSQL or
 * Redis is down would otherwise write hundreds of lines a minute saying the same thing.
 */
public abstract class BackgroundLoop implements SmartLifecycle {

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final String what;
    private final Duration initialDelay;
    private final Duration period;
    private final Sinks.Many<Boolean> wakeups = Sinks.many().multicast().directBestEffort();
    private volatile Disposable loop;
    /** Runs failed in a row (0: the last run succeeded), and when the first of them failed. */
    private long failedRuns;
    private long failingSinceNanos;

    /** @param what names the work in log lines ("Timer processing") */
    protected BackgroundLoop(String what, Duration initialDelay, Duration period) {
        this.what = what;
        this.initialDelay = initialDelay;
        this.period = period;
    }

    /** One run of the work; the returned publisher is subscribed once per tick. */
    protected abstract Mono<?> runOnce();

    /**
     * How the first failed run of a series is reported (later ones of the same series are logged at debug
     * level only); the next tick runs again either way.
     */
    protected void onFailure(Throwable e) {
        log.warn("{} failed; it runs again every {} ms until it works (further failures are not logged): {}", what,
                period.toMillis(), e.toString());
    }

    /** How a successful run after {@code failed} failed ones is reported. */
    protected void onRecovery(long failed, Duration after) {
        log.info("{} works again after {} failed run(s) in {} s", what, failed, after.toSeconds());
    }

    /** Called for every failed run, before the logging above (health reporting). */
    protected void failedRun(Throwable e) {}

    private synchronized void failed(Throwable e) {
        failedRun(e);
        if (failedRuns++ == 0) {
            failingSinceNanos = System.nanoTime();
            onFailure(e);
        } else {
            log.debug("{} failed again: {}", what, e.toString());
        }
    }

    private synchronized void succeeded() {
        if (failedRuns == 0) return;
        long failed = failedRuns;
        failedRuns = 0;
        onRecovery(failed, Duration.ofNanos(System.nanoTime() - failingSinceNanos));
    }

    /** Asks for a run now rather than at the next tick. */
    public void wake() {
        wakeups.tryEmitNext(Boolean.TRUE);
    }

    @Override
    public void start() {
        loop = Flux.merge(Flux.interval(initialDelay, period), wakeups.asFlux())
                .onBackpressureDrop()
                .concatMap(tick -> runOnce().then(Mono.fromRunnable(this::succeeded)).onErrorResume(e -> {
                    failed(e);
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
