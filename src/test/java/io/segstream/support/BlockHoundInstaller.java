package io.segstream.support;

import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Installs BlockHound when the test JVM starts, if {@code segstream.blockhound} is {@code true} (Failsafe
 * sets it: the integration tests run instrumented, the plain unit tests do not). A blocking call on a
 * non-blocking thread (Reactor's parallel scheduler, Netty's event loops) then throws
 * {@link BlockingOperationError} where it happens, and is recorded: {@link BlockHoundCheck} fails the test
 * class that caused it even when the error was swallowed on the way (a background loop logs and retries).
 */
public final class BlockHoundInstaller implements TestExecutionListener {

    /** Blocking calls seen since the last {@link #drain()}. */
    private static final List<String> violations = new CopyOnWriteArrayList<>();

    private static volatile boolean installed;

    public static boolean installed() {
        return installed;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        install();
    }

    static synchronized void install() {
        if (installed || !Boolean.getBoolean("segstream.blockhound")) return;
        BlockHound.Builder builder = BlockHound.builder();
        // What BlockHound.install() does on its own: the integrations the libraries ship (Reactor marks its
        // non-blocking schedulers' threads, Netty its event loops and allows its own internals).
        ServiceLoader.load(BlockHoundIntegration.class).stream()
                .map(ServiceLoader.Provider::get)
                .sorted()
                .forEach(builder::with);
        builder.with(new Allowances())
                .blockingMethodCallback(method -> {
                    BlockingOperationError error = new BlockingOperationError(method);
                    StringBuilder where = new StringBuilder(error.getMessage()).append(" on ").append(Thread.currentThread().getName());
                    for (StackTraceElement e : new Throwable().getStackTrace()) where.append("\n\tat ").append(e);
                    violations.add(where.toString());
                    throw error;
                })
                .install();
        installed = true;
    }

    /** Forgets the violations recorded so far (for a test that makes one on purpose). */
    public static void forget() {
        violations.clear();
    }

    /** The violations recorded since the last call, forgotten. */
    static List<String> drain() {
        List<String> out = List.copyOf(violations);
        violations.removeAll(out);
        return out;
    }

    /**
     * Blocking calls inside library internals that are benign where they happen; never our own code.
     *
     * <p>Design note: no allowance for {@code ClassLoader.loadClass}; none of the integration tests needs
     * one, and with it the application context started in 51 s instead of 18 s (12.6 s without BlockHound),
     * its tests ran 44% longer.
     */
    static final class Allowances implements BlockHoundIntegration {
        @Override
        public void applyTo(BlockHound.Builder builder) {
            // Logging: the console appender writes to stdout (a pipe to the build) under its lock; the
            // write is short, and asynchronous logging would only move it elsewhere in a test.
            builder.allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "subAppend");
            builder.allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes");
            // Spring Data Redis reads (and on first use creates) the shared reactive connection's holder under
            // a lock: a field read, the lock contended only when many calls start at once; connecting itself
            // is asynchronous.
            builder.allowBlockingCallsInside("org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory",
                    "getOrCreateSharedReactiveConnection");
            // Jackson builds a deserializer for a type once, under its cache's lock; two threads decoding the
            // same type for the first time at once wait for each other that once.
            builder.allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache", "_createAndCacheValueDeserializer");
            // Cancelling a timer (an SSE keep-alive interval when its stream closes) removes the task from the
            // scheduler's delay queue under the queue's lock, held only for a heap update; Reactor's own
            // integration allows the same lock in offer and take.
            builder.allowBlockingCallsInside("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "remove");
            // SecureRandom reads the OS entropy source, which does not block once seeded (Linux getrandom).
            builder.allowBlockingCallsInside("java.security.SecureRandom", "nextBytes");
            builder.allowBlockingCallsInside("java.security.SecureRandom", "generateSeed");
        }
    }
}
