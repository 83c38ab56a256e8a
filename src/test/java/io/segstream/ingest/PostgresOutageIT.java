package io.segstream.ingest;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.platform.EmbeddedPostgresServer;
import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * PostgreSQL stops: ingestion answers 503 problem+json with Retry-After and acknowledges nothing it did
 * not store; when PostgreSQL is back the service recovers by itself (dead pooled connections are
 * validated away) and a retried batch is stored exactly once.
 */
@IntegrationTest
class PostgresOutageIT {

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    EmbeddedPostgresServer postgres;

    @Test
    void ingestionAnswers503DuringAnOutageAndRecoversByItself() throws Exception {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        String batch = "[" + IntStream.range(0, 20)
                .mapToObj(i -> event("pg" + i, "c" + i, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"x\"}"))
                .collect(Collectors.joining(",")) + "]";
        api.postEvents(tenant.key(), "[" + event("first", "c0", "x.y", "2026-01-01T00:00:00Z", null) + "]").expectStatus().isAccepted();

        postgres.stop();
        try {
            client.mutate().responseTimeout(Duration.ofSeconds(60)).build()
                    .post().uri("/v1/events").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(batch)
                    .exchange()
                    .expectStatus().isEqualTo(503)
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectHeader().exists(HttpHeaders.RETRY_AFTER);
        } finally {
            postgres.start();
        }
        // The client retries, as Retry-After says; the service reconnects on its own.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                client.post().uri("/v1/events").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(batch)
                        .exchange().returnResult(String.class).getStatus().value() == 202);
        api.postEvents(tenant.key(), batch).expectStatus().isAccepted().expectBody().jsonPath("$.duplicates").isEqualTo(20);
        long stored = db.sql("SELECT count(*) FROM events WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(10));
        assertThat(stored).isEqualTo(21);
    }
}
