package io.segstream.support;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** HTTP helpers for integration tests: fresh tenants with keys, and authorized requests. */
public final class Api {

    public static final String ADMIN_KEY = "test-admin-key";

    private final WebTestClient client;

    public Api(WebTestClient client) {
        this.client = client;
    }

    /**
     * An API client for a running instance at {@code baseUrl} (one outside the test's own context), with
     * the integration tests' client settings ({@link OneRequestPerConnection}).
     */
    public static Api at(String baseUrl) {
        return new Api(WebTestClient.bindToServer(new org.springframework.http.client.reactive.ReactorClientHttpConnector(
                        reactor.netty.http.client.HttpClient.create().keepAlive(false)))
                .baseUrl(baseUrl)
                .filter(OneRequestPerConnection.readWhole())
                .responseTimeout(Duration.ofSeconds(30))
                .build());
    }

    /**
     * A plain reactive client of the instance on {@code port} that sends {@code key} as its bearer key, for
     * tests that send many requests at once.
     */
    public static org.springframework.web.reactive.function.client.WebClient bearer(int port, String key) {
        return org.springframework.web.reactive.function.client.WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .defaultHeader(org.springframework.http.HttpHeaders.AUTHORIZATION, "Bearer " + key).build();
    }

    public WebTestClient client() {
        return client;
    }

    /** A new tenant with a key holding all scopes. */
    public TestTenant newTenant() {
        return newTenant("UTC");
    }

    public TestTenant newTenant(String timeZone) {
        String id = "t-" + UUID.randomUUID().toString().substring(0, 18);
        client.post().uri("/v1/admin/tenants")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("id", id, "name", "Test " + id, "timeZone", timeZone))
                .exchange()
                .expectStatus().isCreated();
        return new TestTenant(id, key(id, List.of("ingest", "read", "manage")));
    }

    /** A new key of the tenant with the given scopes. */
    @SuppressWarnings("unchecked")
    public String key(String tenantId, List<String> scopes) {
        Map<String, Object> body = client.post().uri("/v1/admin/tenants/{t}/keys", tenantId)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("scopes", scopes))
                .exchange()
                .expectStatus().isCreated()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();
        return (String) body.get("key");
    }

    public WebTestClient.ResponseSpec postEvents(String key, String json) {
        return client.post().uri("/v1/events")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json)
                .exchange();
    }

    public WebTestClient.ResponseSpec postNdjson(String key, String ndjson) {
        return client.post().uri("/v1/events")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + key)
                .contentType(MediaType.APPLICATION_NDJSON)
                .bodyValue(ndjson)
                .exchange();
    }

    public WebTestClient.ResponseSpec getContact(String key, String contactId) {
        return client.get().uri("/v1/contacts/{id}", contactId)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + key)
                .exchange();
    }

    public WebTestClient.ResponseSpec createSegment(String key, String json) {
        return client.post().uri("/v1/segments")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json)
                .exchange();
    }

    public WebTestClient.ResponseSpec get(String key, String uri, Object... vars) {
        return client.get().uri(uri, vars).header(HttpHeaders.AUTHORIZATION, "Bearer " + key).exchange();
    }

    /** Waits until the segment's build has finished ({@code status: live}). */
    public void awaitLive(String key, String segmentId, Duration atMost) {
        org.awaitility.Awaitility.await().atMost(atMost).until(() -> "live".equals(get(key, "/v1/segments/{id}", segmentId)
                .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody().get("status")));
    }

    public void awaitLive(String key, String segmentId) {
        awaitLive(key, segmentId, Duration.ofSeconds(20));
    }

    /** One event as JSON. */
    public static String event(String id, String contactId, String type, String occurredAt, String propertiesJson) {
        return "{\"id\":\"" + id + "\",\"contactId\":\"" + contactId + "\",\"type\":\"" + type
                + "\",\"occurredAt\":\"" + occurredAt + "\""
                + (propertiesJson == null ? "" : ",\"properties\":" + propertiesJson) + "}";
    }

    public record TestTenant(String id, String key) {}
}
