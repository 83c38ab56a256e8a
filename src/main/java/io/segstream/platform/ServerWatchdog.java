package io.segstream.platform;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts an embedded server whose process dies while the service still wants it (a {@code kill -9}, the
 * OOM killer, a crash), on the watchdog's own thread, never a Reactor one: the JDK completes
 * {@link ProcessHandle#onExit()} on its process reaper, and the restart (which waits for the server to
 * accept connections) runs on a single daemon thread of this watchdog. Retries back off from 1 s to
 * 30 s. Each event is one log line: the exit (WARN), the first failed restart (ERROR; later ones at
 * debug), and the restart (INFO).
 */
final class ServerWatchdog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerWatchdog.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);

    private final String name;
    private final ScheduledExecutorService executor;

    /** @param name names the server in log lines ("Embedded Redis") */
    ServerWatchdog(String name) {
        this.name = name;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name(name.toLowerCase(java.util.Locale.ROOT).replace(' ', '-') + "-watchdog").factory());
    }

    /**
     * Watches one run of the server: when {@code process} exits and {@code wanted} still says the server
     * should run, calls {@code restart} until it succeeds ({@code restart} starts the server and watches
     * the new process; it is not called once {@code wanted} is false).
     */
    void watch(ProcessHandle process, BooleanSupplier wanted, Runnable restart) {
        process.onExit().thenRunAsync(() -> {
            if (!wanted.getAsBoolean()) return;
            log.warn("{} (pid {}) exited unexpectedly; restarting it with its data on its port", name, process.pid());
            attempt(1, System.nanoTime(), wanted, restart);
        }, executor);
    }

    private void attempt(int n, long since, BooleanSupplier wanted, Runnable restart) {
        if (executor.isShutdown() || !wanted.getAsBoolean()) return;
        try {
            restart.run();
            log.info("{} restarted ({} attempt(s), {} ms after its exit was seen)", name, n,
                    Duration.ofNanos(System.nanoTime() - since).toMillis());
        } catch (RuntimeException e) {
            Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(n - 1, 5));
            if (delay.compareTo(MAX_RETRY) > 0) delay = MAX_RETRY;
            if (n == 1) {
                log.error("{} could not be restarted; retrying every {} s at most (further failures are not logged): {}",
                        name, MAX_RETRY.toSeconds(), e.toString());
            } else {
                log.debug("{} restart attempt {} failed: {}", name, n, e.toString());
            }
            try {
                executor.schedule(() -> attempt(n + 1, since, wanted, restart), delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // closed meanwhile: the service is stopping
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
