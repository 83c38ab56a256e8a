package io.segstream.platform;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import redis.embedded.RedisServer;

/**
 * An embedded Redis on a free loopback port with an append-only file in {@code <data-dir>/redis}.
 * Redis only holds projections that can be rebuilt from PostgreSQL; persistence just makes restarts
 * cheaper. Started when the bean is created; stopped when the application context destroys its beans,
 * which is after the web server's graceful shutdown (lifecycle stop comes before bean destruction) and
 * after the Redis clients that depend on it. No JVM shutdown hook of its own. A server process that dies
 * on its own is restarted on the same port with the same data ({@link ServerWatchdog}); Lettuce reconnects.
 */
public final class EmbeddedRedisServer implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedisServer.class);

    private final Path dir;
    private final int port;
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(15);
    private Process process;
    /** Whether the server should run: false after {@link #stop()}, so that an exit then is not restarted. */
    private volatile boolean wanted;
    private final ServerWatchdog watchdog = new ServerWatchdog("Embedded Redis");

    public EmbeddedRedisServer(Path dataRoot) {
        this.dir = dataRoot.resolve("redis").toAbsolutePath();
        try {
            Files.createDirectories(dir);
            StaleServerProcess.stopIfRunning(dir.resolve("redis.pid"), "redis-server", Duration.ofSeconds(30));
            this.port = freePort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare embedded Redis in " + dir, e);
        }
        start();
        log.info("Embedded Redis started on 127.0.0.1:{} with data in {}", port, dir);
    }

    /**
     * Starts the server (again) on its port with its data folder; used at creation and by fault tests.
     *
     * <p>Design note: the library builds the command line and extracts the binary, but the process is
     * started here: the library's own start registers a JVM shutdown hook that kills Redis as soon as the
     * JVM is asked to stop, concurrently with (and usually before) the web server's graceful drain. This
     * server is stopped by the application context instead, after the web server has drained.
     */
    public synchronized void start() {
        wanted = true;
        startProcess();
        Process started = process;
        watchdog.watch(started.toHandle(), () -> wanted && process == started, this::restart);
    }

    private synchronized void restart() {
        if (wanted) start();
    }

    private void startProcess() {
        try {
            List<String> command = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("dir " + dir)
                    .setting("pidfile " + dir.resolve("redis.pid"))
                    .setting("appendonly yes")
                    .setting("appendfsync everysec")
                    .setting("maxmemory-policy noeviction")
                    .setting("save \"\"")
                    .setting("daemonize no")
                    .buildCommandArgs();
            process = new ProcessBuilder(command).directory(new File(command.get(0)).getParentFile())
                    .redirectErrorStream(true)
                    .start();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Process started = process;
            Thread.ofPlatform().daemon().name("embedded-redis-output").start(() -> drain(started, ready));
            ready.get(STARTUP.toSeconds(), TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start embedded Redis in " + dir, e);
        } catch (ExecutionException | TimeoutException e) {
            if (process != null) process.destroyForcibly();
            throw new IllegalStateException("Embedded Redis in " + dir + " did not start within " + STARTUP, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting embedded Redis", e);
        }
    }

    /** Reads the server's output until it ends (kept at debug level), completing {@code ready} when it accepts connections. */
    private static void drain(Process process, CompletableFuture<Void> ready) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                log.debug("redis: {}", line);
                if (!ready.isDone() && line.toLowerCase(java.util.Locale.ROOT).contains("ready to accept connections")) ready.complete(null);
            }
        } catch (IOException e) {
            log.debug("Embedded Redis output ended: {}", e.toString());
        }
        // The output can end a moment before the process is reaped: report its exit code when it has one.
        String exit = process.isAlive() ? "its output closed" : "exit code " + process.exitValue();
        ready.completeExceptionally(new IllegalStateException("embedded Redis stopped: " + exit));
    }

    /** Stops the server (SIGTERM: Redis flushes its append-only file and exits), keeping its data folder. */
    public synchronized void stop() throws IOException {
        wanted = false;
        Process p = process;
        if (p == null || !p.isAlive()) return;
        p.destroy();
        try {
            if (!p.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
                log.warn("Embedded Redis did not stop within {}; killing it", STOP);
                p.destroyForcibly().waitFor(STOP.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** The server process's id (fault tests pause it with SIGSTOP). */
    public synchronized long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    @Override
    public void destroy() throws IOException {
        log.info("Stopping embedded Redis");
        watchdog.close();
        stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
