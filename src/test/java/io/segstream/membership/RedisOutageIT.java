package io.segstream.membership;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.platform.EmbeddedRedisServer;
import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import io.segstream.support.Invariants;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Redis stops during ingestion and comes back, once with its data and once empty: ingestion keeps
 * committing to PostgreSQL, queries answer 503 meanwhile, and afterwards the projection equals
 * PostgreSQL again and every acknowledged event is stored exactly once.
 */
@IntegrationTest
class RedisOutageIT {

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    ReactiveRedisConnectionFactory redis;

    @Autowired
    EmbeddedRedisServer embeddedRedis;

    @Test
    void ingestionSurvivesARedisOutageAndTheProjectionRecovers() throws Exception {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        tag(api, tenant, "before", 0, 50);

        embeddedRedis.stop();
        try {
            tag(api, tenant, "during", 0, 50);
            api.get(tenant.key(), "/v1/segments/vip/count").expectStatus().isEqualTo(503)
                    .expectHeader().exists(HttpHeaders.RETRY_AFTER);
        } finally {
            embeddedRedis.start(); // with its append-only file: the data from before the outage
        }
        new Invariants(db, redis).check(tenant.id());

        // Redis comes back empty this time.
        embeddedRedis.stop();
        try {
            tag(api, tenant, "while-empty", 0, 20);
        } finally {
            embeddedRedis.start();
        }
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            var c = redis.getReactiveConnection();
            try {
                return "PONG".equals(c.ping().block(Duration.ofSeconds(2)));
            } finally {
                c.close();
            }
        });
        var conn = redis.getReactiveConnection();
        try {
            conn.serverCommands().flushAll().block(Duration.ofSeconds(5));
        } finally {
            conn.close();
        }
        new Invariants(db, redis).check(tenant.id());
        api.get(tenant.key(), "/v1/segments/vip/count").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(120);
        long stored = db.sql("SELECT count(*) FROM events WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block();
        assertThat(stored).isEqualTo(120);
    }

    private static void tag(Api api, Api.TestTenant tenant, String prefix, int from, int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = from; i < from + n; i++) {
            if (i > from) sb.append(',');
            sb.append(event(prefix + i, prefix + "-c" + i, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}"));
        }
        api.postEvents(tenant.key(), sb.append(']').toString()).expectStatus().isAccepted()
                .expectBody().jsonPath("$.accepted").isEqualTo(n);
    }
}
