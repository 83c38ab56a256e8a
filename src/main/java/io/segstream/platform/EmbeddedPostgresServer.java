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
 */
public final class EmbeddedPostgresServer implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    public static final String DATABASE = "postgres";
    public static final String USER = "postgres";

    private final Path dataDirectory;
    private final boolean durable;
    private EmbeddedPostgres postgres;
    private int port;

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
    }

    /** Stops the server, keeping its data folder (fault tests). */
    public synchronized void stop() throws IOException {
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
        stop();
    }
}
