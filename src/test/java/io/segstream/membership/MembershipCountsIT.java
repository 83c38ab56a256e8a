package io.segstream.membership;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Segment counts (the listing's, the change feed's) are exact as of the tenant's last committed seq,
 * whatever state the Redis projection is in: behind the log, or being restored.
 */
@IntegrationTest
class MembershipCountsIT {

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    ReactiveStringRedisTemplate redis;

    @Autowired
    MembershipCounts counts;

    @Autowired
    ProjectionHealth health;

    Api api;
    Api.TestTenant tenant;

    @BeforeEach
    void setUp() {
        api = new Api(client);
        tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.createSegment(tenant.key(), "{\"id\":\"none\",\"name\":\"Nobody\",\"rule\":{\"tag\":\"nobody\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        api.awaitLive(tenant.key(), "none");
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 12; i++) {
            if (i > 0) sb.append(',');
            sb.append(event("t" + i, "c" + i, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}"));
        }
        sb.append(',').append(event("u0", "c0", "contact.untagged", "2026-01-02T00:00:00Z", "{\"tag\":\"vip\"}"));
        api.postEvents(tenant.key(), sb.append(']').toString()).expectStatus().isAccepted();
    }

    @Test
    void countsAreExactAsOfTheLastSeqWhenTheProjectionIsBehindTheLog() {
        // The projection as if it had applied nothing yet: an empty bitmap at watermark 0.
        redis.delete(Projection.key(tenant.id(), "seg:vip")).block(Duration.ofSeconds(5));
        redis.opsForValue().set(Projection.watermarkKey(tenant.id()), "0").block(Duration.ofSeconds(5));

        var counted = counts.counts(tenant.id(), List.of("vip", "none")).block(Duration.ofSeconds(10));

        assertThat(counted.counts()).isEqualTo(Map.of("vip", 11L, "none", 0L));
        assertThat(counted.asOf()).isEqualTo(lastSeq());
    }

    @Test
    void countsComeFromTheContactsWhileTheProjectionIsBeingRestored() {
        // The bitmap is gone but the watermark says it is up to date: only a count from the contacts is right.
        redis.delete(Projection.key(tenant.id(), "seg:vip")).block(Duration.ofSeconds(5));
        health.lost(tenant.id(), ProjectionHealth.Loss.LOST);
        try {
            var counted = counts.counts(tenant.id(), List.of("vip", "none")).block(Duration.ofSeconds(10));
            assertThat(counted.counts()).isEqualTo(Map.of("vip", 11L, "none", 0L));
            assertThat(counted.asOf()).isEqualTo(lastSeq());
        } finally {
            health.caughtUp(tenant.id());
            // let the sweep replay the log into the deleted bitmap
            redis.opsForValue().set(Projection.watermarkKey(tenant.id()), "0").block(Duration.ofSeconds(5));
        }
    }

    @Test
    void theSegmentListingCountsEverySegment() {
        api.get(tenant.key(), "/v1/segments").expectStatus().isOk().expectBody()
                .jsonPath("$.segments[?(@.id == 'vip')].count").isEqualTo(11)
                .jsonPath("$.segments[?(@.id == 'none')].count").isEqualTo(0);
        api.get(tenant.key(), "/v1/segments/vip").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(11);
    }

    private long lastSeq() {
        return db.sql("SELECT last_seq FROM change_seq WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(5));
    }
}
