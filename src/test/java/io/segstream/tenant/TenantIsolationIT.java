package io.segstream.tenant;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.BrowserSecurityTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import reactor.core.publisher.Flux;

/**
 * Two tenants with data of every kind (contacts, segments, events, keys, a session, a stream token,
 * change seqs and listing cursors). Tenant A's credentials (bearer key, session cookie, stream token),
 * given tenant B's ids on every {@code /v1} route, never reveal or change B's data: the answer is 404
 * (never 403: existence does not leak), the same answer an id nobody has gets, or A's own answer; B's
 * data is the same afterwards. A's change streams never carry a change of B.
 *
 * <p>The routes are read from the application: a {@code /v1} route this test has no probe for fails it.
 */
@BrowserSecurityTest
class TenantIsolationIT {

    private static final String AT = "2026-10-30T10:00:00Z";
    private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> SSE = new ParameterizedTypeReference<>() {};
    /** Names only B's data holds and no probe sends: none may appear in an answer to A. */
    private static final String B_SECRET_NAME = "Bs secret segment";
    private static final String B_HIDDEN_CONTACT = "b-hidden-contact";

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    Api api;
    Api.TestTenant a;
    Api.TestTenant b;
    String bKeyId;
    String bSession;
    String bStreamToken;
    String aSession;
    String aXsrf;
    String aStreamToken;
    long bLastSeq;
    String bMembersCursor;
    String bQueryCursor;

    /** Route keys ("GET /v1/segments/{id}") that a probe has run against. */
    final Set<String> covered = new TreeSet<>();

