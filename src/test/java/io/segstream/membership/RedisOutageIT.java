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

    /**
     * Redis hangs (SIGSTOP) during ingestion: batches keep being acknowledged at the pace of PostgreSQL
     * (the Redis apply and publish run after the tenant's lane is free, and the response does not wait for
     * them), and once Redis resumes everything acknowledged is applied.
     */
    @Test
    void aHungRedisCostsIngestionLittleAndEverythingIsAppliedWhenItResumes() throws Exception {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        tag(api, tenant, "warm", 0, 20);

        long normal = timed(() -> {
            for (int b = 0; b < 10; b++) tag(api, tenant, "n" + b + "-", 0, 20);
        });
        signal("STOP");
        long hung;
        try {
            hung = timed(() -> {
                for (int b = 0; b < 10; b++) tag(api, tenant, "h" + b + "-", 0, 20);
            });
        } finally {
            signal("CONT");
        }
        // Each batch used to wait out the 2 s apply and 2 s publish timeouts (40 s for these ten); a 20% cost
        // plus scheduling noise on a shared machine is allowed.
        assertThat(hung).as("ten batches with Redis hung (ms), against %d ms without", normal)
                .isLessThanOrEqualTo(normal * 6 / 5 + 3_000);
        new Invariants(db, redis).check(tenant.id());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                api.get(tenant.key(), "/v1/segments/vip/count").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(420));
    }

    private interface Work {
        void run() throws Exception;
    }

    private static long timed(Work work) throws Exception {
        long started = System.nanoTime();
        work.run();
        return (System.nanoTime() - started) / 1_000_000;
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(embeddedRedis.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s", name).isZero();
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
