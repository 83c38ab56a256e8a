package io.segstream.changefeed;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

/**
 * HTTP/2 with TLS (h2, negotiated by ALPN) beside HTTP/1.1 over TLS on the same port, as docs/operations.md
 * describes for {@code server.http2.enabled} with {@code server.ssl.*}: a change stream and an ingest request
 * over h2 on one connection, and an HTTP/1.1 client on the same port. The key pair is made for the test by the
 * JDK's keytool (self-signed; the clients trust any certificate).
 */
@IntegrationTest
class Http2OverTlsIT {

    private static final String PASSWORD = "segstream-it";

    @DynamicPropertySource
    static void tls(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("segstream-tls");
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "segstream", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool ended").isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        registry.add("server.ssl.key-store", () -> keystore.toUri().toString());
        registry.add("server.ssl.key-store-password", () -> PASSWORD);
        registry.add("server.ssl.key-store-type", () -> "PKCS12");
        registry.add("server.http2.enabled", () -> "true");
    }

    @LocalServerPort
    int port;

    private Disposable stream;

    @AfterEach
    void tearDown() {
        if (stream != null) stream.dispose();
    }

    private static HttpClient h2() {
        return HttpClient.create().protocol(HttpProtocol.H2)
                .secure(spec -> spec.sslContext(Http2SslContextSpec.forClient().configure(b -> b.trustManager(InsecureTrustManagerFactory.INSTANCE))));
    }

    private static HttpClient http11() {
        return HttpClient.create().protocol(HttpProtocol.HTTP11)
                .secure(spec -> spec.sslContext(Http11SslContextSpec.forClient().configure(b -> b.trustManager(InsecureTrustManagerFactory.INSTANCE))));
    }

    @Test
    void aChangeStreamAndIngestOverH2AndHttp11OverTlsOnTheSamePort() {
        String base = "https://127.0.0.1:" + port;
        Api api = new Api(WebTestClient.bindToServer(new ReactorClientHttpConnector(http11().keepAlive(false)))
                .baseUrl(base).responseTimeout(Duration.ofSeconds(30)).build());
        Api.TestTenant tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");

        HttpClient h2 = h2().baseUrl(base).headers(h -> h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + tenant.key()));
        StringBuffer text = new StringBuffer();
        List<String> versions = new java.util.concurrent.CopyOnWriteArrayList<>();
        stream = h2.headers(h -> h.set(HttpHeaderNames.ACCEPT, "text/event-stream")).get().uri("/v1/segments/vip/changes")
                .response((res, body) -> {
                    versions.add(res.version().text());
                    return body.asString(StandardCharsets.UTF_8);
                })
                .subscribe(text::append, e -> text.append("\nerror: ").append(e));
        await().atMost(Duration.ofSeconds(30)).until(() -> text.indexOf(": connected") >= 0);

        Integer status = h2.headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json")).post().uri("/v1/events")
                .send(ByteBufFlux.fromString(Mono.just("[" + event("tls-1", "c-tls", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}") + "]")))
                .responseSingle((res, body) -> body.then(Mono.fromSupplier(() -> {
                    versions.add(res.version().text());
                    return res.status().code();
                })))
                .block(Duration.ofSeconds(30));

        assertThat(status).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(text.toString()).contains("event: enter").contains("\"contactId\":\"c-tls\""));
        assertThat(versions).containsOnly("HTTP/2.0").hasSize(2);

        // An HTTP/1.1 client over TLS on the same port (the Api client above is one too).
        String answered = http11().baseUrl(base).headers(h -> h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + tenant.key()))
                .get().uri("/v1/segments/vip")
                .responseSingle((res, body) -> body.asString().map(b -> res.version().text() + " " + res.status().code() + " " + b))
                .block(Duration.ofSeconds(30));
        assertThat(answered).startsWith("HTTP/1.1 200 ").contains("\"id\":\"vip\"");
    }
}
