package io.segstream.platform;

import java.io.IOException;
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
 * cheaper. Started when the bean is created, stopped when the application context closes.
 */
public final class EmbeddedRedisServer implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedisServer.class);

    private final Path dir;
    private final int port;
    private RedisServer redis;

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

    /** Starts the server (again) on its port with its data folder; used at creation and by fault tests. */
    public synchronized void start() {
        try {
            redis = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("dir " + dir)
                    .setting("pidfile " + dir.resolve("redis.pid"))
                    .setting("appendonly yes")
                    .setting("appendfsync everysec")
                    .setting("maxmemory-policy noeviction")
                    .setting("save \"\"")
                    .setting("daemonize no")
                    .build();
            redis.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start embedded Redis in " + dir, e);
        }
    }

    /** Stops the server, keeping its data folder. */
    public synchronized void stop() throws IOException {
        redis.stop();
    }

    public int port() {
        return port;
    }

    @Override
    public void destroy() throws IOException {
        log.info("Stopping embedded Redis");
        stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
