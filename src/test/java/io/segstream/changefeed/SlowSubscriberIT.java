package io.segstream.changefeed;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

/** Slow and vanishing subscribers, heartbeats and cleanup, with a small per-subscriber buffer. */
@IntegrationTest
@TestPropertySource(properties = {"segstream.changes.buffer=100", "segstream.changes.keep-alive=300ms"})
class SlowSubscriberIT {

    private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> SSE = new ParameterizedTypeReference<>() {};
    private static final Pattern ID = Pattern.compile("(?m)^id: ?(\\d+)$"); // SSE: one optional space after the colon

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    Api api;
    Api.TestTenant tenant;
    int batches;

    @BeforeEach
    void setUp() {
        api = new Api(client);
        tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated()
                .expectBody().jsonPath("$.id").isEqualTo("vip");
        api.awaitLive(tenant.key(), "vip");
    }

    @Test
    void aSubscriberThatStopsReadingIsCutOffWithoutSlowingIngestionAndResumesWithEveryChange() throws Exception {
        ingest(10); // warm-up
        long withoutNanos = ingest(40);
        double cutOffBefore = meters.get("segstream.sse.cutoff").counter().count();

        List<Long> seen;
        long withNanos;
        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(4096);
            stuck.setSoTimeout(30_000); // a read that gets nothing fails the test instead of hanging it
            stuck.connect(new InetSocketAddress("127.0.0.1", port));
            OutputStream out = stuck.getOutputStream();
            out.write(("GET /v1/segments/vip/changes HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
                    + "Authorization: Bearer " + tenant.key() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> openStreams() >= 1);
            ingest(1); // a few changes it does read
            seen = readIds(stuck.getInputStream(), 3);
            // From here on it reads nothing.
            withNanos = ingest(40);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> meters.get("segstream.sse.cutoff").counter().count() > cutOffBefore);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> openStreams() == 0);
        double ratio = (double) withNanos / withoutNanos;
        System.out.printf("ingest of 20,000 changes: %.0f ms without, %.0f ms with a stuck subscriber (ratio %.2f)%n",
                withoutNanos / 1e6, withNanos / 1e6, ratio);
        assertThat(ratio).as("ingestion time with a stuck subscriber / without").isLessThan(1.5);

        long last = seen.get(seen.size() - 1);
        List<Long> expected = db.sql("SELECT seq FROM changes WHERE tenant_id = :t AND key = 'seg:vip' AND seq > :s ORDER BY seq")
                .bind("t", tenant.id()).bind("s", last).map(r -> r.get(0, Long.class)).all().collectList().block();
        List<Long> resumed = WebClient.builder().baseUrl("http://127.0.0.1:" + port).codecs(c -> c.defaultCodecs().maxInMemorySize(1 << 20))
                .build().get().uri("/v1/segments/vip/changes")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key()).header("Last-Event-ID", Long.toString(last))
                .retrieve().bodyToFlux(SSE).filter(e -> e.event() != null).map(e -> Long.parseLong(e.id()))
                .take(expected.size()).collectList().block(Duration.ofSeconds(60));
        assertThat(resumed).hasSize(40 * 500 + 0 * 1 + (expected.size() - 40 * 500)).isEqualTo(expected);
    }

    @Test
    void keepAlivesFlowAndAVanishedClientReleasesItsStream() {
        double baseline = openStreams();
        var events = client.get().uri("/v1/segments/vip/changes").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .exchange().returnResult(SSE).getResponseBody();
        List<ServerSentEvent<Map<String, Object>>> first = events
                .filter(e -> e.comment() != null && e.comment().contains("keep-alive"))
                .take(3).collectList().block(Duration.ofSeconds(5));
        assertThat(first).hasSize(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> openStreams() == baseline);
    }

    private double openStreams() {
        return meters.get("segstream.sse.streams").gauge().value();
    }

    /** Ingests n batches of 500 toggles of the vip tag (one change each); returns the elapsed time. */
    private long ingest(int n) {
        long t0 = System.nanoTime();
        for (int b = 0; b < n; b++) {
            int batch = batches++;
            String body = "[" + IntStream.range(0, 500).mapToObj(i -> event("b" + batch + "-" + i, "c" + i,
                    batch % 2 == 0 ? "contact.tagged" : "contact.untagged",
                    java.time.Instant.parse("2026-01-01T00:00:00Z").plusSeconds(batch).toString(), "{\"tag\":\"vip\"}"))
                    .collect(Collectors.joining(",")) + "]";
            // The answer is read (a response left unread kept its buffers: Netty's leak detector reported it)
            api.postEvents(tenant.key(), body).expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(500);
        }
        return System.nanoTime() - t0;
    }

    /** Reads from the raw stream until {@code count} event ids were seen. */
    private static List<Long> readIds(InputStream in, int count) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[256];
        List<Long> ids = new ArrayList<>();
        while (ids.size() < count) {
            int n = in.read(chunk);
            if (n < 0) break;
            buf.write(chunk, 0, n);
            ids.clear();
            Matcher m = ID.matcher(buf.toString(StandardCharsets.UTF_8));
            while (m.find()) ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }
}
