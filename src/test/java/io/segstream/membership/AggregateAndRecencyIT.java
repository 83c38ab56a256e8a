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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * An aggregate segment ("spent at least 100 in the last 90 days") and a recency segment ("lapsed
 * reviewers": the last review is older than 90 days) over HTTP: built over contacts that already have
 * events, kept current by new events, and changed by time alone when the application clock moves past
 * the instant an old purchase leaves the window and a review lapses.
 */
@IntegrationTest
@Import(MutableClock.Config.class)
class AggregateAndRecencyIT {

    private static final Instant T0 = Instant.parse("2026-06-15T12:00:00Z");

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    ReactiveRedisConnectionFactory redis;

    @Autowired
    MutableClock clock;

    @Test
    void aggregateAndLastSegmentsFollowEventsAndTime() {
        clock.set(T0);
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant("UTC");
        api.postEvents(tenant.key(), "[" + String.join(",",
                purchase("a1", "a", 80, "60"), purchase("a2", "a", 10, "50"),
                purchase("b1", "b", 5, "60"), purchase("b2", "b", 4, "\"lots\""),
                review("r1-1", "r1", 100),
                review("r2-1", "r2", 120), review("r2-2", "r2", 80)) + "]")
                .expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(7);

        api.createSegment(tenant.key(), """
                {"id": "big-spenders", "name": "Spent 100 in 90 days",
                 "rule": {"event": "purchase.made",
                          "aggregate": {"fn": "sum", "property": "amount", "op": "gte", "value": 100}, "within": "90d"}}""")
                .expectStatus().isCreated();
        api.createSegment(tenant.key(), """
                {"id": "lapsed-reviewers", "name": "Lapsed reviewers",
                 "rule": {"event": "review.left", "last": {"op": "olderThan", "value": "90d"}}}""")
                .expectStatus().isCreated();
        api.awaitLive(tenant.key(), "big-spenders");
        api.awaitLive(tenant.key(), "lapsed-reviewers");
        // Built from history: a's 60 + 50; b's text amount does not count; r2's last review is 80 days old.
        assertThat(members(api, tenant, "big-spenders")).containsExactly("a");
        assertThat(members(api, tenant, "lapsed-reviewers")).containsExactly("r1");
        api.get(tenant.key(), "/v1/segments/big-spenders/count").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(1);

        // A new purchase brings b to 105.
        api.postEvents(tenant.key(), "[" + purchase("b3", "b", 1, "45") + "]").expectStatus().isAccepted();
        assertThat(members(api, tenant, "big-spenders")).containsExactly("a", "b");

        // Eleven days on, a's 60 has left the 90-day window (a exits) and r2's review lapsed (r2 enters).
        clock.set(T0.plus(Duration.ofDays(11)));
        await().atMost(Duration.ofSeconds(30)).until(() -> members(api, tenant, "big-spenders").equals(List.of("b"))
                && members(api, tenant, "lapsed-reviewers").equals(List.of("r1", "r2")));
        api.get(tenant.key(), "/v1/segments/big-spenders/count").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(1);
        assertThat(timeChanges(tenant.id())).containsExactlyInAnyOrder("seg:big-spenders a false", "seg:lapsed-reviewers r2 true");
        new Invariants(db, redis).check(tenant.id());
    }

    private static String purchase(String id, String contact, int daysAgo, String amountJson) {
        return event(id, contact, "purchase.made", T0.minus(Duration.ofDays(daysAgo)).toString(), "{\"amount\":" + amountJson + "}");
    }

    private static String review(String id, String contact, int daysAgo) {
        return event(id, contact, "review.left", T0.minus(Duration.ofDays(daysAgo)).toString(), "{\"rating\":5}");
    }

    @SuppressWarnings("unchecked")
    private static List<String> members(Api api, Api.TestTenant tenant, String segment) {
        Map<String, Object> body = api.get(tenant.key(), "/v1/segments/{id}/members", segment).expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        return ((List<String>) body.get("members")).stream().sorted().toList();
    }

    private List<String> timeChanges(String tenantId) {
        return db.sql("SELECT key, contact_id, bit FROM changes WHERE tenant_id = :t AND cause_kind = 'time'")
                .bind("t", tenantId)
                .map(r -> r.get("key", String.class) + " " + r.get("contact_id", String.class) + " " + r.get("bit", Boolean.class))
                .all().collectList().block();
    }
}
