package io.segstream.membership;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * How many contacts each segment has, exactly, as of a change seq: the segment listing's counts and
 * the change feed's {@code event: count} start here.
 *
 * <p>The tenant's last seq {@code L} is read from PostgreSQL first, then the bitmaps' counts and the
 * projection's watermark {@code W} in one Redis script. When the projection is behind ({@code W < L}),
 * the changes in ({@code W}, {@code L}] are summed from the log, so the answer is as of {@code L}: what
 * this instance committed before asking is counted (a batch's response waits for its commit). While the
 * tenant's projection is being restored, when Redis does not answer, or when the log no longer holds
 * the changes after {@code W}, the counts come from one scan of the tenant's contacts instead.
 *
 * <p>Design note: counting in PostgreSQL needed a GIN index on {@code contacts.segments}, maintained on
 * every contact write (and flushing its pending list in bursts) for the sake of a listing; V7 drops it.
 */
@Component
public class MembershipCounts {

    private static final Logger log = LoggerFactory.getLogger(MembershipCounts.class);
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** KEYS: watermark, then the bitmaps. Returns the watermark, then each bitmap's count. */
    private static final RedisScript<List> COUNTS = RedisScript.of("""
            local out = {tonumber(redis.call('GET', KEYS[1]) or '0')}
            for i = 2, #KEYS do out[#out + 1] = redis.call('BITCOUNT', KEYS[i]) end
            return out""", List.class);

    /** Members per segment, and the seq they are counted as of. */
    public record Counted(Map<String, Long> counts, long asOf) {}

    private final ReactiveStringRedisTemplate redis;
    private final DatabaseClient db;
    private final ProjectionHealth health;
    private final ChangeLog changeLog;

    public MembershipCounts(ReactiveStringRedisTemplate redis, DatabaseClient db, ProjectionHealth health, ChangeLog changeLog) {
        this.redis = redis;
        this.db = db;
        this.health = health;
        this.changeLog = changeLog;
    }

    /** The members of each of {@code segments} (ids), as of one seq. */
    public Mono<Counted> counts(String tenantId, Collection<String> segments) {
        List<String> ids = List.copyOf(new java.util.LinkedHashSet<>(segments));
        if (ids.isEmpty()) return Mono.just(new Counted(Map.of(), 0));
        if (!health.serving(tenantId)) return scan(tenantId, ids);
        return changeLog.position(tenantId).flatMap(p -> projected(tenantId, ids)
                        .flatMap(c -> {
                            long last = p[0], pruned = p[1];
                            if (c.asOf() >= last) return Mono.just(c);
                            if (c.asOf() < pruned) return scan(tenantId, ids);
                            return since(tenantId, ids, c.asOf(), last).map(d -> {
                                Map<String, Long> out = new LinkedHashMap<>(c.counts());
                                d.forEach((s, delta) -> out.merge(s, delta, Long::sum));
                                return new Counted(out, last);
                            });
                        })
                        .onErrorResume(RedisUnavailable.class, e -> {
                            log.debug("Counting tenant {}'s segments in PostgreSQL: {}", tenantId, e.getMessage());
                            return scan(tenantId, ids);
                        }))
                .timeout(TIMEOUT);
    }

    private static final class RedisUnavailable extends RuntimeException {
        RedisUnavailable(Throwable cause) {
            super(cause.toString(), cause, false, false);
        }
    }

    private Mono<Counted> projected(String tenantId, List<String> ids) {
        List<String> keys = new java.util.ArrayList<>(ids.size() + 1);
        keys.add(Projection.watermarkKey(tenantId));
        for (String id : ids) keys.add(Projection.key(tenantId, Change.SEGMENT_PREFIX + id));
        return redis.execute(COUNTS, keys, List.of())
                .next()
                .timeout(REDIS_TIMEOUT)
                .map(r -> {
                    Map<String, Long> out = new LinkedHashMap<>();
                    for (int i = 0; i < ids.size(); i++) out.put(ids.get(i), ((Number) r.get(i + 1)).longValue());
                    return new Counted(out, ((Number) r.get(0)).longValue());
                })
                .onErrorMap(RedisUnavailable::new);
    }

    /** Entered minus exited per segment over the changes {@code after < seq <= upTo}. */
    private Mono<Map<String, Long>> since(String tenantId, List<String> ids, long after, long upTo) {
        return db.sql("""
                        SELECT key, sum(CASE WHEN bit THEN 1 ELSE -1 END) AS delta FROM changes
                        WHERE tenant_id = :t AND seq > :after AND seq <= :upTo AND key = ANY(:keys)
                        GROUP BY key""")
                .bind("t", tenantId).bind("after", after).bind("upTo", upTo)
                .bind("keys", ids.stream().map(s -> Change.SEGMENT_PREFIX + s).toArray(String[]::new))
                .map(row -> Map.entry(row.get("key", String.class).substring(Change.SEGMENT_PREFIX.length()),
                        ((Number) row.get("delta")).longValue()))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    /** Counts from the contacts themselves, with the last seq, in one statement (one snapshot). */
    private Mono<Counted> scan(String tenantId, List<String> ids) {
        return db.sql("""
                        SELECT x.id, count(*) AS n FROM contacts c, unnest(c.segments) AS x(id)
                        WHERE c.tenant_id = :t AND x.id = ANY(:ids) GROUP BY x.id
                        UNION ALL
                        SELECT NULL, coalesce((SELECT last_seq FROM change_seq WHERE tenant_id = :t), 0)""")
                .bind("t", tenantId)
                .bind("ids", ids.toArray(String[]::new))
                .map(row -> new Object[] {row.get("id", String.class), row.get("n", Long.class)})
                .all()
                .collectList()
                .map(rows -> {
                    Map<String, Long> out = new LinkedHashMap<>();
                    long seq = 0;
                    for (String id : ids) out.put(id, 0L);
                    for (Object[] r : rows) {
                        if (r[0] == null) seq = (Long) r[1];
                        else out.put((String) r[0], (Long) r[1]);
                    }
                    return new Counted(out, seq);
                })
                .timeout(TIMEOUT);
    }
}
