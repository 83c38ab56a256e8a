package io.segstream.changefeed;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.Http2AllocationStrategy;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * HTTP/2 beside HTTP/1.1 on the service's one port: change streams multiplexed on one h2c connection, more of
 * them than Netty's default limit of 100 concurrent streams, every one of them getting a change; ingestion over
 * HTTP/2; and the h2c Upgrade of an HTTP/1.1 client.
 */
@IntegrationTest
@TestPropertySource(properties = "server.http2.enabled=true")
class Http2StreamsIT {

    /** More than Netty's default SETTINGS_MAX_CONCURRENT_STREAMS (100): needs segstream.http2.max-concurrent-streams. */
    private static final int STREAMS = 150;

    @Autowired
    WebTestClient client;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @LocalServerPort
    int port;

    Api.TestTenant tenant;
    ConnectionProvider pool;
    final List<Disposable> open = new ArrayList<>();

    @BeforeEach
    void setUp() {
        Api api = new Api(client);
        tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        // Prior knowledge, at most one connection: every stream and request below shares it.
        pool = ConnectionProvider.builder("h2c-it").maxConnections(1).pendingAcquireMaxCount(-1)
                .allocationStrategy(Http2AllocationStrategy.builder().maxConcurrentStreams(STREAMS + 10).minConnections(1).maxConnections(1).build())
                .build();
    }

    @AfterEach
    void tearDown() {
        open.forEach(Disposable::dispose);
        pool.disposeLater().block(Duration.ofSeconds(10));
    }

    @Test
    void manyChangeStreamsShareOneHttp2ConnectionAndEachGetsEveryChange() {
        Set<Channel> connections = ConcurrentHashMap.newKeySet();
        Set<String> versions = ConcurrentHashMap.newKeySet();
        HttpClient h2c = HttpClient.create(pool).protocol(HttpProtocol.H2C).baseUrl("http://127.0.0.1:" + port)
                .doOnConnected(c -> connections.add(c.channel().parent() == null ? c.channel() : c.channel().parent()))
                .headers(h -> h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + tenant.key()));
        List<StringBuffer> received = new CopyOnWriteArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            StringBuffer text = new StringBuffer();
            received.add(text);
            open.add(h2c.headers(h -> h.set(HttpHeaderNames.ACCEPT, "text/event-stream"))
                    .get().uri("/v1/segments/vip/changes")
                    .response((res, body) -> {
                        versions.add(res.version().text());
                        return body.asString(StandardCharsets.UTF_8);
                    })
                    .subscribe(text::append, e -> text.append("\nerror: ").append(e)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().allMatch(t -> t.indexOf(": connected") >= 0));

        Integer status = h2c.headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
                .post().uri("/v1/events")
                .send(ByteBufFlux.fromString(Mono.just("[" + event("h2-1", "c-h2", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}") + "]")))
                .responseSingle((res, body) -> body.then(Mono.just(res.status().code())))
                .block(Duration.ofSeconds(30));

        assertThat(status).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(received)
                .allSatisfy(t -> assertThat(t.toString()).contains("event: enter").contains("\"contactId\":\"c-h2\"")));
        assertThat(versions).containsExactly("HTTP/2.0");
        assertThat(connections).hasSize(1);
    }

    @Test
    void anHttp11ClientUpgradesToH2c() throws Exception {
        java.net.http.HttpClient jdk = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(10)).build();
        var answer = jdk.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/segments/vip"))
                        .header("Authorization", "Bearer " + tenant.key()).timeout(Duration.ofSeconds(30)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(answer.body()).contains("\"id\":\"vip\"");

        // A request with a body asks for the Upgrade too (the JDK client does): it is read whole, then answered.
        var posted = jdk.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                        .header("Authorization", "Bearer " + tenant.key()).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                "[" + event("up-1", "c-up", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}") + "]"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        assertThat(posted.body()).contains("\"accepted\":1");
    }

    /**
     * A client that drops its HTTP/2 connection with a reset (a killed process, a lost network) is routine for a
     * server of long-lived streams: its streams end, and the log gets no warning with a stack trace for it (Netty's
     * "exceptionCaught() ... reached at the tail of the pipeline", once per connection).
     */
    @Test
    void aConnectionResetByItsClientEndsItsStreamsWithoutAWarning() {
        ch.qos.logback.classic.Logger pipelineLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(io.netty.channel.DefaultChannelPipeline.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        pipelineLog.addAppender(logged);
        try {
            Set<Channel> connections = ConcurrentHashMap.newKeySet();
            HttpClient h2c = HttpClient.create(pool).protocol(HttpProtocol.H2C).baseUrl("http://127.0.0.1:" + port)
                    .doOnConnected(c -> connections.add(c.channel().parent() == null ? c.channel() : c.channel().parent()))
                    .headers(h -> h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + tenant.key()).set(HttpHeaderNames.ACCEPT, "text/event-stream"));
            StringBuffer text = new StringBuffer();
            for (int i = 0; i < 3; i++) {
                open.add(h2c.get().uri("/v1/segments/vip/changes").responseContent().asString(StandardCharsets.UTF_8)
                        .subscribe(text::append, e -> { }));
            }
            var streams = meters.get("segstream.sse.streams").gauge();
            await().atMost(Duration.ofSeconds(30)).until(() -> streams.value() >= 3);
            assertThat(connections).hasSize(1);

            Channel connection = connections.iterator().next();
            connection.config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0); // close() sends a TCP reset
            connection.close().syncUninterruptibly();

            await().atMost(Duration.ofSeconds(30)).until(() -> streams.value() == 0);
            assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
                    .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).isEmpty();
        } finally {
            pipelineLog.detachAppender(logged);
        }
    }
}
