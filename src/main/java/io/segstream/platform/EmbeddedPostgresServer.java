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
 * everything. Started when the bean is created (before any connection is made), stopped when the
 * application context closes.
 */
public final class EmbeddedPostgresServer implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    public static final String DATABASE = "postgres";
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    public EmbeddedPostgresServer(Path dataRoot) {
        this.dataDirectory = dataRoot.resolve("postgres").toAbsolutePath();
        try {
            Files.createDirectories(dataDirectory);
            StaleServerProcess.stopIfRunning(dataDirectory.resolve("postmaster.pid"), "postgres", Duration.ofSeconds(30));
            this.postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start embedded PostgreSQL in " + dataDirectory, e);
        }
        log.info("Embedded PostgreSQL started on 127.0.0.1:{} with data in {}", port(), dataDirectory);
    }

    public int port() {
        return postgres.getPort();
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
        postgres.close();
    }
}
