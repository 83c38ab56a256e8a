package io.segstream.query;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import io.segstream.support.Invariants;
import io.segstream.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** A segment's history from the change log, with the application clock moved between batches of events. */
@IntegrationTest
@Import(MutableClock.Config.class)
class HistoryIT {

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    ReactiveRedisConnectionFactory redis;

    @Autowired
    MutableClock clock;

    @Test
    @SuppressWarnings("unchecked")
    void historyWalksBackFromTheCurrentCountByStep() {
        // The tenant's creation is stamped by PostgreSQL: the application clock starts just after it.
        Instant t0 = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
        clock.set(t0);
        // The first requests of a fresh application on a busy machine can take longer than the default 5 s.
        Api api = new Api(client.mutate().responseTimeout(java.time.Duration.ofSeconds(30)).build());
        Api.TestTenant tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");

        clock.set(t0.plus(Duration.ofMinutes(10)));
        api.postEvents(tenant.key(), "[" + tag("e1", "c1", "contact.tagged") + "," + tag("e2", "c2", "contact.tagged") + ","
                + tag("e3", "c3", "contact.tagged") + "]").expectStatus().isAccepted();
        clock.set(t0.plus(Duration.ofMinutes(70)));
        api.postEvents(tenant.key(), "[" + tag("e4", "c1", "contact.untagged") + "," + tag("e5", "c4", "contact.tagged") + "]")
                .expectStatus().isAccepted();
        clock.set(t0.plus(Duration.ofMinutes(130)));
        api.postEvents(tenant.key(), "[" + tag("e6", "c5", "contact.tagged") + "]").expectStatus().isAccepted();
        clock.set(t0.plus(Duration.ofHours(3)));

        Map<String, Object> h = ok(api, tenant, "/v1/segments/vip/history?from=" + t0 + "&to=" + t0.plus(Duration.ofHours(3)) + "&step=1h");
        assertThat(h.get("segment")).isEqualTo("vip");
        assertThat((List<Map<String, Object>>) h.get("points")).containsExactly(
                point(t0.plus(Duration.ofHours(1)), 3, 3, 0),
                point(t0.plus(Duration.ofHours(2)), 3, 1, 1),
                point(t0.plus(Duration.ofHours(3)), 4, 1, 0));

        // A window that ends before the last changes, in a step that does not divide it: the last point is at `to`.
        h = ok(api, tenant, "/v1/segments/vip/history?from=" + t0 + "&to=" + t0.plus(Duration.ofMinutes(100)) + "&step=PT45M");
        assertThat((List<Map<String, Object>>) h.get("points")).containsExactly(
                point(t0.plus(Duration.ofMinutes(45)), 3, 3, 0),
                point(t0.plus(Duration.ofMinutes(90)), 3, 1, 1),
                point(t0.plus(Duration.ofMinutes(100)), 3, 0, 0));

        // Defaults: the last 24 hours up to now in hourly steps, from the tenant's creation at the earliest.
        List<Map<String, Object>> points = (List<Map<String, Object>>) ok(api, tenant, "/v1/segments/vip/history").get("points");
        assertThat(points).hasSizeBetween(3, 4);
        assertThat(points.getLast()).containsEntry("at", clock.instant().toString()).containsEntry("count", 4);
        assertThat(points.stream().mapToLong(p -> ((Number) p.get("enters")).longValue()).sum()).isEqualTo(5);

        // Limits.
        api.get(tenant.key(), "/v1/segments/vip/history?from=" + t0.minus(Duration.ofDays(1)) + "&to=" + t0.plusSeconds(3600))
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/from")
                .jsonPath("$.errors[0].message").value(m -> assertThat((String) m).startsWith("is before the oldest history available, "));
        api.get(tenant.key(), "/v1/segments/vip/history?from=" + t0 + "&to=" + t0.plus(Duration.ofHours(3)) + "&step=10s")
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/step");
        api.get(tenant.key(), "/v1/segments/vip/history?step=soon").expectStatus().isBadRequest();
        api.get(tenant.key(), "/v1/segments/vip/history?to=" + t0.plus(Duration.ofDays(1))).expectStatus().isBadRequest();
        api.get(tenant.key(), "/v1/segments/nope/history").expectStatus().isNotFound();
        Api.TestTenant other = api.newTenant();
        api.get(other.key(), "/v1/segments/vip/history").expectStatus().isNotFound();

        // Once the log is pruned, history starts at the oldest retained change: here the second batch's.
        long secondBatch = db.sql("SELECT min(seq) FROM changes WHERE tenant_id = :t AND key = 'seg:vip' AND NOT bit")
                .bind("t", tenant.id()).map(r -> r.get(0, Long.class)).one().block();
        db.sql("DELETE FROM changes WHERE tenant_id = :t AND seq < :s").bind("t", tenant.id()).bind("s", secondBatch).then().block();
        db.sql("UPDATE change_seq SET pruned_through = :s - 1 WHERE tenant_id = :t").bind("t", tenant.id()).bind("s", secondBatch)
                .then().block();
        Instant oldest = t0.plus(Duration.ofMinutes(70));
        api.get(tenant.key(), "/v1/segments/vip/history?from=" + t0 + "&to=" + t0.plus(Duration.ofHours(3)))
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].message").isEqualTo("is before the oldest history available, " + oldest);
        h = ok(api, tenant, "/v1/segments/vip/history?from=" + oldest + "&to=" + t0.plus(Duration.ofHours(3)) + "&step=1h");
        assertThat((List<Map<String, Object>>) h.get("points")).containsExactly(
                point(oldest.plus(Duration.ofHours(1)), 3, 1, 1),
                point(t0.plus(Duration.ofHours(3)), 4, 1, 0));
        points = (List<Map<String, Object>>) ok(api, tenant, "/v1/segments/vip/history").get("points");
        assertThat(points.getFirst().get("enters")).isEqualTo(1);
        assertThat(points.getLast().get("count")).isEqualTo(4);
        new Invariants(db, redis).checkAgainstContacts(tenant.id());
    }

    private static String tag(String id, String contact, String type) {
        return event(id, contact, type, "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> ok(Api api, Api.TestTenant tenant, String uri) {
        return api.get(tenant.key(), uri).expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    }

    private static Map<String, Object> point(Instant at, int count, int enters, int exits) {
        return Map.of("at", at.toString(), "count", count, "enters", enters, "exits", exits);
    }
}
