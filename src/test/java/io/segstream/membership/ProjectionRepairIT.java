package io.segstream.membership;

import static io.segstream.support.Api.event;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import io.segstream.support.Invariants;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/** A tenant's projection lost from Redis is rebuilt by the sweep, with no new commit needed. */
@IntegrationTest
class ProjectionRepairIT {

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    ReactiveRedisConnectionFactory redis;

    @Test
    void aLostProjectionIsRebuiltWithoutNewCommits() {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.postEvents(tenant.key(), "[" + event("p1", "c1", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}") + ","
                + event("p2", "c2", "contact.unsubscribed", "2026-01-01T00:00:00Z", "{\"channel\":\"sms\"}") + "]")
                .expectStatus().isAccepted();
        new Invariants(db, redis).check(tenant.id());
        // Lose the tenant's keys, as a Redis restart without persistence would.
        var conn = redis.getReactiveConnection();
        try {
            for (String key : new String[] {"wm", "tag:vip", "unsub:sms", "live"}) {
                conn.keyCommands().del(ByteBuffer.wrap(Projection.key(tenant.id(), key).getBytes(StandardCharsets.UTF_8)))
                        .block(Duration.ofSeconds(5));
            }
        } finally {
            conn.close();
        }
        new Invariants(db, redis).check(tenant.id()); // waits for the sweep to catch up
    }
}
