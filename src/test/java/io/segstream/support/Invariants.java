package io.segstream.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.membership.Projection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * The invariants of DESIGN.md, checked against the real PostgreSQL and Redis of an integration test:
 * replaying the change log reproduces current membership; the Redis projection equals PostgreSQL.
 */
public final class Invariants {

    private final DatabaseClient db;
    private final ReactiveRedisConnectionFactory redis;

    public Invariants(DatabaseClient db, ReactiveRedisConnectionFactory redis) {
        this.db = db;
        this.redis = redis;
    }

    /** Both invariants for one tenant (waits for the projection to catch up). */
    public void check(String tenantId) {
        Map<String, Set<Long>> replayed = replayLog(tenantId);
        assertThat(segmentKeys(replayed)).as("replaying the change log reproduces membership").isEqualTo(membership(tenantId));
        assertThat(tagKeys(replayed)).as("replaying the change log reproduces tags").isEqualTo(tags(tenantId));
        long lastSeq = db.sql("SELECT coalesce(max(seq), 0) FROM changes WHERE tenant_id = :t").bind("t", tenantId)
                .map(r -> r.get(0, Long.class)).one().block();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> watermark(tenantId) >= lastSeq);
        for (Map.Entry<String, Set<Long>> e : replayed.entrySet()) {
            assertThat(bits(Projection.key(tenantId, e.getKey())))
                    .as("Redis bitmap %s equals PostgreSQL", e.getKey()).isEqualTo(e.getValue());
        }
        assertEqualLengths(tenantId);
    }

    /**
     * The Redis projection equals the contacts' current state in PostgreSQL (segments, tags, live),
     * without the change log: what must hold after the log was pruned.
     */
    public void checkAgainstContacts(String tenantId) {
        Map<String, Set<Long>> expected = new TreeMap<>(membership(tenantId));
        expected.putAll(tags(tenantId));
        expected.put("live", new TreeSet<>(db.sql("SELECT contact_no FROM contacts WHERE tenant_id = :t AND live")
                .bind("t", tenantId).map(r -> r.get(0, Long.class)).all().collectList().block()));
        long lastSeq = db.sql("SELECT coalesce(max(last_seq), 0) FROM change_seq WHERE tenant_id = :t").bind("t", tenantId)
                .map(r -> r.get(0, Long.class)).one().block();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(watermark(tenantId)).isGreaterThanOrEqualTo(lastSeq);
            Map<String, Set<Long>> actual = new TreeMap<>();
            for (String key : expected.keySet()) actual.put(key, bits(Projection.key(tenantId, key)));
            assertThat(actual).as("Redis bitmaps equal the contacts in PostgreSQL").isEqualTo(expected);
        });
        Set<String> registered = registry(tenantId);
        for (String key : registered) {
            String name = key.substring(Projection.key(tenantId, "").length());
            if (!expected.containsKey(name) && (name.startsWith("seg:") || name.startsWith("tag:"))) {
                assertThat(bits(key)).as("Redis bitmap %s has no members in PostgreSQL", name).isEmpty();
            }
        }
        assertEqualLengths(tenantId);
    }

    /** Every projected bitmap of the tenant is as long as the tenant's length (short operands make BITOP slow). */
    public void assertEqualLengths(String tenantId) {
        byte[] len = get(Projection.key(tenantId, "len"));
        Set<String> keys = registry(tenantId);
        if (keys.isEmpty()) return;
        assertThat(len).as("tenant bitmap length").isNotNull();
        long expected = Long.parseLong(new String(len, StandardCharsets.UTF_8));
        for (String key : keys) {
            byte[] v = get(key);
            assertThat(v == null ? 0 : v.length).as("length of %s", key).isEqualTo((int) expected);
            // Allocated at its length, not greedily (twice the length when padded with SETBIT): docs/scaling.md.
            assertThat(memoryUsage(key)).as("Redis memory of %s, %d bytes long", key, expected).isLessThanOrEqualTo(expected + 512);
        }
    }

    /** MEMORY USAGE of a key (its allocation, key and object overhead included). */
    private long memoryUsage(String key) {
        var conn = redis.getReactiveConnection();
        try {
            ByteBuffer script = ByteBuffer.wrap("return redis.call('MEMORY', 'USAGE', KEYS[1], 'SAMPLES', '0')".getBytes(StandardCharsets.UTF_8));
            Long usage = conn.scriptingCommands().<Long>eval(script, org.springframework.data.redis.connection.ReturnType.INTEGER, 1,
                    ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8))).next().block(Duration.ofSeconds(5));
            return usage == null ? 0 : usage;
        } finally {
            conn.close();
        }
    }

    private Set<String> registry(String tenantId) {
        var conn = redis.getReactiveConnection();
        try {
            return conn.setCommands().sMembers(ByteBuffer.wrap(Projection.key(tenantId, "keys").getBytes(StandardCharsets.UTF_8)))
                    .map(b -> StandardCharsets.UTF_8.decode(b).toString())
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new))
                    .block(Duration.ofSeconds(5));
        } finally {
            conn.close();
        }
    }

    /** key -> contact numbers whose last change for that key set the bit. */
    public Map<String, Set<Long>> replayLog(String tenantId) {
        List<Object[]> rows = db.sql("SELECT key, contact_no, bit FROM changes WHERE tenant_id = :t ORDER BY seq")
                .bind("t", tenantId)
                .map(r -> new Object[] {r.get("key", String.class), r.get("contact_no", Long.class), r.get("bit", Boolean.class)})
                .all().collectList().block();
        Map<String, Set<Long>> out = new TreeMap<>();
        for (Object[] r : rows) {
            Set<Long> set = out.computeIfAbsent((String) r[0], k -> new TreeSet<>());
            if ((Boolean) r[2]) set.add((Long) r[1]);
            else set.remove((Long) r[1]);
        }
        return out;
    }

    /** "seg:<id>" -> members according to the contacts' rows. */
    public Map<String, Set<Long>> membership(String tenantId) {
        List<Object[]> rows = db.sql("SELECT contact_no, unnest(segments) AS s FROM contacts WHERE tenant_id = :t")
                .bind("t", tenantId)
                .map(r -> new Object[] {r.get("contact_no", Long.class), r.get("s", String.class)})
                .all().collectList().block();
        Map<String, Set<Long>> out = new TreeMap<>();
        for (Object[] r : rows) out.computeIfAbsent("seg:" + r[1], k -> new TreeSet<>()).add((Long) r[0]);
        return out;
    }

    private Map<String, Set<Long>> tags(String tenantId) {
        List<Object[]> rows = db.sql("""
                        SELECT c.contact_no, t.key FROM contacts c, json_each(c.state -> 'tg') t
                        WHERE c.tenant_id = :t AND c.live AND t.value ->> 'v' = 'true'""")
                .bind("t", tenantId)
                .map(r -> new Object[] {r.get("contact_no", Long.class), r.get("key", String.class)})
                .all().collectList().block();
        Map<String, Set<Long>> out = new TreeMap<>();
        for (Object[] r : rows) out.computeIfAbsent("tag:" + r[1], k -> new TreeSet<>()).add((Long) r[0]);
        return out;
    }

    private static Map<String, Set<Long>> segmentKeys(Map<String, Set<Long>> all) {
        return nonEmpty(all, "seg:");
    }

    private static Map<String, Set<Long>> tagKeys(Map<String, Set<Long>> all) {
        return nonEmpty(all, "tag:");
    }

    private static Map<String, Set<Long>> nonEmpty(Map<String, Set<Long>> all, String prefix) {
        Map<String, Set<Long>> out = new TreeMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix) && !v.isEmpty()) out.put(k, v);
        });
        return out;
    }

    private long watermark(String tenantId) {
        byte[] v = get(Projection.watermarkKey(tenantId));
        return v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.UTF_8));
    }

    private Set<Long> bits(String key) {
        byte[] v = get(key);
        Set<Long> out = new TreeSet<>();
        if (v == null) return out;
        for (int i = 0; i < v.length; i++) {
            for (int b = 0; b < 8; b++) {
                if ((v[i] & (0x80 >> b)) != 0) out.add((long) i * 8 + b);
            }
        }
        return out;
    }

    private byte[] get(String key) {
        var conn = redis.getReactiveConnection();
        try {
            ByteBuffer buf = conn.stringCommands().get(ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8))).block(Duration.ofSeconds(5));
            if (buf == null) return null;
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } finally {
            conn.close();
        }
    }


}
