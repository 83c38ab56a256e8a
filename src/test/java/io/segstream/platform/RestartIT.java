package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.SegstreamApplication;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application keeps its data across restarts in embedded mode, including after being killed with
 * SIGKILL, which leaves the embedded PostgreSQL and Redis running as orphans.
 */
class RestartIT {

    private static final String KEY = "restart-test-key";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aCleanRestartKeepsEverything() throws Exception {
        Path data = Path.of("target", "it-data", "restart-" + UUID.randomUUID());
        try (var first = start(data)) {
            assertThat(post(port(first), "r1", "c-restart").statusCode()).isEqualTo(202);
        }
        try (var second = start(data)) {
            var contact = get(port(second), "c-restart");
            assertThat(contact.statusCode()).isEqualTo(200);
            assertThat(contact.body()).contains("\"tags\":[\"kept\"]");
            // The event id is still known: a resubmission is a duplicate.
            assertThat(post(port(second), "r1", "c-restart").body()).contains("\"duplicates\":1");
        }
    }

    @Test
    void aStartAfterSigkillStopsTheOrphanedServersAndKeepsTheData() throws Exception {
        Path data = Path.of("target", "it-data", "killed-" + UUID.randomUUID());
        int port = freePort();
        Process child = new ProcessBuilder(javaCommand(port, data))
                .redirectErrorStream(true)
                .redirectOutput(data.resolveSibling(data.getFileName() + ".log").toFile())
                .start();
        Optional<ProcessHandle> orphanPostgres;
        Optional<ProcessHandle> orphanRedis;
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions()
                    .until(() -> post(port, "k1", "c-killed").statusCode() == 202);
            orphanPostgres = pidFrom(data.resolve("postgres/postmaster.pid"));
            orphanRedis = pidFrom(data.resolve("redis/redis.pid"));
            assertThat(orphanPostgres).isPresent();
            assertThat(orphanRedis).isPresent();
        } finally {
            child.destroyForcibly().waitFor();
        }
        assertThat(orphanPostgres.get().isAlive()).as("SIGKILL leaves postgres running").isTrue();
        assertThat(orphanRedis.get().isAlive()).as("SIGKILL leaves redis-server running").isTrue();

        try (var restarted = start(data)) {
            assertThat(orphanPostgres.get().isAlive()).isFalse();
            assertThat(orphanRedis.get().isAlive()).isFalse();
            var contact = get(port(restarted), "c-killed");
            assertThat(contact.statusCode()).isEqualTo(200);
            assertThat(contact.body()).contains("\"tags\":[\"kept\"]");
        }
    }

    private static ConfigurableApplicationContext start(Path data) {
        return new SpringApplicationBuilder(SegstreamApplication.class)
                .profiles("test")
                .run("--server.port=0", "--segstream.data-dir=" + data, "--segstream.dev-key=" + KEY);
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    private HttpResponse<String> post(int port, String eventId, String contactId) throws IOException, InterruptedException {
        String body = "[{\"id\":\"" + eventId + "\",\"contactId\":\"" + contactId
                + "\",\"type\":\"contact.tagged\",\"occurredAt\":\"2026-11-01T10:00:00Z\",\"properties\":{\"tag\":\"kept\"}}]";
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(int port, String contactId) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/contacts/" + contactId))
                .header("Authorization", "Bearer " + KEY)
                .timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> javaCommand(int port, Path data) {
        return ChildApplication.command(port, data, KEY);
    }

    private static Optional<ProcessHandle> pidFrom(Path pidFile) throws IOException {
        String first = Files.readAllLines(pidFile).get(0).trim();
        return ProcessHandle.of(Long.parseLong(first));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
