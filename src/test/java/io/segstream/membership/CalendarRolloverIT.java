package io.segstream.membership;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import io.segstream.support.Invariants;
import io.segstream.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * At the tenant's midnight on the first of a month every contact created last month leaves "created
 * this month" on its own, in timer batches, while ingestion goes on. The application clock is moved
 * across the boundary (Paris: 2026-11-01T00:00 is 2026-10-31T23:00Z).
 */
@IntegrationTest
@Import(MutableClock.Config.class)
class CalendarRolloverIT {

    private static final int CONTACTS = 1500;

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    ReactiveRedisConnectionFactory redis;

    @Autowired
    MutableClock clock;

    @Test
    void aMonthRolloverExitsEveryContactInBatchesWithoutStallingIngestion() {
        clock.set(Instant.parse("2026-10-31T22:58:00Z"));
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant("Europe/Paris");
        api.createSegment(tenant.key(), "{\"id\":\"new-this-month\",\"name\":\"Created this month\","
                + "\"rule\":{\"attribute\":\"createdAt\",\"op\":\"inCurrent\",\"value\":\"month\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "new-this-month");
        for (int batch = 0; batch < CONTACTS / 500; batch++) {
            int from = batch * 500;
            String body = "[" + IntStream.range(from, from + 500)
                    .mapToObj(i -> event("c" + i, "contact-" + i, "contact.created", "2026-10-31T22:00:00Z", null))
                    .collect(Collectors.joining(",")) + "]";
            api.postEvents(tenant.key(), body).expectStatus().isAccepted();
        }
        api.get(tenant.key(), "/v1/segments/new-this-month/count").expectBody().jsonPath("$.count").isEqualTo(CONTACTS);

        clock.set(Instant.parse("2026-10-31T23:00:00.200Z"));
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long t0 = System.nanoTime();
            api.postEvents(tenant.key(), "[" + event("other-" + i, "other-" + i, "message.opened", "2026-10-31T23:00:00Z", null) + "]")
                    .expectStatus().isAccepted();
            latencies.add((System.nanoTime() - t0) / 1_000_000);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> exits(tenant.id()) == CONTACTS);
        api.get(tenant.key(), "/v1/segments/new-this-month/count").expectBody().jsonPath("$.count").isEqualTo(10);
        assertThat(latencies).as("ingest request latencies (ms) during the rollover").allMatch(ms -> ms < 5_000);
        // Timers are claimed 500 at a time (segstream.timers.batch-size), so 1,500 exits took several
        // short transactions; none of the 10 contacts created after midnight left.
        assertThat(db.sql("SELECT count(*) FROM changes WHERE tenant_id = :t AND cause_kind = 'time' AND contact_id LIKE 'other-%'")
                .bind("t", tenant.id()).map(r -> r.get(0, Long.class)).one().block()).isZero();
        new Invariants(db, redis).check(tenant.id());
    }

    private long exits(String tenantId) {
        return db.sql("SELECT count(*) FROM changes WHERE tenant_id = :t AND key = 'seg:new-this-month' AND NOT bit AND cause_kind = 'time'")
                .bind("t", tenantId).map(r -> r.get(0, Long.class)).one().block();
    }
}
