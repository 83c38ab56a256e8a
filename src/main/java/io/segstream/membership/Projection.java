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
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(2);
    /**
     * Bytes a tenant's bitmap length stays below its allocation (a power of two up to 8,192, then a multiple
     * of 8,192): room for the string's own header, so that the allocation is that size itself (jemalloc's
     * size classes, and glibc's pages, fall on those sizes).
     */
    static final int ALLOCATION_SLACK = 64;

    /** The smallest allocation of a bitmap: 64 bytes long, 512 contact numbers. */
    static final int SMALLEST_ALLOCATION = 128;

    /**
     * A Lua function {@code size(need)}: the byte length of a tenant's bitmaps when they must hold {@code need}
     * bytes. Up to 8,192 bytes the allocations double from {@link #SMALLEST_ALLOCATION}, so that a tenant of a
     * few thousand contacts holds bitmaps of a few hundred bytes, not 8 KiB each; from there on they are
     * multiples of 8,192. The length is {@link #ALLOCATION_SLACK} under the allocation.
     */
    static final String SIZE = """
            local function size(need)
              local unit = %d
              while unit < 8192 and unit - %d < need do unit = unit * 2 end
              if unit - %d >= need then return unit - %d end
              return math.ceil((need + %d) / 8192) * 8192 - %d
            end
            """.formatted(SMALLEST_ALLOCATION, ALLOCATION_SLACK, ALLOCATION_SLACK, ALLOCATION_SLACK, ALLOCATION_SLACK,
            ALLOCATION_SLACK);

    /**
     * A Lua function {@code fit(key, len, scratch)} that makes a bitmap {@code len} bytes long, zero-padded,
     * with an allocation of that size; {@code scratch} is a key of the tenant the function leaves absent.
     *
     * <p>Design note: padding with {@code SETBIT} at the last bit (or {@code SETRANGE}, {@code APPEND}) lets
     * Redis grow the string greedily: below 1 MB it allocates twice the length asked, above it 1 MB more.
     * Measured with {@code MEMORY USAGE} on Redis 7.0 (jemalloc), a 131,072-byte bitmap (1,000,000 contact
     * numbers) held 327,768 bytes padded that way, 163,928 bytes created at that length, and 131,160 with
     * the length kept {@link #ALLOCATION_SLACK} under the multiple (docs/scaling.md). {@code COPY}
     * duplicates a string at exactly its length, so the padded bitmap is copied and the copy renamed over
     * it: one native copy per bitmap each time the tenant's length doubles (200 bitmaps growing from
     * 131,008 to 262,080 bytes: 19 ms in one script, against 91 ms for the greedy {@code SETBIT} alone;
     * writing the string again from Lua took 316 ms).
     */
    static final String FIT = """
            local function fit(k, len, scratch)
              if redis.call('STRLEN', k) >= len then return end
              redis.call('SETBIT', k, len * 8 - 1, 0)
              redis.call('COPY', k, scratch, 'REPLACE')
              redis.call('RENAME', scratch, k)
            end
            """;

    /**
     * KEYS: watermark, key registry, length, scratch (for {@code fit}), then the bitmaps; ARGV: bytes needed, then (seq, key index,
     * contact number, bit) per change. Returns the new watermark, or -1 when the first change does not
     * follow the watermark (Redis lost it meanwhile: the caller starts again from the new one).
     */
    private static final RedisScript<Long> APPLY = RedisScript.of(FIT + SIZE + """
            local wm = tonumber(redis.call('GET', KEYS[1]) or '0')
            if tonumber(ARGV[2]) > wm + 1 then return -1 end
            local len = tonumber(redis.call('GET', KEYS[3]) or '0')
            local need = tonumber(ARGV[1])
            if need > len then
              len = size(math.max(need, len * 2))
              redis.call('SET', KEYS[3], len)
              for _, k in ipairs(redis.call('SMEMBERS', KEYS[2])) do fit(k, len, KEYS[4]) end
            end
            for k = 5, #KEYS do
              if redis.call('SADD', KEYS[2], KEYS[k]) == 1 then fit(KEYS[k], len, KEYS[4]) end
            end
            for i = 2, #ARGV, 4 do
              local seq = tonumber(ARGV[i])
              if seq > wm then
                redis.call('SETBIT', KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2], ARGV[i + 3])
                wm = seq
              end
            end
            redis.call('SET', KEYS[1], wm)
            return wm""", Long.class);

    private static final RedisScript<Long> DROP_IF_EMPTY = RedisScript.of("""
            if redis.call('BITCOUNT', KEYS[2]) > 0 then return 0 end
            redis.call('SREM', KEYS[1], KEYS[2])
            return redis.call('DEL', KEYS[2])""", Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final DatabaseClient db;
    private final ProjectionHealth health;

    public Projection(ReactiveStringRedisTemplate redis, DatabaseClient db, ProjectionHealth health) {
        this.redis = redis;
        this.db = db;
        this.health = health;
    }

    public static String key(String tenantId, String changeKey) {
        return "{t:" + tenantId + "}:" + changeKey;
    }

    public static String watermarkKey(String tenantId) {
        return key(tenantId, "wm");
    }

    /** The set of the tenant's projected bitmap keys (so that all can be kept at one length). */
    static String registryKey(String tenantId) {
        return key(tenantId, "keys");
    }

    /** A scratch key of the tenant's scripts, absent between them. */
    static String scratchKey(String tenantId) {
        return key(tenantId, "pad");
    }

    /** The byte length every bitmap of the tenant is kept at. */
    static String lengthKey(String tenantId) {
        return key(tenantId, "len");
    }

    /**
     * Applies every change after the tenant's watermark, in seq order; emits the new watermark. Seqs are
     * consecutive per tenant and commit in order, so a change missing after the watermark means the log
     * was pruned past it: then nothing is applied, the tenant is marked for a rebuild (done by the sweep)
     * and its queries answer 503 until then. A missing watermark with a non-empty log means Redis lost the
     * tenant's projection: it is replayed, and reported as recovering until it has caught up.
     */
    public Mono<Long> catchUp(String tenantId) {
        return storedWatermark(tenantId).flatMap(stored -> page(tenantId, stored.orElse(0L)).flatMap(page -> {
            long wm = stored.orElse(0L);
            acknowledge(tenantId, page.lastSeq());
            if (stored.isEmpty() && page.lastSeq() > 0) health.lost(tenantId, ProjectionHealth.Loss.LOST);
            if (page.gapAfter(wm)) {
                log.warn("The change log of tenant {} no longer holds the changes after Redis watermark {}; rebuilding from the contacts",
                        tenantId, wm);
                health.lost(tenantId, ProjectionHealth.Loss.GAP);
                return Mono.just(wm);
            }
            if (page.rows().isEmpty()) {
                health.caughtUp(tenantId);
                return Mono.just(wm);
            }
            return apply(tenantId, page.rows()).flatMap(next -> next < 0 || page.rows().size() == PAGE ? catchUp(tenantId)
                    : Mono.fromRunnable(() -> health.caughtUp(tenantId)).thenReturn(next));
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
                        return catchUp(tenantId).timeout(CATCH_UP_TIMEOUT)
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

    /**
     * Applies changes just committed without reading them back, when they follow the tenant's watermark
     * (the script checks); otherwise, or on failure, catches up from the log ({@link #catchUpQuietly}).
     * Emits once the changes are applied or the catch-up has ended.
     */
    public Mono<Void> applyCommitted(Appended changes) {
        if (changes.isEmpty()) return Mono.empty();
        List<Row> rows = new ArrayList<>(changes.changes().size());
        for (int i = 0; i < changes.changes().size(); i++) {
            Change c = changes.changes().get(i);
            rows.add(new Row(changes.seq(i), c.key(), c.contactNo(), c.bit()));
        }
        String tenantId = changes.tenantId();
        acknowledge(tenantId, changes.lastSeq());
        return apply(tenantId, rows)
                .onErrorResume(e -> Mono.just(-1L))
                .flatMap(wm -> wm >= changes.lastSeq() ? Mono.<Void>empty() : catchUpQuietly(tenantId));
    }

    /**
     * The highest seq of the tenant this instance knows to be committed: changes it committed and handed
     * over ({@link #applyCommitted}), and the log's end as a catch-up read it. A query answers from Redis
     * only once the watermark reached it (see {@link ProjectionReads}).
     */
    public long acknowledged(String tenantId) {
        java.util.concurrent.atomic.AtomicLong seq = acknowledged.get(tenantId);
        return seq == null ? 0 : seq.get();
    }

    /** Records that this instance acknowledged the tenant's changes up to {@code seq} (committed). */
    public void acknowledge(String tenantId, long seq) {
        if (seq <= 0) return;
        acknowledged.computeIfAbsent(tenantId, t -> new java.util.concurrent.atomic.AtomicLong()).accumulateAndGet(seq, Math::max);
    }

    private final Map<String, java.util.concurrent.atomic.AtomicLong> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();

    private static final class Flight {
        boolean running;
        boolean again;
        Sinks.Empty<Void> done = Sinks.empty();
    }

    private final Map<String, Flight> flights = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Drops a bitmap nobody is in any more (a deleted segment's), unless it has members again (the id was
     * reused meanwhile). Best effort: a bitmap left behind holds only zeros.
     */
    public Mono<Void> dropIfEmpty(String tenantId, String changeKey) {
        return redis.execute(DROP_IF_EMPTY, List.of(registryKey(tenantId), key(tenantId, changeKey)), List.of())
                .next()
                .timeout(TIMEOUT)
                .onErrorResume(e -> Mono.empty())
                .then();
    }

    public Mono<Long> watermark(String tenantId) {
        return storedWatermark(tenantId).map(w -> w.orElse(0L));
    }

    private Mono<java.util.Optional<Long>> storedWatermark(String tenantId) {
        return redis.opsForValue().get(watermarkKey(tenantId)).map(v -> java.util.Optional.of(Long.parseLong(v)))
                .defaultIfEmpty(java.util.Optional.empty()).timeout(TIMEOUT);
    }

    private record Row(long seq, String key, long contactNo, boolean bit) {}

    /** Changes after a watermark, and the tenant's last seq as of the same statement. */
    private record Page(List<Row> rows, long lastSeq) {
        boolean gapAfter(long wm) {
            if (rows.isEmpty()) return lastSeq > wm;
            long expected = wm + 1;
            for (Row r : rows) {
                if (r.seq() != expected) return true;
                expected++;
            }
            return false;
        }
    }

    private Mono<Page> page(String tenantId, long after) {
        return db.sql("""
                        SELECT s.last_seq, c.seq, c.key, c.contact_no, c.bit FROM change_seq s
                        LEFT JOIN LATERAL (SELECT seq, key, contact_no, bit FROM changes
                                           WHERE tenant_id = s.tenant_id AND seq > :after ORDER BY seq LIMIT :n) c ON true
                        WHERE s.tenant_id = :t""")
                .bind("t", tenantId)
                .bind("after", after)
                .bind("n", PAGE)
                .map(row -> {
                    Long seq = row.get("seq", Long.class);
                    Row r = seq == null ? null : new Row(seq, row.get("key", String.class), row.get("contact_no", Long.class),
                            row.get("bit", Boolean.class));
                    return Map.entry(row.get("last_seq", Long.class), java.util.Optional.ofNullable(r));
                })
                .all()
                .collectList()
                .map(rows -> new Page(rows.stream().flatMap(e -> e.getValue().stream()).toList(),
                        rows.isEmpty() ? 0 : rows.get(0).getKey()))
                .timeout(TIMEOUT);
    }

    private Mono<Long> apply(String tenantId, List<Row> rows) {
        Map<String, Integer> keyIndex = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        keys.add(watermarkKey(tenantId));
        keys.add(registryKey(tenantId));
        keys.add(lengthKey(tenantId));
        keys.add(scratchKey(tenantId));
        List<String> args = new ArrayList<>(rows.size() * 4 + 1);
        long maxNo = rows.stream().mapToLong(Row::contactNo).max().orElse(0);
        args.add(Long.toString(maxNo / 8 + 1));
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
