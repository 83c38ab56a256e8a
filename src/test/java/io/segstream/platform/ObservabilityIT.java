package io.segstream.platform;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The metrics the operations kit names are exported for Prometheus, and none carries a tenant or contact id. */
@IntegrationTest
class ObservabilityIT {

    @Autowired
    WebTestClient client;

    @Test
    void prometheusExportsTheNamedMetricsWithLowCardinalityTags() {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        String contact = "obs-contact-" + tenant.id();
        api.postEvents(tenant.key(), "[" + event("obs-1", contact, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}") + ","
                + event("obs-1", contact, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}") + "]").expectStatus().isAccepted();

        // A change stream, opened and closed again: streams are not observed as HTTP requests (changefeed.StreamObservations).
        var stream = client.get().uri("/v1/segments/vip/changes").header("Authorization", "Bearer " + tenant.key())
                .accept(org.springframework.http.MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(new org.springframework.core.ParameterizedTypeReference<org.springframework.http.codec.ServerSentEvent<String>>() {});
        // its first frame is the ": connected" comment
        reactor.test.StepVerifier.create(stream.getResponseBody()).expectNextMatches(e -> e.comment() != null).thenCancel()
                .verify(java.time.Duration.ofSeconds(10));

        String scrape = client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        for (String metric : List.of("segstream_events_ingested_total", "segstream_events_rejected_total",
                "segstream_events_duplicate_total", "segstream_ingest_batch_size", "segstream_evaluation_seconds_bucket",
                "segstream_memberships_changed_total", "segstream_publish_latency_seconds_bucket", "segstream_sse_streams",
                "segstream_sse_latency_seconds_bucket", "segstream_projection_lag_changes", "segstream_timers_backlog",
                "segstream_projection_recoveries_total")) {
            assertThat(scrape).as(metric).containsPattern("(?m)^" + metric + "[_{ ]");
        }
        // The batch above went through every stage of an ingest transaction.
        for (String stage : List.of("open", "create", "fold", "write", "commit")) {
            assertThat(scrape).as(stage).containsPattern("(?m)^segstream_ingest_stage_seconds_count\\{[^}]*stage=\"" + stage + "\"[^}]*} [1-9]");
        }
        assertThat(scrape).as("HTTP requests are observed").containsPattern("(?m)^http_server_requests_seconds_count\\{[^}]*uri=\"/v1/events\"");
        assertThat(scrape).as("change streams are not").doesNotContain("uri=\"/v1/segments/{id}/changes\"");
        // Spring Security's per-filter observations are off (application.yml): each open change stream would hold them.
        assertThat(scrape).as("no Spring Security observation").doesNotContainPattern("(?m)^spring_security_");
        assertThat(scrape).as("no tenant id in any metric").doesNotContain(tenant.id());
        assertThat(scrape).as("no contact id in any metric").doesNotContain(contact);
        client.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
    }
}
