package io.segstream.membership;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import io.segstream.support.Invariants;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Redis is a projection: a tenant's projection lost from Redis is detected and restored with no new
 * commit needed, by replaying the change log or, when the log was pruned past the watermark, by a
 * rebuild from the contacts; every bitmap of a tenant keeps one length.
 */
@IntegrationTest
class ProjectionRepairIT {

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    ReactiveRedisConnectionFactory redis;

    @Autowired
    MeterRegistry meters;

    @Test
    void aLostProjectionIsRebuiltWithoutNewCommits() {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.postEvents(tenant.key(), "[" + event("p1", "c1", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}") + ","
                + event("p2", "c2", "contact.unsubscribed", "2026-01-01T00:00:00Z", "{\"channel\":\"sms\"}") + "]")
                .expectStatus().isAccepted();
        new Invariants(db, redis).check(tenant.id());
        double lost = recoveries("lost");
        // Lose the tenant's keys, as a Redis restart without persistence would.
        deleteKeys(tenant.id(), "wm", "tag:vip", "unsub:sms", "live", "keys", "len");
        new Invariants(db, redis).check(tenant.id()); // waits for the sweep to catch up
        assertThat(recoveries("lost")).as("the loss was detected and counted").isGreaterThan(lost);
        client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
    }

    @Test
    void aProjectionBehindAPrunedLogIsRebuiltFromTheContacts() {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(event("t" + i, "c" + i, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"" + (i % 2 == 0 ? "vip" : "new") + "\"}"));
        }
        events.add(event("u1", "c1", "contact.unsubscribed", "2026-01-01T00:00:00Z", "{\"channel\":\"email\"}"));
        events.add(event("x2", "c2", "contact.untagged", "2026-01-02T00:00:00Z", "{\"tag\":\"vip\"}"));
        events.add(event("d3", "c4", "contact.deleted", "2026-01-02T00:00:00Z", "{}"));
        api.postEvents(tenant.key(), "[" + String.join(",", events) + "]").expectStatus().isAccepted();
        new Invariants(db, redis).check(tenant.id());

        // Redis loses the tenant while the log is pruned past everything it held (what ChangePruner does
        // to rows older than the retention): catching up from the log alone would be wrong.
        double gaps = recoveries("gap");
        db.sql("""
                        WITH d AS (DELETE FROM changes WHERE tenant_id = :t AND seq <= (SELECT last_seq - 5 FROM change_seq WHERE tenant_id = :t)
                                   RETURNING seq)
                        UPDATE change_seq SET pruned_through = (SELECT max(seq) FROM d) WHERE tenant_id = :t""")
                .bind("t", tenant.id()).then().block();
        deleteKeys(tenant.id(), "wm", "tag:vip", "tag:new", "seg:vip", "unsub:email", "live");

        new Invariants(db, redis).checkAgainstContacts(tenant.id());
        assertThat(recoveries("gap")).as("the gap was detected and counted").isGreaterThan(gaps);
        api.get(tenant.key(), "/v1/segments/vip/count").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(18);

