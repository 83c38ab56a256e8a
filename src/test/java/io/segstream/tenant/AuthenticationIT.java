package io.segstream.tenant;

import static io.segstream.support.Api.event;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

@IntegrationTest
class AuthenticationIT {

    @Autowired
    WebTestClient client;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(client);
    }

    @Test
    void requestWithoutKeyIs401Problem() {
        client.get().uri("/v1/contacts/c-1").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .expectBody().jsonPath("$.status").isEqualTo(401);
    }

    @Test
    void unknownKeyIs401() {
        api.getContact("sgs_nope_nope", "c-1").expectStatus().isUnauthorized();
    }

    @Test
    void keyWithoutScopeIs403() {
        var tenant = api.newTenant();
        String readOnly = api.key(tenant.id(), List.of("read"));
        String ingestOnly = api.key(tenant.id(), List.of("ingest"));
        api.postEvents(readOnly, "[" + event("e1", "c1", "x.y", "2026-01-01T00:00:00Z", null) + "]")
                .expectStatus().isForbidden()
                .expectBody().jsonPath("$.detail").value(d -> org.assertj.core.api.Assertions.assertThat((String) d).contains("ingest"));
        api.getContact(ingestOnly, "c1").expectStatus().isForbidden();
    }

    @Test
    void anotherTenantsContactIs404NotForbidden() {
        var a = api.newTenant();
        var b = api.newTenant();
        api.postEvents(a.key(), "[" + event("e1", "shared-looking", "x.y", "2026-01-01T00:00:00Z", null) + "]")
                .expectStatus().isAccepted();
        api.getContact(a.key(), "shared-looking").expectStatus().isOk();
        api.getContact(b.key(), "shared-looking").expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void theTenantComesFromTheKeyNeverFromTheRequest() {
        var a = api.newTenant();
        var b = api.newTenant();
        // Same event id in two tenants: each is new in its own tenant.
        String batch = "[" + event("same-id", "c1", "x.y", "2026-01-01T00:00:00Z", null) + "]";
        api.postEvents(a.key(), batch).expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(1);
        api.postEvents(b.key(), batch).expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(1);
    }

    @Test
    void adminEndpointsNeedTheAdminKey() {
        var tenant = api.newTenant();
        client.post().uri("/v1/admin/tenants").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("id", "x1", "name", "X", "timeZone", "UTC"))
                .exchange().expectStatus().isUnauthorized();
        client.post().uri("/v1/admin/tenants").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("id", "x1", "name", "X", "timeZone", "UTC"))
                .exchange().expectStatus().isUnauthorized();
    }

    @Test
    void existingTenantIdIs409AndInvalidTenantIs400WithPointers() {
        var tenant = api.newTenant();
        admin().post().uri("/v1/admin/tenants").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("id", tenant.id(), "name", "Again", "timeZone", "UTC"))
                .exchange().expectStatus().isEqualTo(409);
        admin().post().uri("/v1/admin/tenants").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("id", "Bad_Id", "timeZone", "Mars/Olympus"))
                .exchange().expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.errors[?(@.pointer == '/id')]").exists()
                .jsonPath("$.errors[?(@.pointer == '/name')]").exists()
                .jsonPath("$.errors[?(@.pointer == '/timeZone')]").exists();
    }

    @Test
    void revokedKeyIs401AndUnknownKeyIdIs404() {
        var tenant = api.newTenant();
        Map<?, ?> created = admin().post().uri("/v1/admin/tenants/{t}/keys", tenant.id())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("scopes", List.of("read")))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        String key = (String) created.get("key");
        api.getContact(key, "nobody").expectStatus().isNotFound();
        admin().delete().uri("/v1/admin/tenants/{t}/keys/{k}", tenant.id(), created.get("id"))
                .exchange().expectStatus().isNoContent();
        api.getContact(key, "nobody").expectStatus().isUnauthorized();
        admin().delete().uri("/v1/admin/tenants/{t}/keys/{k}", tenant.id(), "no-such-key")
                .exchange().expectStatus().isNotFound();
    }

    @Test
    void keysForUnknownTenantAre404AndBadScopesAre400() {
        admin().post().uri("/v1/admin/tenants/{t}/keys", "no-such-tenant")
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("scopes", List.of("read")))
                .exchange().expectStatus().isNotFound();
        var tenant = api.newTenant();
        admin().post().uri("/v1/admin/tenants/{t}/keys", tenant.id())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("scopes", List.of("read", "root")))
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/scopes/1");
    }

    @Test
    void devKeyOfDemoTenantWorksInEmbeddedMode() {
        api.postEvents("test-dev-key", "[" + event("dev-1", "demo-contact", "x.y", "2026-01-01T00:00:00Z", null) + "]")
                .expectStatus().isAccepted();
        api.getContact("test-dev-key", "demo-contact").expectStatus().isOk();
    }

    private WebTestClient admin() {
        return client.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + Api.ADMIN_KEY).build();
    }
}
