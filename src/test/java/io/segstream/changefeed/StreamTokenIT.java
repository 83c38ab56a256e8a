package io.segstream.changefeed;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.support.Api;
import io.segstream.support.BrowserSecurityTest;
import io.segstream.support.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

@BrowserSecurityTest
@ExtendWith(OutputCaptureExtension.class)
class StreamTokenIT {

    private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> SSE = new ParameterizedTypeReference<>() {};

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    MutableClock clock;

    Api api;
    Api.TestTenant tenant;

    @BeforeEach
    void setUp() {
        client = client.mutate().responseTimeout(java.time.Duration.ofSeconds(30)).build(); // a loaded CI machine
        api = new Api(client);
        tenant = api.newTenant();
        for (String tag : List.of("vip", "gold")) {
            api.createSegment(tenant.key(), "{\"id\":\"" + tag + "\",\"name\":\"" + tag + "\",\"rule\":{\"tag\":\"" + tag + "\"}}")
                    .expectStatus().isCreated();
            api.awaitLive(tenant.key(), tag);
        }
    }

    @Test
    void aTokenStreamsItsSegmentsChangesLive() {
        Map<?, ?> minted = mint(tenant.key(), "{\"segments\":[\"vip\"]}");
        String token = (String) minted.get("token");
        assertThat(java.time.Instant.parse((String) minted.get("expiresAt")))
                .isEqualTo(clock.instant().plus(Duration.ofMinutes(15)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        var events = client.get().uri("/v1/segments/vip/changes?access_token={t}", token)
                .accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("Cache-Control", "no-cache")
                .returnResult(SSE).getResponseBody()
                .filter(e -> e.event() != null).take(2).collectList().toFuture();
        tag("e1", "c1", "vip", true);
        tag("e2", "c1", "vip", false);
        var list = events.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(list).extracting(ServerSentEvent::event).containsExactly("enter", "exit");
        assertThat(list.get(0).data()).containsEntry("segment", "vip").containsEntry("contactId", "c1");
    }

    @Test
    void onAllChangesARestrictedTokenSeesOnlyItsSegmentsAndOthersAre404() {
        tag("g1", "c1", "gold", true);
        tag("v1", "c2", "vip", true);
        tag("g2", "c3", "gold", true);
        tag("v2", "c4", "vip", true);
        String token = (String) mint(tenant.key(), "{\"segments\":[\"vip\"],\"ttl\":\"5m\"}").get("token");
        List<ServerSentEvent<Map<String, Object>>> replayed = client.get()
                .uri("/v1/changes?after=0&access_token={t}", token)
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(SSE).getResponseBody().filter(e -> e.event() != null).take(2)
                .collectList().block(Duration.ofSeconds(10));
        assertThat(replayed).extracting(e -> e.data().get("segment")).containsExactly("vip", "vip");
        assertThat(replayed).extracting(e -> e.data().get("contactId")).containsExactly("c2", "c4");

        stream("/v1/segments/gold/changes?access_token={t}", token).expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        stream("/v1/changes?segment=gold&access_token={t}", token).expectStatus().isNotFound();
        stream("/v1/changes?segment=vip&segment=gold&access_token={t}", token).expectStatus().isNotFound();
    }

    @Test
    void aTokenForEverySegmentReadsEveryStream() {
        tag("g1", "c1", "gold", true);
        String token = (String) mint(tenant.key(), "{}").get("token");
        var result = client.get().uri("/v1/segments/gold/changes?after=0&access_token={t}", token)
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(SSE);
        assertThat(result.getResponseCookies()).as("a stream token's answer sets no cookie").isEmpty();
        var first = result.getResponseBody().filter(e -> e.event() != null).next().block(Duration.ofSeconds(10));
        assertThat(first.data()).containsEntry("segment", "gold").containsEntry("contactId", "c1");
    }

    @Test
    void expiredTamperedAndMisplacedTokensAre401() {
        String token = (String) mint(tenant.key(), "{\"ttl\":\"1m\"}").get("token");
        int dot = token.indexOf('.');
        char flipped = token.charAt(dot - 2) == 'A' ? 'B' : 'A';
        String tamperedPayload = token.substring(0, dot - 2) + flipped + token.substring(dot - 1);
        String tamperedSignature = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
        for (String bad : List.of(tamperedPayload, tamperedSignature, "garbage", token + "." + token)) {
            stream("/v1/segments/vip/changes?access_token={t}", bad).expectStatus().isUnauthorized()
                    .expectBody().jsonPath("$.type").isEqualTo("urn:segstream:problem:unauthorized");
        }
        // Anywhere but a change stream a token authenticates nothing.
        client.get().uri("/v1/segments?access_token={t}", token).exchange().expectStatus().isUnauthorized();
        client.get().uri("/v1/segments/vip/count?access_token={t}", token).exchange().expectStatus().isUnauthorized();
        client.post().uri("/v1/stream-tokens?access_token={t}", token).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}").exchange().expectStatus().isUnauthorized();

        assertThat(status("/v1/segments/vip/changes?access_token={t}", token)).isEqualTo(200);
        clock.advance(Duration.ofSeconds(61));
        stream("/v1/segments/vip/changes?access_token={t}", token).expectStatus().isUnauthorized();
    }

    @Test
    void tokensOfARevokedKeyStopWithinFiveSeconds() {
        Map<?, ?> created = client.post().uri("/v1/admin/tenants/{t}/keys", tenant.id())
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + Api.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("scopes", List.of("read")))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        String token = (String) mint((String) created.get("key"), "{}").get("token");
        assertThat(status("/v1/segments/vip/changes?access_token={t}", token)).isEqualTo(200);
        db.sql("UPDATE api_keys SET revoked_at = now() WHERE id = :id").bind("id", created.get("id"))
                .then().block(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(250))
                .until(() -> status("/v1/segments/vip/changes?access_token={t}", token) == 401);
    }