    @BeforeEach
    void setUp() {
        client = client.mutate().responseTimeout(Duration.ofSeconds(30)).build();
        api = new Api(client);
        a = api.newTenant();
        b = api.newTenant();
        // B: two segments, three contacts (two members), a key of its own, a session and a stream token.
        api.createSegment(b.key(), "{\"id\":\"b-only\",\"name\":\"" + B_SECRET_NAME + "\",\"rule\":{\"tag\":\"b-tag\"}}")
                .expectStatus().isCreated();
        api.createSegment(b.key(), "{\"id\":\"shared-id\",\"name\":\"" + B_SECRET_NAME + " 2\",\"rule\":{\"tag\":\"b-tag\"}}")
                .expectStatus().isCreated();
        api.postEvents(b.key(), "[" + event("b-e1", "b-c1", "contact.tagged", AT, "{\"tag\":\"b-tag\"}") + ","
                + event("b-e2", B_HIDDEN_CONTACT, "contact.tagged", AT, "{\"tag\":\"b-tag\"}") + ","
                + event("b-e3", "b-c3", "review.left", AT, "{\"rating\":5}") + "]").expectStatus().isAccepted();
        // A: a segment of its own with one member.
        api.createSegment(a.key(), "{\"id\":\"a-seg\",\"name\":\"A's\",\"rule\":{\"tag\":\"a-tag\"}}").expectStatus().isCreated();
        api.postEvents(a.key(), "[" + event("a-e1", "a-c1", "contact.tagged", AT, "{\"tag\":\"a-tag\"}") + "]")
                .expectStatus().isAccepted();
        api.awaitLive(b.key(), "b-only");
        api.awaitLive(b.key(), "shared-id");
        api.awaitLive(a.key(), "a-seg");

        Map<?, ?> key = admin().post().uri("/v1/admin/tenants/{t}/keys", b.id()).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("scopes", List.of("read"))).exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        bKeyId = (String) key.get("id");
        bSession = signIn(b.key())[0];
        String[] aSignIn = signIn(a.key());
        aSession = aSignIn[0];
        aXsrf = aSignIn[1];
        bStreamToken = streamToken(b.key());
        aStreamToken = streamToken(a.key());
        bLastSeq = db.sql("SELECT max(seq) FROM changes WHERE tenant_id = :t").bind("t", b.id())
                .map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(5));
        bMembersCursor = (String) api.get(b.key(), "/v1/segments/b-only/members?limit=1").expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody().get("nextCursor");
        bQueryCursor = (String) client.post().uri("/v1/query?limit=1").header(HttpHeaders.AUTHORIZATION, "Bearer " + b.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"all\":[{\"segment\":\"b-only\"}]}")
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody().get("nextCursor");
        assertThat(bMembersCursor).isNotNull();
        assertThat(bQueryCursor).isNotNull();
    }

    @Test
    void aTenantsCredentialsNeverRevealOrChangeAnotherTenantsData() {
        BSnapshot before = snapshot();

        // ---- ingest: B's event and contact ids are A's own new ones.
        probe("POST /v1/events", HttpMethod.POST, "/v1/events",
                "[" + event("b-e1", "b-c1", "contact.tagged", AT, "{\"tag\":\"a-tag\"}") + "]",
                r -> assertThat(r.getStatus().value()).isEqualTo(202));
        // ---- contacts
        probe("GET /v1/contacts/{contactId}", HttpMethod.GET, "/v1/contacts/b-c3", null, this::notFound);
        // ---- segments
        probe("GET /v1/segments", HttpMethod.GET, "/v1/segments", null, r -> assertThat(body(r)).contains("a-seg").doesNotContain("b-only"));
        probe("GET /v1/segments/{id}", HttpMethod.GET, "/v1/segments/b-only", null, this::notFound);
        probe("PUT /v1/segments/{id}", HttpMethod.PUT, "/v1/segments/b-only", "{\"name\":\"taken\",\"rule\":{\"tag\":\"x\"}}", this::notFound);
        probe("DELETE /v1/segments/{id}", HttpMethod.DELETE, "/v1/segments/b-only", null, this::notFound);
        // Another tenant's segment id is free in A (a 409 would tell that it exists somewhere).
        // (The second credential finds A's own segment of that id: 409.)
        probe("POST /v1/segments", HttpMethod.POST, "/v1/segments", "{\"id\":\"shared-id\",\"name\":\"A's own\",\"rule\":{\"tag\":\"a-tag\"}}",
                r -> assertThat(r.getStatus().value()).isIn(201, 409));
        api.get(a.key(), "/v1/segments/shared-id").expectStatus().isOk().expectBody().jsonPath("$.name").isEqualTo("A's own");
        // A rule naming B's segment is refused exactly like one naming a segment nobody has.
        int unknownRef = status(HttpMethod.POST, "/v1/segments", "{\"name\":\"x\",\"rule\":{\"segment\":\"no-such-segment\"}}");
        probe("POST /v1/segments", HttpMethod.POST, "/v1/segments", "{\"name\":\"x\",\"rule\":{\"segment\":\"b-only\"}}",
                r -> assertThat(r.getStatus().value()).isEqualTo(unknownRef).isBetween(400, 499));
        int unknownPreview = status(HttpMethod.POST, "/v1/segments/preview", "{\"rule\":{\"segment\":\"no-such-segment\"}}");
        probe("POST /v1/segments/preview", HttpMethod.POST, "/v1/segments/preview", "{\"rule\":{\"segment\":\"b-only\"}}",
                r -> assertThat(r.getStatus().value()).isEqualTo(unknownPreview).isBetween(400, 499));
        // A preview of a rule on B's tag counts A's contacts only: none.
        probe("POST /v1/segments/preview", HttpMethod.POST, "/v1/segments/preview", "{\"rule\":{\"tag\":\"b-tag\"}}",
                r -> assertThat(json(r)).containsEntry("count", 0).containsEntry("sample", List.of()));
        // ---- queries
        probe("GET /v1/segments/{id}/count", HttpMethod.GET, "/v1/segments/b-only/count", null, this::notFound);
        probe("GET /v1/segments/{id}/members", HttpMethod.GET, "/v1/segments/b-only/members", null, this::notFound);
        probe("GET /v1/segments/{id}/members", HttpMethod.GET, "/v1/segments/b-only/members", MediaType.APPLICATION_NDJSON, this::notFound);
        int unknownCursor = status(HttpMethod.GET, "/v1/segments/a-seg/members?cursor=" + otherSnapshot(bMembersCursor), null);
        probe("GET /v1/segments/{id}/members", HttpMethod.GET, "/v1/segments/a-seg/members?cursor=" + bMembersCursor, null,
                r -> assertThat(r.getStatus().value()).isEqualTo(unknownCursor).isBetween(400, 499));
        probe("GET /v1/segments/{id}/members", HttpMethod.GET, "/v1/segments/b-only/members?cursor=" + bMembersCursor, null,
                r -> assertThat(r.getStatus().value()).isBetween(400, 499));
        probe("GET /v1/segments/{id}/history", HttpMethod.GET, "/v1/segments/b-only/history", null, this::notFound);
        probe("GET /v1/segments/{id}/explain/{contactId}", HttpMethod.GET, "/v1/segments/b-only/explain/b-c1", null, this::notFound);
        probe("GET /v1/segments/{id}/explain/{contactId}", HttpMethod.GET, "/v1/segments/a-seg/explain/b-c3", null, this::notFound);
        probe("POST /v1/query", HttpMethod.POST, "/v1/query", "{\"all\":[{\"segment\":\"b-only\"}]}", this::notFound);
        probe("POST /v1/query", HttpMethod.POST, "/v1/query", "{\"any\":[{\"segment\":\"a-seg\"},{\"segment\":\"b-only\"}]}", this::notFound);
        probe("POST /v1/query", HttpMethod.POST, "/v1/query", "{\"all\":[{\"tag\":\"b-tag\"}]}",
                r -> assertThat(json(r)).containsEntry("count", 0).containsEntry("members", List.of()));
        int unknownQueryCursor = status(HttpMethod.POST, "/v1/query", "{\"cursor\":\"" + otherSnapshot(bQueryCursor) + "\"}");
        probe("POST /v1/query", HttpMethod.POST, "/v1/query", "{\"cursor\":\"" + bQueryCursor + "\"}",
                r -> assertThat(r.getStatus().value()).isEqualTo(unknownQueryCursor).isBetween(400, 499));
        // ---- change streams (their live content: aStreamNeverCarriesAChangeOfAnotherTenant)
        probe("GET /v1/segments/{id}/changes", HttpMethod.GET, "/v1/segments/b-only/changes", MediaType.TEXT_EVENT_STREAM, this::notFound);
        probe("GET /v1/changes", HttpMethod.GET, "/v1/changes?segment=b-only", MediaType.TEXT_EVENT_STREAM, this::notFound);
        probe("GET /v1/changes", HttpMethod.GET, "/v1/changes?segment=a-seg&segment=b-only", MediaType.TEXT_EVENT_STREAM, this::notFound);
        probe("POST /v1/stream-tokens", HttpMethod.POST, "/v1/stream-tokens", "{\"segments\":[\"b-only\"]}", this::notFound);
        for (String uri : List.of("/v1/segments/b-only/changes?access_token=" + aStreamToken,
                "/v1/changes?segment=b-only&access_token=" + aStreamToken)) {
            notFound(client.get().uri(uri).accept(MediaType.TEXT_EVENT_STREAM).exchange().expectBody().returnResult());
        }
        // B's stream token is B's credential: with A's bearer key it is ignored, and A sees only A's.
        notFound(client.get().uri("/v1/segments/b-only/changes?access_token=" + bStreamToken)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + a.key()).accept(MediaType.TEXT_EVENT_STREAM)
                .exchange().expectBody().returnResult());
        // ---- sessions: signing out with A's key and B's cookie ends nothing of B's.
        probe("DELETE /v1/sessions/current", HttpMethod.DELETE, "/v1/sessions/current", null,
                r -> assertThat(r.getStatus().value()).isIn(204, 404));
        client.delete().uri("/v1/sessions/current").header(HttpHeaders.AUTHORIZATION, "Bearer " + a.key())
                .cookie(SessionCookies.NAME, bSession).exchange().expectStatus().value(s -> assertThat(s).isIn(204, 404));
        client.get().uri("/v1/segments").cookie(SessionCookies.NAME, bSession).exchange()
                .expectStatus().isOk().expectBody(String.class).value(s -> assertThat(s).contains("b-only"));
        // Signing in names the key's own tenant only (a key is the credential; A's key never opens a session of B).
        probe("POST /v1/sessions", HttpMethod.POST, "/v1/sessions", "{\"key\":\"" + a.key() + "\"}",
                r -> assertThat(json(r)).containsEntry("tenant", a.id()));
        // ---- administration: a tenant key is no admin key, whichever tenant is named.
        int adminUnknown = adminStatus(HttpMethod.DELETE, "/v1/admin/tenants/no-such-tenant/keys/no-such-key", null);
        probe("GET /v1/admin/tenants/{tenant}", HttpMethod.GET, "/v1/admin/tenants/" + b.id(), null, this::unauthorized);
        probe("POST /v1/admin/tenants/{tenant}/keys", HttpMethod.POST, "/v1/admin/tenants/" + b.id() + "/keys",
                "{\"scopes\":[\"read\"]}", this::unauthorized);
        probe("DELETE /v1/admin/tenants/{tenant}/keys/{keyId}", HttpMethod.DELETE,
                "/v1/admin/tenants/" + b.id() + "/keys/" + bKeyId, null, this::unauthorized);
        probe("POST /v1/admin/tenants", HttpMethod.POST, "/v1/admin/tenants",
                "{\"id\":\"" + b.id() + "\",\"name\":\"mine now\",\"timeZone\":\"UTC\"}", this::unauthorized);
        assertThat(adminUnknown).isEqualTo(401);

        // Every /v1 route of the application has been probed.
        assertThat(covered).as("routes with an isolation probe").containsAll(routes());
        // B's data is as it was.
        assertThat(snapshot()).isEqualTo(before);
        admin().get().uri("/v1/admin/tenants/{t}", b.id()).exchange().expectStatus().isOk();
        api.get(api.key(b.id(), List.of("read")), "/v1/segments/b-only").expectStatus().isOk();
        client.get().uri("/v1/segments").cookie(SessionCookies.NAME, bSession).exchange().expectStatus().isOk();
    }

    @Test
    void aStreamNeverCarriesAChangeOfAnotherTenant() {
        List<Flux<ServerSentEvent<Map<String, Object>>>> streams = new ArrayList<>();
        // A's streams: bearer (every segment, replaying from B's seqs), session cookie, stream token.
        streams.add(stream(client.get().uri("/v1/changes?after=" + Math.max(0, bLastSeq - 2))
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + a.key())));
        streams.add(stream(client.get().uri("/v1/changes").header(HttpHeaders.AUTHORIZATION, "Bearer " + a.key())
                .header("Last-Event-ID", Long.toString(bLastSeq))));
        streams.add(stream(client.get().uri("/v1/segments/a-seg/changes").header(HttpHeaders.AUTHORIZATION, "Bearer " + a.key())));
        streams.add(stream(client.get().uri("/v1/changes").cookie(SessionCookies.NAME, aSession)));
        streams.add(stream(client.get().uri("/v1/changes?after=0&access_token=" + aStreamToken)));
        // Each stream is read until A's sentinel change arrives; every change before it must be A's.
        String sentinel = "a-sentinel";
        List<CompletableFuture<List<ServerSentEvent<Map<String, Object>>>>> received = new ArrayList<>();
        for (var s : streams) {
            received.add(s.filter(e -> "enter".equals(e.event()) || "exit".equals(e.event()) || "reset".equals(e.event()))
                    .takeUntil(e -> e.data() != null && sentinel.equals(e.data().get("contactId")))
                    .collectList().toFuture());
        }
        // The streams are open (their connected comment arrived before stream() returned); now B changes.
        StringBuilder bEvents = new StringBuilder("[");
        for (int i = 0; i < 20; i++) {
            bEvents.append(i == 0 ? "" : ",").append(event("b-live-" + i, "b-live-c" + i, "contact.tagged", AT, "{\"tag\":\"b-tag\"}"));
        }
        api.postEvents(b.key(), bEvents.append("]").toString()).expectStatus().isAccepted();
        api.postEvents(b.key(), "[" + event("b-live-x", "b-c1", "contact.untagged", "2026-10-30T11:00:00Z", "{\"tag\":\"b-tag\"}") + "]")
                .expectStatus().isAccepted();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> api.get(b.key(), "/v1/segments/b-only/count")
                .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody().get("count").equals(21));
        // Then A's changes, the sentinel last: enough of them that its seq passes B's seqs the streams resumed from.
        StringBuilder aEvents = new StringBuilder("[");
        for (int i = 0; i < 30; i++) {
            aEvents.append(event("a-fill-" + i, "a-fill-c" + i, "contact.tagged", AT, "{\"tag\":\"a-tag\"}")).append(',');
        }
        aEvents.append(event("a-sentinel-e", sentinel, "contact.tagged", AT, "{\"tag\":\"a-tag\"}")).append(']');
        assertThat(bLastSeq).isLessThan(30);
        api.postEvents(a.key(), aEvents.toString()).expectStatus().isAccepted();
        for (int i = 0; i < received.size(); i++) {
            List<ServerSentEvent<Map<String, Object>>> events = received.get(i).orTimeout(30, TimeUnit.SECONDS).join();
            assertThat(events).as("stream %d ends with A's sentinel", i).isNotEmpty();
            assertThat(events.get(events.size() - 1).data()).containsEntry("contactId", sentinel);
            for (var e : events) {
                assertThat(e.event()).as("stream %d: %s", i, e).isIn("enter", "exit");
                assertThat(e.data().get("segment")).as("stream %d: %s", i, e).isEqualTo("a-seg");
                assertThat((String) e.data().get("contactId")).as("stream %d: %s", i, e).startsWith("a-");
            }
        }
    }

    // ---- probes

    /** Sends the request with each of A's credentials that may call it, checks each answer, marks the route covered. */
    private void probe(String route, HttpMethod method, String uri, Object bodyOrAccept,
            Consumer<EntityExchangeResult<byte[]>> check) {
        covered.add(route);
        String body = bodyOrAccept instanceof String s ? s : null;
        MediaType accept = bodyOrAccept instanceof MediaType m ? m : null;
        List<WebTestClient.RequestBodySpec> requests = new ArrayList<>();
        requests.add(client.method(method).uri(uri).header(HttpHeaders.AUTHORIZATION, "Bearer " + a.key()));
        boolean signIn = route.equals("POST /v1/sessions");
        boolean adminRoute = route.contains("/v1/admin");
        if (!signIn) {
            // A's session cookie, with the CSRF token an unsafe method needs.
            WebTestClient.RequestBodySpec cookie = client.method(method).uri(uri).cookie(SessionCookies.NAME, aSession);
            if (method != HttpMethod.GET) cookie = cookie.cookie("XSRF-TOKEN", aXsrf).header("X-XSRF-TOKEN", aXsrf);
            if (route.equals("DELETE /v1/sessions/current")) {
                // A signs out with B's cookie beside A's key: nothing of B's ends (A's own cookie would end A's session).
                cookie = client.method(method).uri(uri).header(HttpHeaders.AUTHORIZATION, "Bearer " + a.key())
                        .cookie(SessionCookies.NAME, bSession);
            }
            if (!adminRoute) requests.add(cookie);
        }
        for (WebTestClient.RequestBodySpec request : requests) {
            if (accept != null) request.accept(accept);
            WebTestClient.RequestHeadersSpec<?> spec = body == null ? request
                    : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
            EntityExchangeResult<byte[]> result = spec.exchange().expectBody().returnResult();
            String text = body(result);
            assertThat(result.getStatus().value()).as("%s %s: never 403 (it would tell that B's id exists)", method, uri)
                    .isNotEqualTo(403);
            assertThat(text).as("%s %s answers nothing of B's", method, uri)
                    .doesNotContain(B_SECRET_NAME).doesNotContain(B_HIDDEN_CONTACT);
            if (!uri.contains(b.id()) && (body == null || !body.contains(b.id()))) {
                assertThat(text).as("%s %s never names B", method, uri).doesNotContain(b.id());
            }
            check.accept(result);
        }
    }

    private void notFound(EntityExchangeResult<byte[]> r) {
        assertThat(r.getStatus().value()).as(r.getUrl() + ": " + body(r)).isEqualTo(404);
        assertThat(r.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    }

    private void unauthorized(EntityExchangeResult<byte[]> r) {
        assertThat(r.getStatus().value()).as(r.getUrl() + ": " + body(r)).isEqualTo(401);
    }

    private int status(HttpMethod method, String uri, String body) {
        WebTestClient.RequestBodySpec request = client.method(method).uri(uri).header(HttpHeaders.AUTHORIZATION, "Bearer " + a.key());
        return (body == null ? request : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body))
                .exchange().expectBody().returnResult().getStatus().value();
    }

    private int adminStatus(HttpMethod method, String uri, String body) {
        return client.method(method).uri(uri).header(HttpHeaders.AUTHORIZATION, "Bearer " + a.key())
                .exchange().expectBody().returnResult().getStatus().value();
    }

    /** The application's {@code /v1} routes as "METHOD pattern". */
    private Set<String> routes() {
        Set<String> out = new TreeSet<>();
        for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
            for (var pattern : info.getPatternsCondition().getPatterns()) {
                String path = pattern.getPatternString();
                if (!path.startsWith("/v1")) continue;
                for (RequestMethod m : info.getMethodsCondition().getMethods()) out.add(m.name() + " " + path);
            }
        }
        assertThat(out).as("the application's /v1 routes").hasSizeGreaterThan(15);
        return out;
    }

    /** The same cursor naming a snapshot nobody has (well formed, so only its snapshot differs). */
    private static String otherSnapshot(String cursor) {
        String decoded = new String(java.util.Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.UTF_8);
        String[] p = decoded.split(":");
        String flipped = "v1:" + "0".repeat(20) + ":" + p[2];
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(flipped.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    // ---- B's data

    /** What B has: segments as listed, contacts, the count and members, stored events, live keys and sessions. */
    record BSnapshot(Object segments, Object contact1, Object contact3, Object count, Object members, long events,
            long liveKeys, long liveSessions) {}

    private BSnapshot snapshot() {
        Map<?, ?> count = api.get(b.key(), "/v1/segments/b-only/count").expectStatus().isOk().expectBody(Map.class)
                .returnResult().getResponseBody();
        Map<?, ?> members = api.get(b.key(), "/v1/segments/b-only/members").expectStatus().isOk().expectBody(Map.class)
                .returnResult().getResponseBody();
        return new BSnapshot(
                api.get(b.key(), "/v1/segments").expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody(),
                api.get(b.key(), "/v1/contacts/b-c1").expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody(),
                api.get(b.key(), "/v1/contacts/b-c3").expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody(),
                count.get("count"), members.get("members"),
                count("SELECT count(*) FROM events WHERE tenant_id = :t"),
                count("SELECT count(*) FROM api_keys WHERE tenant_id = :t AND revoked_at IS NULL"),
                count("SELECT count(*) FROM sessions WHERE tenant_id = :t AND ended_at IS NULL"));
    }

    private long count(String sql) {
        return db.sql(sql).bind("t", b.id()).map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(5));
    }

    // ---- helpers

    private String[] signIn(String key) {
        var result = client.post().uri("/v1/sessions").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("key", key))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult();
        return new String[] {result.getResponseCookies().getFirst(SessionCookies.NAME).getValue(),
            result.getResponseCookies().getFirst("XSRF-TOKEN").getValue()};
    }

    private String streamToken(String key) {
        return (String) client.post().uri("/v1/stream-tokens").header(HttpHeaders.AUTHORIZATION, "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody().get("token");
    }

    /** An open stream: returns once the server has sent its first frame (the stream is subscribed). */
    private Flux<ServerSentEvent<Map<String, Object>>> stream(WebTestClient.RequestHeadersSpec<?> spec) {
        Flux<ServerSentEvent<Map<String, Object>>> body = spec.accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk().returnResult(SSE).getResponseBody().replay().autoConnect(0);
        body.next().block(Duration.ofSeconds(10)); // ": connected"
        return body;
    }

    private WebTestClient admin() {
        return client.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + Api.ADMIN_KEY).build();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> json(EntityExchangeResult<byte[]> r) {
        assertThat(r.getStatus().is2xxSuccessful()).as(r.getUrl() + ": " + body(r)).isTrue();
        return new tools.jackson.databind.json.JsonMapper().readValue(r.getResponseBody(), Map.class);
    }

    private static String body(EntityExchangeResult<byte[]> r) {
        return r.getResponseBody() == null ? "" : new String(r.getResponseBody(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
