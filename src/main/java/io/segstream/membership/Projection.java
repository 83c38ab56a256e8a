package io.segstream.membership;

import java.time.Duration;
import java.util.ArrayList;
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
import reactor.core.publisher.Sinks;

/**
 * The Redis bitmap projection of the change log: one bitmap per segment, tag, audience and channel
 * consent, and one of live contacts, with bit offset = contact number; all keys of a tenant share the
 * hash tag {@code {t:<tenant>}} so multi-key operations work on Redis Cluster.
 *
 * <p>Design note: changes are applied in seq order by a script that skips every seq at or below the
 * tenant's watermark and advances it atomically, so concurrent or repeated catch-ups (any instance) can
 * never apply an older change over a newer one.
 */
@Component
public class Projection {

    private static final Logger log = LoggerFactory.getLogger(Projection.class);
    private static final int PAGE = 5000;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final RedisScript<Long> APPLY = RedisScript.of("""
            local wm = tonumber(redis.call('GET', KEYS[1]) or '0')
            for i = 1, #ARGV, 4 do
              local seq = tonumber(ARGV[i])
              if seq > wm then
                redis.call('SETBIT', KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], ARGV[i + 3])
                wm = seq
              end
            end
            redis.call('SET', KEYS[1], wm)
            return wm""", Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final DatabaseClient db;

    public Projection(ReactiveStringRedisTemplate redis, DatabaseClient db) {
        this.redis = redis;
        this.db = db;
    }

    public static String key(String tenantId, String changeKey) {
        return "{t:" + tenantId + "}:" + changeKey;
    }

    public static String watermarkKey(String tenantId) {
        return key(tenantId, "wm");
    }

    /** Applies every change after the tenant's watermark; emits the new watermark. */
    public Mono<Long> catchUp(String tenantId) {
        return watermark(tenantId).flatMap(wm -> page(tenantId, wm).flatMap(rows -> {
            if (rows.isEmpty()) return Mono.just(wm);
            return apply(tenantId, rows).flatMap(next -> rows.size() < PAGE ? Mono.just(next) : catchUp(tenantId));
        }));
    }

    /**
     * {@link #catchUp}, logging instead of failing: the next catch-up (or the sweep) repairs what this
     * one missed. Single-flight per tenant on this instance: while one caller is catching up, others ask
     * it to go round once more and wait for it, so a burst of commits costs one reader, and every caller
     * returns only once the log as of its call has been applied (read-your-writes for queries).
     */
    public Mono<Void> catchUpQuietly(String tenantId) {
        return Mono.defer(() -> {
            Flight f = flights.computeIfAbsent(tenantId, t -> new Flight());
            Sinks.Empty<Void> done;
            synchronized (f) {
                f.again = true;
                if (f.running) return f.done.asMono();
                f.running = true;
                f.done = Sinks.empty();
                done = f.done;
            }
            return Mono.defer(() -> {
                        synchronized (f) {
                            f.again = false;
                        }
                        return catchUp(tenantId).timeout(TIMEOUT)
                                .doOnError(e -> log.warn("Redis projection of tenant {} is behind: {}", tenantId, e.toString()))
                                .onErrorResume(e -> Mono.empty())
                                .then();
                    })
                    .repeat(() -> {
                        synchronized (f) {
                            if (f.again) return true;
                            f.running = false;
                            return false;
                        }
                    })
                    .then()
                    .doFinally(signal -> {
                        synchronized (f) {
                            // A caller that went away (client disconnected) must not leave the flight taken.
                            if (f.done == done) f.running = false;
                        }
                        done.tryEmitEmpty();
                    });
        });
    }

    private static final class Flight {
        boolean running;
        boolean again;
        Sinks.Empty<Void> done = Sinks.empty();
    }

    private final Map<String, Flight> flights = new java.util.concurrent.ConcurrentHashMap<>();

    public Mono<Long> watermark(String tenantId) {
        return redis.opsForValue().get(watermarkKey(tenantId)).map(Long::parseLong).defaultIfEmpty(0L).timeout(TIMEOUT);
    }

    private record Row(long seq, String key, long contactNo, boolean bit) {}

    private Mono<List<Row>> page(String tenantId, long after) {
        return db.sql("SELECT seq, key, contact_no, bit FROM changes WHERE tenant_id = :t AND seq > :after ORDER BY seq LIMIT :n")
                .bind("t", tenantId)
                .bind("after", after)
                .bind("n", PAGE)
                .map(row -> new Row(row.get("seq", Long.class), row.get("key", String.class), row.get("contact_no", Long.class),
                        row.get("bit", Boolean.class)))
                .all()
                .collectList()
                .timeout(TIMEOUT);
    }

    private Mono<Long> apply(String tenantId, List<Row> rows) {
        Map<String, Integer> keyIndex = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        keys.add(watermarkKey(tenantId));
        List<String> args = new ArrayList<>(rows.size() * 4);
        for (Row r : rows) {
            String k = key(tenantId, r.key());
            Integer idx = keyIndex.get(k);
            if (idx == null) {
                keys.add(k);
                idx = keys.size();
                keyIndex.put(k, idx);
            }
            args.add(Long.toString(r.seq()));
            args.add(Integer.toString(idx));
            args.add(Long.toString(r.contactNo()));
            args.add(r.bit() ? "1" : "0");
        }
        return redis.execute(APPLY, keys, args).next().timeout(TIMEOUT);
    }
}
