package io.segstream.ingest;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/**
 * Every bad input is a 4xx problem+json (with a pointer where it names a field), never a 5xx, and is
 * never rewritten: NUL characters and unpaired surrogates anywhere an event, a path, a query parameter
 * or a stored body carries a string; bodies that are not one JSON array; bodies cut off mid-upload.
 */
@IntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class BadInputIT {

    private static final String AT = "2026-11-01T10:00:00Z";

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @LocalServerPort
    int port;

    Api api;
    Api.TestTenant tenant;

    @BeforeEach
    void setUp() {
        api = new Api(client);
        tenant = api.newTenant();
    }

    /** JSON text escapes: NUL and a lone high surrogate, as a client would send them. */
    private static final String NUL = "\\u0000";
    private static final String LONE = "\\ud800";

    @ParameterizedTest
    @ValueSource(strings = {NUL, LONE})
    void anEventWithAnUnstorableStringIsRejectedAloneWithAPointer(String bad) {
        String good = event("ok", "c-ok", "contact.tagged", AT, "{\"tag\":\"fine\"}");
        List<String> bads = new java.util.ArrayList<>(List.of(
                event("e" + bad + "x", "c1", "x.y", AT, null),
                event("e1", "c" + bad + "x", "x.y", AT, null),
                event("e2", "c2", "contact.tagged", AT, "{\"tag\":\"v" + bad + "ip\"}"),
                event("e4", "c4", "x.y", AT, "{\"note\":\"a" + bad + "b\"}"),
                event("e5", "c5", "contact.updated", AT, "{\"attributes\":{\"name\":\"A" + bad + "\"}}"),
                event("e7", "c7", "x.y", AT, "{\"list\":[\"" + bad + "\"]}")));
        List<String> expected = new java.util.ArrayList<>(List.of("/id", "/contactId", "/properties/tag", "/properties/note",
                "/properties/attributes/name", "/properties/list/0"));
        if (bad.equals(NUL)) {
            // (The JSON parser itself refuses an unpaired surrogate in a property name: the whole body is 400.)
            bads.add(event("e3", "c3", "x.y", AT, "{\"k" + bad + "ey\":1}"));
            bads.add(event("e6", "c6", "contact.updated", AT, "{\"attributes\":{\"na" + bad + "me\":\"A\"}}"));
            expected.addAll(List.of("/properties", "/properties/attributes"));
        }
        Map<?, ?> body = api.postEvents(tenant.key(), "[" + good + "," + String.join(",", bads) + "]")
                .expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
        assertThat(body.get("accepted")).isEqualTo(1);
        List<Map<String, Object>> rejected = (List<Map<String, Object>>) body.get("rejected");
        assertThat(rejected).extracting(r -> ((Number) r.get("index")).intValue())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, bads.size()).boxed().toList());
        List<String> pointers = rejected.stream()
                .map(r -> (String) ((List<Map<String, Object>>) r.get("errors")).get(0).get("pointer")).toList();
        assertThat(pointers).containsExactlyElementsOf(expected);
        assertThat(storedEvents()).isEqualTo(1);
        assertThat(contacts()).containsExactly("c-ok");
    }

    @Test
    void aLoneSurrogateNeverBecomesAnotherContactsId() {
        // "c\ud800x" stored as "c?x" would merge two client ids into one contact.
        api.postEvents(tenant.key(), "[" + event("q", "c?x", "x.y", AT, null) + "," + event("s", "c" + LONE + "x", "x.y", AT, null) + "]")
                .expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(1)
                .jsonPath("$.rejected[0].index").isEqualTo(1);
        assertThat(contacts()).containsExactly("c?x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "null", "42", "\"text\"", "{}", "[][]", "[] []", "[]{}", "[]x"})
    void aBodyThatIsNotOneJsonArrayIs400(String body) {
        client.post().uri("/v1/events").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.status").isEqualTo(400);
        assertThat(storedEvents()).isZero();
    }

    @Test
    void anEmptyArrayIsAnEmptyBatchAndAnEmptyNdjsonBodyIs400() {
        api.postEvents(tenant.key(), " [ ] ").expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(0);
        api.postNdjson(tenant.key(), "\n").expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        // Brackets and braces inside strings do not end the array.
        api.postEvents(tenant.key(), "[" + event("b1", "c]1", "x.y", AT, "{\"s\":\"]}[{\\\"\"}") + "]")
                .expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(1);
    }

    @Test
    void unstorableStringsInPathsAndQueriesAre400ProblemJson() {
        raw("/v1/contacts/%00").expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/path/2");
        raw("/v1/segments/a%00b").expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        raw("/v1/segments/a/members?cursor=%00").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/query/cursor");
        raw("/v1/contacts/c%ED%A0%80x").expectStatus().isNotFound(); // invalid UTF-8 decodes to U+FFFD: no such contact
    }

    /** A GET of an already percent-encoded path (no template expansion, which would encode the % again). */
    private WebTestClient.ResponseSpec raw(String pathAndQuery) {
        return client.get().uri(java.net.URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key()).exchange();
    }

    @ParameterizedTest
    @ValueSource(strings = {NUL, LONE})
    void unstorableStringsInStoredBodiesAre400WithAPointer(String bad) {
        client.post().uri("/v1/admin/tenants").header(HttpHeaders.AUTHORIZATION, "Bearer " + Api.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"id\":\"t-nul-" + (bad.equals(NUL) ? "a" : "b") + "\",\"name\":\"Bad" + bad + "\",\"timeZone\":\"UTC\"}")
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/name");
        api.createSegment(tenant.key(), "{\"id\":\"s1\",\"name\":\"N" + bad + "\",\"rule\":{\"tag\":\"vip\"}}")
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/name");
        api.createSegment(tenant.key(), "{\"id\":\"s1\",\"name\":\"N\",\"rule\":{\"tag\":\"v" + bad + "\"}}")
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/rule/tag");
    }

    @Test
    void aBodyOverTheLimitCutOffMidUploadIs413WithoutABufferReleasedTwice(CapturedOutput output) {
        // Streamed in 16 KiB chunks with no Content-Length, past the 512 KB test limit.
        byte[] chunk = ("{\"id\":\"x\",\"note\":\"" + "z".repeat(16_000) + "\"},").getBytes();
        Flux<DataBuffer> body = Flux.concat(Flux.just("[".getBytes()), Flux.range(0, 64).map(i -> chunk))
                .map(DefaultDataBufferFactory.sharedInstance::wrap);
        WebClient web = Api.bearer(port, tenant.key());
        for (int i = 0; i < 5; i++) {
            Integer status = web.post().uri("/v1/events").contentType(MediaType.APPLICATION_JSON).body(body, DataBuffer.class)
                    .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value()))
                    .onErrorResume(e -> reactor.core.publisher.Mono.just(-1)) // the server may close while this client still sends
                    .block(Duration.ofSeconds(30));
            assertThat(status).isIn(413, -1);
        }
        api.postEvents(tenant.key(), "[" + event("after", "c1", "x.y", AT, null) + "]").expectStatus().isAccepted();
        assertThat(output.getAll()).doesNotContain("IllegalReferenceCountException");
        assertThat(output.getAll()).doesNotContain("LEAK:");
    }

    @Test
    void aBodyTheParserRefusesIs400WithoutABufferReleasedTwice(CapturedOutput output) {
        for (String body : List.of("[{\"k" + LONE + "ey\":1}]", "[{\"a\":}]", "[{\"a\":1}")) {
            api.postEvents(tenant.key(), body).expectStatus().isBadRequest()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
        api.postEvents(tenant.key(), "[" + event("after", "c1", "x.y", AT, null) + "]").expectStatus().isAccepted();
        assertThat(output.getAll()).doesNotContain("IllegalReferenceCountException");
    }

    @ParameterizedTest
    @ValueSource(strings = {"long-url", "large-header", "bad-escape"})
    void requestsNettyOrSpringCannotReadAreProblemJson(String kind) throws Exception {
        String request = switch (kind) {
            case "long-url" -> "GET /v1/segments/" + "a".repeat(65_536) + " HTTP/1.1\r\nHost: x\r\n\r\n";
            case "large-header" -> "GET /v1/segments HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(65_536) + "\r\n\r\n";
            default -> "GET /v1/contacts/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        };
        String response;
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(response).as(kind).matches("(?s)HTTP/1\\.1 4\\d\\d .*");
        assertThat(response.toLowerCase()).as(kind).contains("content-type: application/problem+json");
        assertThat(response).as(kind).contains("\"status\":4");
    }

    private long storedEvents() {
        return db.sql("SELECT count(*) FROM events WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(10));
    }

    private List<String> contacts() {
        return db.sql("SELECT contact_id FROM contacts WHERE tenant_id = :t ORDER BY contact_id").bind("t", tenant.id())
                .map(r -> r.get(0, String.class)).all().collectList().block(Duration.ofSeconds(10));
    }
}
