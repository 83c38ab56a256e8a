package io.segstream.segment;

import static io.segstream.support.Api.event;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A rule that uses a raised limit (here a string longer than the default 1,024 characters) is stored,
 * and every later batch of its tenant is evaluated against it: stored rules are read back without the
 * default limits (they were checked against the configured ones when written).
 */
@IntegrationTest
@TestPropertySource(properties = "segstream.segments.max-string-length=4000")
class StoredRuleLimitsIT {

    @Autowired
    WebTestClient client;

    @Test
    void aRuleWithinRaisedLimitsKeepsItsTenantIngesting() {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        String longText = "t".repeat(2000);
        api.createSegment(tenant.key(), "{\"id\":\"long\",\"name\":\"Long\",\"rule\":{\"attribute\":\"bio\",\"op\":\"eq\",\"value\":\""
                        + longText + "\"}}")
                .expectStatus().isCreated();
        api.awaitLive(tenant.key(), "long");
        api.postEvents(tenant.key(), "[" + event("e1", "c1", "contact.updated", "2026-01-01T00:00:00Z",
                        "{\"attributes\":{\"bio\":\"" + longText + "\"}}") + "]")
                .expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(1);
        api.get(tenant.key(), "/v1/segments/long").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(1);
        api.getContact(tenant.key(), "c1").expectStatus().isOk().expectBody().jsonPath("$.segments[0]").isEqualTo("long");
    }
}
