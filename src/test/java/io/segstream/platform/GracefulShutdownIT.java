package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.SegstreamApplication;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * SIGTERM while an ingest request is in flight: the web server drains it (202) before the embedded
 * PostgreSQL and Redis stop, and what it acknowledged is stored. The servers used to be stopped by their
 * libraries' own JVM shutdown hooks, racing the drain: every in-flight request got 503.
 */
class GracefulShutdownIT {

    private static final String KEY = "shutdown-test-key";
    private static final int EVENTS = 200;

    @Test
    void anIngestRequestInFlightAtSigtermCompletesAndIsStored() throws Exception {
        Path data = Path.of("target", "it-data", "sigterm-" + UUID.randomUUID());
        Path log = data.resolveSibling(data.getFileName() + ".log");
        int port = freePort();
        Process child = new ProcessBuilder(javaCommand(port, data)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String response;
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

            byte[] body = IntStream.range(0, EVENTS)
                    .mapToObj(i -> "{\"id\":\"s" + i + "\",\"contactId\":\"c" + i
                            + "\",\"type\":\"contact.tagged\",\"occurredAt\":\"2026-11-01T10:00:00Z\",\"properties\":{\"tag\":\"t\"}}")
                    .collect(Collectors.joining("\n", "", "\n")).getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(60_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + KEY
                        + "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                int half = body.length / 2;
                out.write(body, 0, half);
                out.flush();

                child.destroy(); // SIGTERM
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> Files.readString(log).contains("Commencing graceful shutdown"));
                out.write(body, half, body.length - half);
                out.flush();
                response = read(socket.getInputStream());
            }
            assertThat(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the service exits after draining").isTrue();
        } finally {
            if (child.isAlive()) child.destroyForcibly().waitFor();
        }
        assertThat(response).as("the request in flight at SIGTERM").startsWith("HTTP/1.1 202").contains("\"accepted\":" + EVENTS);
        assertThat(Files.readString(log)).doesNotContain("Storage is unavailable");

        try (ConfigurableApplicationContext again = new SpringApplicationBuilder(SegstreamApplication.class).profiles("test")
                .run("--server.port=0", "--segstream.data-dir=" + data, "--segstream.dev-key=" + KEY)) {
            int restarted = ((WebServerApplicationContext) again).getWebServer().getPort();
            Long stored = again.getBean(org.springframework.r2dbc.core.DatabaseClient.class)
                    .sql("SELECT count(*) FROM events WHERE tenant_id = 'demo'").map(r -> r.get(0, Long.class)).one()
                    .block(Duration.ofSeconds(10));
            assertThat(stored).as("every acknowledged event is stored").isEqualTo(EVENTS);
            assertThat(restarted).isPositive();
        }
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static List<String> javaCommand(int port, Path data) {
        return ChildApplication.command(port, data, KEY, "--logging.level.org.springframework.boot=INFO");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