    @Test
    void mintingChecksScopeSegmentsAndTtl() {
        client.post().uri("/v1/stream-tokens").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"ttl\":\"61m\"}").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/ttl");
        client.post().uri("/v1/stream-tokens").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"ttl\":\"soon\"}").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/ttl");
        client.post().uri("/v1/stream-tokens").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"segments\":[\"vip\",\"nope\"]}").exchange()
                .expectStatus().isNotFound();
        var other = api.newTenant();
        client.post().uri("/v1/stream-tokens").header(HttpHeaders.AUTHORIZATION, "Bearer " + other.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"segments\":[\"vip\"]}").exchange()
                .expectStatus().isNotFound();
        String ingestOnly = api.key(tenant.id(), List.of("ingest"));
        client.post().uri("/v1/stream-tokens").header(HttpHeaders.AUTHORIZATION, "Bearer " + ingestOnly)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange()
                .expectStatus().isForbidden();
        assertThat(mint(tenant.key(), "{\"ttl\":\"1h\"}").get("token")).isNotNull();
    }

    @Test
    void tokensNeverAppearInTheOutputOrInProblems(CapturedOutput output) {
        String token = (String) mint(tenant.key(), "{\"segments\":[\"vip\"]}").get("token");
        byte[] problem = client.get().uri("/v1/segments/vip/count?access_token={t}", token).exchange()
                .expectStatus().isUnauthorized().expectBody().returnResult().getResponseBody();
        byte[] notFound = stream("/v1/segments/gold/changes?access_token={t}", token)
                .expectStatus().isNotFound().expectBody().returnResult().getResponseBody();
        var first = client.get().uri("/v1/segments/vip/changes?after=0&access_token={t}", token)
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(SSE).getResponseBody().take(1).collectList().block(Duration.ofSeconds(10));
        assertThat(first).isNotEmpty();
        assertThat(new String(problem, java.nio.charset.StandardCharsets.UTF_8)).contains("unauthorized").doesNotContain(token);
        assertThat(new String(notFound, java.nio.charset.StandardCharsets.UTF_8)).contains("not-found").doesNotContain(token);
        String signature = token.substring(token.indexOf('.') + 1);
        assertThat(output.getAll()).doesNotContain(token).doesNotContain(signature);
    }

    private Map<?, ?> mint(String key, String body) {
        return client.post().uri("/v1/stream-tokens").header(HttpHeaders.AUTHORIZATION, "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    }

    /** The status of a change stream request; an opened stream is read up to its first frame and closed. */
    private int status(String uri, String token) {
        var result = client.get().uri(uri, token).accept(MediaType.TEXT_EVENT_STREAM).exchange().returnResult(SSE);
        int status = result.getStatus().value();
        if (status == 200) result.getResponseBody().take(1).blockLast(Duration.ofSeconds(10));
        return status;
    }

    /** A change stream request that is refused (a problem body, read whole). */
    private WebTestClient.ResponseSpec stream(String uri, String token) {
        return client.get().uri(uri, token).accept(MediaType.TEXT_EVENT_STREAM).exchange();
    }

    private void tag(String id, String contact, String tag, boolean on) {
        api.postEvents(tenant.key(), "[" + event(id, contact, on ? "contact.tagged" : "contact.untagged",
                "2026-10-01T00:00:00Z", "{\"tag\":\"" + tag + "\"}") + "]").expectStatus().isAccepted();
    }
}
