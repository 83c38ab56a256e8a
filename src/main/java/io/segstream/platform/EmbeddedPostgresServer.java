package io.segstream.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * An embedded PostgreSQL 17 keeping its data in {@code <data-dir>/postgres}, so a restart keeps
 * everything. Started when the bean is created (before any connection is made); stopped when the
 * application context destroys its beans: after the web server's graceful shutdown has let in-flight
 * requests finish (lifecycle stop precedes bean destruction) and after the connection pool that depends
 * on it. No JVM shutdown hook of its own: on SIGTERM, Spring's hook closes the context in that order.
 * A postmaster that dies on its own is restarted on the same port with the same data ({@link
 * ServerWatchdog}; PostgreSQL runs its crash recovery); the connection pool replaces its broken
 * connections.
 */
public final class EmbeddedPostgresServer implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    public static final String DATABASE = "postgres";
    public static final String USER = "postgres";

    private final Path dataDirectory;
    private final boolean durable;
    private EmbeddedPostgres postgres;
    private int port;
    /** Whether the server should run: false after {@link #stop()}, so that an exit then is not restarted. */
    private volatile boolean wanted;
    private final ServerWatchdog watchdog = new ServerWatchdog("Embedded PostgreSQL");

    /**
     * @param durable whether commits are flushed to disk before they are acknowledged ({@code fsync} and
     *        {@code synchronous_commit} on, PostgreSQL's defaults); the embedded library turns both off
     *        unless told otherwise, which tests may keep for speed
     */
    public EmbeddedPostgresServer(Path dataRoot, boolean durable) {
        this.durable = durable;
        this.dataDirectory = dataRoot.resolve("postgres").toAbsolutePath();
        try {
            Files.createDirectories(dataDirectory);
            StaleServerProcess.stopIfRunning(dataDirectory.resolve("postmaster.pid"), "postgres", Duration.ofSeconds(30));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot prepare embedded PostgreSQL in " + dataDirectory, e);
        }
        start();
        log.info("Embedded PostgreSQL started on 127.0.0.1:{} with data in {}", port(), dataDirectory);
    }

    /** Starts the server (again) with its data folder, on the port it had (a free one the first time). */
    public synchronized void start() {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    // Stopped by the application context (bean destruction, after the web server drained
                    // and the pool closed), not by a JVM hook racing the graceful shutdown.
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("fsync", durable ? "on" : "off")
                    .setServerConfig("synchronous_commit", durable ? "on" : "off")
                    .setServerConfig("full_page_writes", durable ? "on" : "off");
            if (port > 0) builder.setPort(port);
            postgres = builder.start();
            port = postgres.getPort();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start embedded PostgreSQL in " + dataDirectory, e);
        }
        wanted = true;
        EmbeddedPostgres started = postgres;
        postmaster().ifPresentOrElse(
                pm -> watchdog.watch(pm, () -> wanted && postgres == started, this::restart),
                () -> log.warn("Embedded PostgreSQL's postmaster.pid names no running process; it is not watched"));
    }

    /** After the postmaster died: releases the old instance (its data-folder lock) and starts again. */
    private synchronized void restart() {
        if (!wanted) return;
        try {
            // pg_ctl stop finds no server (the library logs that); what matters is the lock it releases.
            postgres.close();
        } catch (IOException | RuntimeException e) {
            log.debug("Closing the dead embedded PostgreSQL: {}", e.toString());
        }
        start();
    }

    /** The running postmaster, from the first line of {@code postmaster.pid}. */
    private java.util.Optional<ProcessHandle> postmaster() {
        try {
            String first = Files.readAllLines(dataDirectory.resolve("postmaster.pid")).getFirst().trim();
            return ProcessHandle.of(Long.parseLong(first));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** The postmaster's process id (fault tests kill it). */
    public long pid() {
        return postmaster().map(ProcessHandle::pid).orElse(-1L);
    }

    /** Stops the server, keeping its data folder (fault tests). */
    public synchronized void stop() throws IOException {
        wanted = false;
        postgres.close();
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    public String r2dbcUrl() {
        return "r2dbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    @Override
    public void destroy() throws IOException {
        log.info("Stopping embedded PostgreSQL");
        watchdog.close();
        stop();
    }
}
