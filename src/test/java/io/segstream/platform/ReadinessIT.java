package io.segstream.platform;

import static io.segstream.support.Api.event;
import static org.awaitility.Awaitility.await;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Readiness means "can take ingest": with Redis gone (and the projection sweep failing) the instance
 * stays ready and stores events, while its queries answer 503 problem+json with Retry-After on their own.
 */
@IntegrationTest
class ReadinessIT {

    @Autowired
    WebTestClient client;

    @Autowired
    EmbeddedRedisServer embeddedRedis;

    @Test
    void aRedisOutageLeavesTheInstanceReadyAndItsQueriesAnswer503() throws Exception {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();

        embeddedRedis.stop();
        try {
            // Long enough for the Redis check to time out and for several projection sweeps to fail.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                    .until(() -> client.get().uri("/actuator/health/readiness").exchange()
                            .returnResult(String.class).getStatus().value() == 200);
            api.postEvents(tenant.key(), "[" + event("r1", "c1", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}") + "]")
                    .expectStatus().isAccepted();
            api.get(tenant.key(), "/v1/segments/vip/count").expectStatus().isEqualTo(503)
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectHeader().exists(HttpHeaders.RETRY_AFTER);
        } finally {
            embeddedRedis.start();
        }
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                api.get(tenant.key(), "/v1/segments/vip/count").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(1));
        client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
    }
}
