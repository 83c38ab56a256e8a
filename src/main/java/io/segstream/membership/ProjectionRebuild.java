package io.segstream.membership;

import io.segstream.contact.ContactStore;
import io.segstream.contact.ContactStore.ProjectedContact;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Rebuilds a tenant's Redis projection from the contacts in PostgreSQL, for when the change log no
 * longer holds the changes after Redis's watermark (it was pruned while Redis was empty or behind).
 *
 * <p>Design note: one REPEATABLE READ snapshot reads the tenant's last seq and every contact's projected
 * bits; because seqs commit in order under the tenant's seq lock, that state is exactly the log replayed
 * up to that seq. The bitmaps are written to temporary keys window by window (8,192 contact numbers at a
 * time, so memory stays bounded), then one script swaps them in, drops keys nobody is in any more and
 * sets the watermark to that seq; catching up continues from there. Whatever other instances applied
 * meanwhile is replaced by a consistent (bitmaps, watermark) pair, so concurrent rebuilds are harmless.
 */
@Component
class ProjectionRebuild {

    private static final Logger log = LoggerFactory.getLogger(ProjectionRebuild.class);
    private static final int WINDOW = 8192;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TEMP_TTL = Duration.ofHours(1);

    /** KEYS: watermark, registry, length, n temporary keys, n final keys; ARGV: seq, length, n. */
    private static final RedisScript<Long> SWAP = RedisScript.of(Projection.SIZE + """
            local n = tonumber(ARGV[3])
            local keep = {}
            for i = 1, n do keep[KEYS[3 + n + i]] = true end
            for _, k in ipairs(redis.call('SMEMBERS', KEYS[2])) do
              if not keep[k] then redis.call('DEL', k) end
            end
            redis.call('DEL', KEYS[2])
            local len = math.max(size(tonumber(ARGV[2])), tonumber(redis.call('GET', KEYS[3]) or '0'))
            for i = 1, n do
              local tmp, final = KEYS[3 + i], KEYS[3 + n + i]
              -- Written in windows with SETRANGE, the temporary string was allocated greedily: padded to the
              -- tenant's length, it is copied at exactly that length (Projection.FIT), without its expiry.
              if redis.call('STRLEN', tmp) < len then redis.call('SETBIT', tmp, len * 8 - 1, 0) end
              redis.call('COPY', tmp, final, 'REPLACE')
              redis.call('DEL', tmp)
              redis.call('PERSIST', final)
              redis.call('SADD', KEYS[2], final)
            end
            redis.call('SET', KEYS[3], len)
            redis.call('SET', KEYS[1], ARGV[1])
            return tonumber(ARGV[1])""", Long.class);

    private final ContactStore contacts;
    private final DatabaseClient db;
    private final ReactiveStringRedisTemplate redis;
    private final ReactiveRedisConnectionFactory connections;
    private final TransactionalOperator snapshot;

    ProjectionRebuild(ContactStore contacts, DatabaseClient db, ReactiveStringRedisTemplate redis,
            ReactiveRedisConnectionFactory connections, ReactiveTransactionManager transactions) {
        this.contacts = contacts;
        this.db = db;
        this.redis = redis;
        this.connections = connections;
        DefaultTransactionDefinition definition = new DefaultTransactionDefinition();
        definition.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        definition.setReadOnly(true);
        this.snapshot = TransactionalOperator.create(transactions, definition);
    }

    /** Rebuilds the tenant's projection; emits the seq it now reflects. */
    Mono<Long> rebuild(String tenantId) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> temporary = new java.util.concurrent.ConcurrentHashMap<>();
        long started = System.nanoTime();
        Mono<long[]> read = lastSeq(tenantId).flatMap(seq -> contacts.maxNumber(tenantId).flatMap(maxNo -> Flux
                .range(0, (int) (maxNo / WINDOW) + 1)
                .concatMap(w -> contacts.projected(tenantId, (long) w * WINDOW, (long) (w + 1) * WINDOW)
                        .flatMap(rows -> write(tenantId, run, (long) w * WINDOW, maxNo, rows, temporary)))
                .then(Mono.fromSupplier(() -> new long[] {seq, maxNo}))))
                .as(snapshot::transactional);
        // The temporary bitmaps end at the byte of the highest contact number, which the tenant's length covers.
        return read.flatMap(r -> swap(tenantId, temporary, r[0], r[1] < 0 ? 0 : r[1] / 8 + 1))
                .doOnNext(seq -> log.info("Rebuilt the Redis projection of tenant {} from PostgreSQL as of seq {} ({} keys) in {} ms",
                        tenantId, seq, temporary.size(), (System.nanoTime() - started) / 1_000_000));
    }

    private Mono<Long> lastSeq(String tenantId) {
        return db.sql("SELECT last_seq FROM change_seq WHERE tenant_id = :t")
                .bind("t", tenantId)
                .map(row -> row.get("last_seq", Long.class))
                .one()
                .defaultIfEmpty(0L)
                .timeout(TIMEOUT);
    }

    /**
     * Writes one window of contact numbers [from, from + WINDOW) into the temporary keys, the last one only up to
     * the byte of {@code maxNo}.
     */
    private Mono<Void> write(String tenantId, String run, long from, long maxNo, List<ProjectedContact> rows,
            Map<String, String> temporary) {
        int bytes = (int) Math.min(WINDOW / 8, (maxNo - from) / 8 + 1);
        Map<String, byte[]> windows = new HashMap<>();
        for (ProjectedContact c : rows) {
            List<String> keys = new ArrayList<>(MembershipEngine.profileBits(c.profile()));
            for (String segment : c.segments()) keys.add(Change.SEGMENT_PREFIX + segment);
            int offset = (int) (c.contactNo() - from);
            for (String k : keys) windows.computeIfAbsent(k, x -> new byte[bytes])[offset >> 3] |= (byte) (0x80 >>> (offset & 7));
        }
        return Flux.fromIterable(windows.entrySet())
                .flatMap(e -> {
                    String tmp = temporary.computeIfAbsent(e.getKey(), k -> Projection.key(tenantId, "rebuild:" + run + ":" + k));
                    ByteBuffer key = ByteBuffer.wrap(tmp.getBytes(StandardCharsets.UTF_8));
                    return Mono.usingWhen(Mono.fromSupplier(connections::getReactiveConnection),
                            c -> c.stringCommands().setRange(key, ByteBuffer.wrap(e.getValue()), from / 8)
                                    .then(c.keyCommands().expire(key.duplicate(), TEMP_TTL)),
                            c -> c.closeLater());
                }, 8)
                .timeout(TIMEOUT)
                .then();
    }

    private Mono<Long> swap(String tenantId, Map<String, String> temporary, long seq, long bytes) {
        List<String> finals = new ArrayList<>(temporary.keySet());
        List<String> keys = new ArrayList<>();
        keys.add(Projection.watermarkKey(tenantId));
        keys.add(Projection.registryKey(tenantId));
        keys.add(Projection.lengthKey(tenantId));
        finals.forEach(k -> keys.add(temporary.get(k)));
        finals.forEach(k -> keys.add(Projection.key(tenantId, k)));
        return redis.execute(SWAP, keys, List.of(Long.toString(seq), Long.toString(bytes), Integer.toString(finals.size())))
                .next()
                .timeout(TIMEOUT);
    }
}
