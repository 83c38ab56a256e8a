package io.segstream.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.support.Api;
import io.segstream.support.BrowserSecurityTest;
import io.segstream.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

@BrowserSecurityTest
class SessionIT {

    private static final String SEGMENT = "{\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}";

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
    }

    @Test
    void signInAnswersTheSessionAndSetsAnHttpOnlyStrictCookieThatAuthenticates() {
        Instant now = clock.instant();
        EntityExchangeResult<Map> result = signIn(tenant.key());
        assertThat(result.getResponseBody()).containsEntry("tenant", tenant.id())
                .containsEntry("scopes", List.of("ingest", "manage", "read"))
                .containsEntry("expiresAt", now.plus(Duration.ofHours(12)).toString());
        ResponseCookie cookie = result.getResponseCookies().getFirst("segstream_session");
        assertThat(cookie).isNotNull();
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Strict");
        assertThat(cookie.getPath()).isEqualTo("/");
        assertThat(cookie.isSecure()).as("plain HTTP here").isFalse();
        assertThat(cookie.getValue()).hasSizeGreaterThanOrEqualTo(40).doesNotContain(tenant.key());
        // The CSRF cookie comes with it, readable by the page's script.
        ResponseCookie xsrf = result.getResponseCookies().getFirst("XSRF-TOKEN");
        assertThat(xsrf).isNotNull();
        assertThat(xsrf.isHttpOnly()).isFalse();
        assertThat(xsrf.getValue()).isNotEmpty();

        client.get().uri("/v1/segments").cookie("segstream_session", cookie.getValue()).exchange()
                .expectStatus().isOk();
        // Only a hash of the id is stored.
        Long stored = db.sql("SELECT count(*) FROM sessions WHERE id_hash = :h OR id_hash = :v")
                .bind("h", ApiKeys.hash(cookie.getValue())).bind("v", cookie.getValue())
                .map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(5));
        assertThat(stored).isEqualTo(1);
    }

    @Test
    void aSessionHasItsKeysScopesOnly() {
        String readOnly = api.key(tenant.id(), List.of("read"));
        Session s = session(readOnly);
        s.get("/v1/segments").expectStatus().isOk();
        s.post("/v1/segments", SEGMENT, true).expectStatus().isForbidden()
                .expectBody().jsonPath("$.type").isEqualTo("urn:segstream:problem:forbidden");
    }

    @Test
    void unknownKeyOrNoKeyIs401Problem() {
        var rejected = client.post().uri("/v1/sessions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("key", "sgs_nope_nope")).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:segstream:problem:unauthorized")
                .returnResult();
        assertThat(rejected.getResponseCookies().getFirst("segstream_session")).isNull();
        client.post().uri("/v1/sessions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("key", Api.ADMIN_KEY)).exchange()
                .expectStatus().isUnauthorized();
        client.post().uri("/v1/sessions").contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of()).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/key");
        client.get().uri("/v1/segments").cookie("segstream_session", "made-up").exchange()
                .expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.type").isEqualTo("urn:segstream:problem:unauthorized");
    }

    @Test
    void signOutEndsTheSessionAtOnceAndClearsTheCookie() {
        Session s = session(tenant.key());
        s.get("/v1/segments").expectStatus().isOk();
        var out = client.delete().uri("/v1/sessions/current").cookie("segstream_session", s.id)
                .cookie("XSRF-TOKEN", s.xsrf).header("X-XSRF-TOKEN", s.xsrf).exchange()
                .expectStatus().isNoContent().returnResult(Void.class);
        ResponseCookie cleared = out.getResponseCookies().getFirst("segstream_session");
        assertThat(cleared).isNotNull();
        assertThat(cleared.getMaxAge()).isEqualTo(Duration.ZERO);
        assertThat(cleared.getValue()).isEmpty();
        s.get("/v1/segments").expectStatus().isUnauthorized();
    }

    @Test
    void aSessionEndsWithinFiveSecondsOfItsKeysRevocation() {
        Map<?, ?> created = client.post().uri("/v1/admin/tenants/{t}/keys", tenant.id())
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + Api.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("scopes", List.of("read")))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        Session s = session((String) created.get("key"));
        s.get("/v1/segments").expectStatus().isOk();
        // Revoked behind this instance's back, as another instance would: only the cache delays it.
        db.sql("UPDATE api_keys SET revoked_at = now() WHERE id = :id").bind("id", created.get("id"))
                .then().block(Duration.ofSeconds(5));
        long revokedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(250))
                .until(() -> s.get("/v1/segments").returnResult(Void.class).getStatus().value() == 401);
        assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void anExpiredSessionNoLongerAuthenticates() {
        Session s = session(tenant.key());
        s.get("/v1/segments").expectStatus().isOk();
        clock.advance(Duration.ofHours(12).plusSeconds(1));
        try {
            s.get("/v1/segments").expectStatus().isUnauthorized();
        } finally {
            clock.advance(Duration.ofSeconds(1)); // the clock only moves forward; later tests sign in anew
        }
    }

    @Test
    void cookieAuthenticatedUnsafeRequestsNeedTheCsrfHeader() {
        Session s = session(tenant.key());
        s.post("/v1/segments", SEGMENT, false).expectStatus().isForbidden()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:segstream:problem:forbidden")
                .jsonPath("$.status").isEqualTo(403);
        client.post().uri("/v1/segments").cookie("segstream_session", s.id).cookie("XSRF-TOKEN", s.xsrf)
                .header("X-XSRF-TOKEN", s.xsrf + "x").contentType(MediaType.APPLICATION_JSON).bodyValue(SEGMENT)
                .exchange().expectStatus().isForbidden();
        s.post("/v1/segments", SEGMENT, true).expectStatus().isCreated();
        // Signing out is unsafe too.
        client.delete().uri("/v1/sessions/current").cookie("segstream_session", s.id).exchange()
                .expectStatus().isForbidden();
        // A bearer key needs no CSRF token, even beside a session cookie.
        client.post().uri("/v1/segments").cookie("segstream_session", s.id)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(SEGMENT)
                .exchange().expectStatus().isCreated();
    }

    @Test
    void aSessionGetIssuesTheCsrfCookieWhenItIsMissing() {
        Session s = session(tenant.key());
        var answer = client.get().uri("/v1/segments").cookie("segstream_session", s.id).exchange()
                .expectStatus().isOk().returnResult(Void.class);
        assertThat(answer.getResponseCookies().getFirst("XSRF-TOKEN")).isNotNull();
        var bearer = api.get(tenant.key(), "/v1/segments").expectStatus().isOk().returnResult(Void.class);
        assertThat(bearer.getResponseCookies()).as("API clients get no cookies").isEmpty();
    }

    @SuppressWarnings("rawtypes")
    private EntityExchangeResult<Map> signIn(String key) {
        return client.post().uri("/v1/sessions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("key", key)).exchange()
                .expectStatus().isCreated()
                .expectBody(Map.class).returnResult();
    }

    private Session session(String key) {
        var result = signIn(key);
        return new Session(result.getResponseCookies().getFirst("segstream_session").getValue(),
                result.getResponseCookies().getFirst("XSRF-TOKEN").getValue());
    }

    /** A signed-in browser: its session cookie and CSRF token. */
    private final class Session {
        final String id;
        final String xsrf;

        Session(String id, String xsrf) {
            this.id = id;
            this.xsrf = xsrf;
        }

        WebTestClient.ResponseSpec get(String uri) {
            return client.get().uri(uri).cookie("segstream_session", id).exchange();
        }

        WebTestClient.ResponseSpec post(String uri, String json, boolean withCsrf) {
            var spec = client.post().uri(uri).cookie("segstream_session", id).cookie("XSRF-TOKEN", xsrf);
            if (withCsrf) spec = spec.header("X-XSRF-TOKEN", xsrf);
            return spec.contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
        }
    }
}
