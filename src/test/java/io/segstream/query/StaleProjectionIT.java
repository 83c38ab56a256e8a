package io.segstream.query;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.membership.Projection;
import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import io.segstream.support.Invariants;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A query never answers from a Redis projection that vanished or lags behind what this instance stored:
 * right after a FLUSHALL (or a watermark set back) every count, listing and set query answers either the
 * right count or 503 with Retry-After, and once the projection is restored, the right answer; the
 * segment's own count agrees with the count endpoint.
 */
@IntegrationTest
class StaleProjectionIT {

    private static final int MEMBERS = 30;

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    ReactiveRedisConnectionFactory redis;

    @Test
    void noQueryAnswersFromAFlushedProjection() {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        tag(api, tenant, 0, MEMBERS);
        assertThat(count(api, tenant)).isEqualTo(MEMBERS);

        int served = 0;
        for (int round = 0; round < 5; round++) {
            redisCommand(c -> c.serverCommands().flushAll());
            served += checkRightOr503(api, tenant);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(count(api, tenant)).isEqualTo(MEMBERS));
        checkRightOr503(api, tenant);
        assertThat(segmentCount(api, tenant)).as("GET /v1/segments/{id} agrees with the count endpoint").isEqualTo(count(api, tenant));
        new Invariants(db, redis).check(tenant.id());
        assertThat(served).as("200 answers right after a flush: the query waited for the catch-up it started").isPositive();
    }

    @Test
    void noQueryAnswersFromAProjectionBehindWhatWasStored() {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        tag(api, tenant, 0, MEMBERS);
        assertThat(count(api, tenant)).isEqualTo(MEMBERS);

        // The projection as it was before any change: the segment's bitmap gone, the watermark at 0.
        ByteBuffer bitmap = buffer(Projection.key(tenant.id(), "seg:vip"));
        ByteBuffer watermark = buffer(Projection.watermarkKey(tenant.id()));
        ByteBuffer registry = buffer(Projection.key(tenant.id(), "keys"));
        redisCommand(c -> c.keyCommands().del(bitmap.duplicate())
                .then(c.setCommands().sRem(registry.duplicate(), bitmap.duplicate()))
                .then(c.stringCommands().set(watermark.duplicate(), buffer("0"))));
        checkRightOr503(api, tenant);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(count(api, tenant)).isEqualTo(MEMBERS));
        new Invariants(db, redis).check(tenant.id());
    }

    /** Count, members, set query and the segment's count: each the right count or 503; emits how many were 200. */
    private int checkRightOr503(Api api, Api.TestTenant tenant) {
        int ok = 0;
        ok += rightOr503(api.get(tenant.key(), "/v1/segments/vip/count"), "count", "count");
        ok += rightOr503(api.get(tenant.key(), "/v1/segments/vip/members?limit=1000"), "members", "members");
        ok += rightOr503(client.post().uri("/v1/query").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"all\":[{\"segment\":\"vip\"}]}").exchange(), "query", "count");
        assertThat(segmentCount(api, tenant)).as("GET /v1/segments/vip count").isEqualTo(MEMBERS);
        return ok;
    }

    private static int rightOr503(WebTestClient.ResponseSpec spec, String what, String field) {
        EntityExchangeResult<Map> r = spec.expectBody(Map.class).returnResult();
        int status = r.getStatus().value();
        assertThat(status).as("%s status", what).isIn(200, 503);
        if (status == 503) {
            assertThat(r.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER)).as("%s Retry-After", what).isNotNull();
            assertThat(r.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            return 0;
        }
        Object value = r.getResponseBody().get(field);
        long n = value instanceof List<?> l ? l.size() : ((Number) value).longValue();
        assertThat(n).as("%s answered 200 with", what).isEqualTo(MEMBERS);
        return 1;
    }

    private static long count(Api api, Api.TestTenant tenant) {
        return ((Number) api.get(tenant.key(), "/v1/segments/vip/count").expectStatus().isOk().expectBody(Map.class)
                .returnResult().getResponseBody().get("count")).longValue();
    }

    private static long segmentCount(Api api, Api.TestTenant tenant) {
        return ((Number) api.get(tenant.key(), "/v1/segments/vip").expectStatus().isOk().expectBody(Map.class)
                .returnResult().getResponseBody().get("count")).longValue();
    }

    private static void tag(Api api, Api.TestTenant tenant, int from, int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = from; i < from + n; i++) {
            if (i > from) sb.append(',');
            sb.append(event("e" + i, "c" + i, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}"));
        }
        api.postEvents(tenant.key(), sb.append(']').toString()).expectStatus().isAccepted();
    }

    private void redisCommand(java.util.function.Function<org.springframework.data.redis.connection.ReactiveRedisConnection,
            reactor.core.publisher.Mono<?>> command) {
        var c = redis.getReactiveConnection();
        try {
            command.apply(c).block(Duration.ofSeconds(5));
        } finally {
            c.close();
        }
    }

    private static ByteBuffer buffer(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