        // Later changes are applied on top of the rebuilt projection.
        api.postEvents(tenant.key(), "[" + event("t99", "c99", "contact.tagged", "2026-01-03T00:00:00Z", "{\"tag\":\"vip\"}") + "]")
                .expectStatus().isAccepted();
        new Invariants(db, redis).checkAgainstContacts(tenant.id());
        api.get(tenant.key(), "/v1/segments/vip/count").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(19);
        client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
    }

    @Test
    void everyBitmapOfATenantKeepsOneLengthAsContactNumbersGrow() {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.postEvents(tenant.key(), "[" + event("a1", "c1", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"a\"}") + "]")
                .expectStatus().isAccepted();
        new Invariants(db, redis).check(tenant.id());
        // New contacts numbered far beyond the first ones (the next block of numbers is reserved from
        // 300,000 once this instance used up what it holds: the first block and the one reserved ahead,
        // 2,048 numbers): every existing bitmap must grow with them.
        db.sql("UPDATE contact_number_blocks SET next_no = 300000 WHERE tenant_id = :t").bind("t", tenant.id()).then().block();
        for (int batch = 0; batch < 6; batch++) {
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                int n = batch * 500 + i;
                events.add(event("b" + n, "n" + n, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"b\"}"));
            }
            api.postEvents(tenant.key(), "[" + String.join(",", events) + "]").expectStatus().isAccepted();
        }
        new Invariants(db, redis).check(tenant.id());
        long far = db.sql("SELECT max(contact_no) FROM contacts WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block();
        assertThat(far).isGreaterThanOrEqualTo(300000);
        byte[] tagA = get(Projection.key(tenant.id(), "tag:a"));
        assertThat((long) tagA.length).as("tag:a grew to cover contact %s", far).isGreaterThan(far / 8);

        // Pages of a listing across that wide, sparse range (read in growing chunks) hold every member once.
        java.util.Set<String> listed = new java.util.TreeSet<>();
        String body = "{\"all\":[{\"tag\":\"b\"}]}";
        while (true) {
            java.util.Map<?, ?> page = client.post().uri("/v1/query?limit=500")
                    .header(org.springframework.http.HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                    .contentType(org.springframework.http.MediaType.APPLICATION_JSON).bodyValue(body)
                    .exchange().expectStatus().isOk().expectBody(java.util.Map.class).returnResult().getResponseBody();
            for (Object id : (List<?>) page.get("members")) assertThat(listed.add((String) id)).as("listed once: %s", id).isTrue();
            if (page.get("nextCursor") == null) break;
            body = "{\"cursor\":\"" + page.get("nextCursor") + "\"}";
        }
        assertThat(listed).hasSize(3000).allMatch(id -> id.startsWith("n"));
    }

    @Test
    void aSmallTenantsBitmapsAreOnlyAsLongAsItsContactNumbersNeed() {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.postEvents(tenant.key(), "[" + event("s1", "c1", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"a\"}") + ","
                + event("s2", "c2", "contact.unsubscribed", "2026-01-01T00:00:00Z", "{\"channel\":\"sms\"}") + "]")
                .expectStatus().isAccepted();
        new Invariants(db, redis).check(tenant.id());
        assertThat(tenantLength(tenant.id())).as("two contacts: the smallest length").isEqualTo(64);

        for (int batch = 0; batch < 2; batch++) {
            List<String> events = new ArrayList<>();
            for (int i = batch * 500; i < (batch + 1) * 500; i++) {
                events.add(event("m" + i, "m" + i, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"" + (i % 2 == 0 ? "a" : "b") + "\"}"));
            }
            api.postEvents(tenant.key(), "[" + String.join(",", events) + "]").expectStatus().isAccepted();
        }
        new Invariants(db, redis).check(tenant.id());
        long need = db.sql("SELECT max(contact_no) FROM contacts WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block() / 8 + 1;
        assertThat(need).as("bytes for the contact numbers of 1,002 contacts").isBetween(126L, 384L);
        assertThat(tenantLength(tenant.id())).as("grown to the next allocation that holds %s bytes", need)
                .isEqualTo(smallLength(need));

        // Rebuilt from the contacts (Redis lost the tenant, the log is pruned): the same length, not a larger one.
        db.sql("""
                        WITH d AS (DELETE FROM changes WHERE tenant_id = :t AND seq <= (SELECT last_seq - 5 FROM change_seq WHERE tenant_id = :t)
                                   RETURNING seq)
                        UPDATE change_seq SET pruned_through = (SELECT max(seq) FROM d) WHERE tenant_id = :t""")
                .bind("t", tenant.id()).then().block();
        double gaps = recoveries("gap");
        deleteKeys(tenant.id(), "wm", "tag:a", "tag:b", "unsub:sms", "live", "keys", "len");
        new Invariants(db, redis).checkAgainstContacts(tenant.id());
        assertThat(recoveries("gap")).as("rebuilt from the contacts").isGreaterThan(gaps);
        assertThat(tenantLength(tenant.id())).as("rebuilt at the length its contact numbers need").isEqualTo(smallLength(need));
    }

    /** The smallest power-of-two allocation from 128 bytes whose length (64 bytes under it) holds {@code need} bytes. */
    private static long smallLength(long need) {
        long unit = 128;
        while (unit - 64 < need) unit *= 2;
        return unit - 64;
    }

    private long tenantLength(String tenantId) {
        return Long.parseLong(new String(get(Projection.key(tenantId, "len")), StandardCharsets.UTF_8));
    }

    private double recoveries(String reason) {
        var c = meters.find("segstream.projection.recoveries").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private void deleteKeys(String tenantId, String... keys) {
        var conn = redis.getReactiveConnection();
        try {
            for (String key : keys) {
                conn.keyCommands().del(ByteBuffer.wrap(Projection.key(tenantId, key).getBytes(StandardCharsets.UTF_8)))
                        .block(Duration.ofSeconds(5));
            }
        } finally {
            conn.close();
        }
    }

    private byte[] get(String key) {
        var conn = redis.getReactiveConnection();
        try {
            ByteBuffer b = conn.stringCommands().get(ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8))).block(Duration.ofSeconds(5));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } finally {
            conn.close();
        }
    }
}
