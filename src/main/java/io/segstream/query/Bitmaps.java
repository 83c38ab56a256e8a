package io.segstream.query;

import io.segstream.membership.Projection;
import io.segstream.membership.ProjectionReads;
import io.segstream.platform.ProblemException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Set algebra and snapshots on a tenant's Redis bitmaps. Every answer carries {@code asOf}, the change
 * seq the projection had applied when the answer was computed, read in the same script as the bitmaps;
 * an answer is only given from a projection that is current ({@link ProjectionReads}), else 503.
 *
 * <p>Design note: exclusions are computed as {@code r XOR (r AND x)} rather than with {@code BITOP NOT},
 * because NOT of a bitmap shorter than the others would drop every contact past its end.
 */
@Component
class Bitmaps {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final RedisScript<List> COUNT = RedisScript.of("""
            return {redis.call('BITCOUNT', KEYS[2]), tonumber(redis.call('GET', KEYS[1]) or '-1')}""", List.class);

    private static final RedisScript<List> SNAPSHOT = RedisScript.of("""
            local wm = tonumber(redis.call('GET', KEYS[1]) or '-1')
            local snap, tmp, meta = KEYS[2], KEYS[3], KEYS[4]
            local nAll, nAny, nNone, hasCh, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
            local i = 5
            local function take(n) local out = {} for k = 1, n do out[#out + 1] = KEYS[i]; i = i + 1 end return out end
            local all, any, none = take(nAll), take(nAny), take(nNone)
            local unsub = nil
            if hasCh == 1 then unsub = KEYS[i]; i = i + 1 end
            local live = KEYS[i]
            if nAll > 0 then redis.call('BITOP', 'AND', snap, unpack(all)) else redis.call('BITOP', 'AND', snap, live) end
            if nAny > 0 then
              redis.call('BITOP', 'OR', tmp, unpack(any))
              redis.call('BITOP', 'AND', snap, snap, tmp)
            end
            if nNone > 0 then
              redis.call('BITOP', 'OR', tmp, unpack(none))
              redis.call('BITOP', 'AND', tmp, snap, tmp)
              redis.call('BITOP', 'XOR', snap, snap, tmp)
            end
            if unsub then
              redis.call('BITOP', 'AND', tmp, snap, unsub)
              redis.call('BITOP', 'XOR', snap, snap, tmp)
            end
            redis.call('DEL', tmp)
            local count = redis.call('BITCOUNT', snap)
            redis.call('EXPIRE', snap, ttl)
            redis.call('SET', meta, math.max(wm, 0) .. ':' .. count, 'EX', ttl)
            return {count, wm}""", List.class);

    /** Runs a {@link BitmapProgram}: KEYS watermark, result, live, sources, temporaries; ARGV ttl, #sources, ops. */
    private static final RedisScript<List> PROGRAM = RedisScript.of("""
            local wm = tonumber(redis.call('GET', KEYS[1]) or '-1')
            local out, live, ttl, nSources = KEYS[2], KEYS[3], tonumber(ARGV[1]), tonumber(ARGV[2])
            local function source(s) return KEYS[4 + tonumber(s)] end
            local function temp(t) return KEYS[4 + nSources + tonumber(t)] end
            local stack, temps = {}, {}
            local i = 3
            while i <= #ARGV do
              local op = ARGV[i]
              if op == 'K' then
                stack[#stack + 1] = source(ARGV[i + 1]); i = i + 2
              elseif op == 'NOT' then
                local d = temp(ARGV[i + 1]); temps[#temps + 1] = d
                redis.call('BITOP', 'AND', d, live, stack[#stack])
                redis.call('BITOP', 'XOR', d, live, d)
                stack[#stack] = d; i = i + 2
              else
                local d, n = temp(ARGV[i + 1]), tonumber(ARGV[i + 2]); temps[#temps + 1] = d
                local args = {}
                for k = #stack - n + 1, #stack do args[#args + 1] = stack[k] end
                for k = 1, n do stack[#stack] = nil end
                redis.call('BITOP', op, d, unpack(args))
                stack[#stack + 1] = d; i = i + 3
              end
            end
            redis.call('BITOP', 'AND', out, live, stack[1])
            for _, k in ipairs(temps) do redis.call('DEL', k) end
            local count = redis.call('BITCOUNT', out)
            redis.call('EXPIRE', out, ttl)
            return {count, wm}""", List.class);

    private final ReactiveStringRedisTemplate redis;
    private final ReactiveRedisConnectionFactory connections;
    private final ProjectionReads reads;

    Bitmaps(ReactiveStringRedisTemplate redis, ReactiveRedisConnectionFactory connections, ProjectionReads reads) {
        this.redis = redis;
        this.connections = connections;
        this.reads = reads;
    }

    record Counted(long count, long asOf) {}

    /** A snapshot: its id, how many members, and the seq it reflects. */
    record Snapshot(String id, long count, long asOf) {}

    Mono<Counted> count(String tenantId, String key) {
        Mono<Counted> read = redis.execute(COUNT, List.of(Projection.watermarkKey(tenantId), Projection.key(tenantId, key)), List.of())
                .next()
                .map(r -> new Counted(((Number) r.get(0)).longValue(), ((Number) r.get(1)).longValue()))
                .timeout(TIMEOUT)
                .onErrorMap(e -> !(e instanceof ProblemException), Bitmaps::unavailable);
        return reads.current(tenantId, read, Counted::asOf, c -> Mono.empty())
                .map(c -> c.asOf() < 0 ? new Counted(c.count(), 0) : c);
    }

    /** Builds (all AND any-of AND NOT none AND NOT unsubscribed) into a new snapshot kept for {@code ttl}. */
    Mono<Snapshot> snapshot(String tenantId, List<String> all, List<String> any, List<String> none, String channel, Duration ttl) {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        List<String> keys = new ArrayList<>();
        keys.add(Projection.watermarkKey(tenantId));
        keys.add(snapshotKey(tenantId, id));
        keys.add(Projection.key(tenantId, "tmp:" + id));
        keys.add(metaKey(tenantId, id));
        all.forEach(k -> keys.add(Projection.key(tenantId, k)));
        any.forEach(k -> keys.add(Projection.key(tenantId, k)));
        none.forEach(k -> keys.add(Projection.key(tenantId, k)));
        if (channel != null) keys.add(Projection.key(tenantId, "unsub:" + channel));
        keys.add(Projection.key(tenantId, "live"));
        List<String> args = List.of(Integer.toString(all.size()), Integer.toString(any.size()), Integer.toString(none.size()),
                channel == null ? "0" : "1", Long.toString(Math.max(1, ttl.toSeconds())));
        Mono<Snapshot> read = redis.execute(SNAPSHOT, keys, args)
                .next()
                .map(r -> new Snapshot(id, ((Number) r.get(0)).longValue(), ((Number) r.get(1)).longValue()))
                .timeout(TIMEOUT)
                .onErrorMap(e -> !(e instanceof ProblemException), Bitmaps::unavailable);
        return reads.current(tenantId, read, Snapshot::asOf, s -> discard(tenantId, s.id()))
                .map(s -> s.asOf() < 0 ? new Snapshot(s.id(), s.count(), 0) : s);
    }

    /**
     * Evaluates {@code program} over the tenant's bitmaps into a new snapshot of the live contacts it
     * selects, kept for {@code ttl} (read it with {@link #members}, then {@link #discard} it).
     */
    Mono<Snapshot> evaluate(String tenantId, BitmapProgram program, Duration ttl) {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        List<String> keys = new ArrayList<>();
        keys.add(Projection.watermarkKey(tenantId));
        keys.add(snapshotKey(tenantId, id));
        keys.add(Projection.key(tenantId, "live"));
        program.sources().forEach(k -> keys.add(Projection.key(tenantId, k)));
        for (int t = 0; t < program.temps(); t++) keys.add(Projection.key(tenantId, "tmp:" + id + ":" + t));
        List<String> args = new ArrayList<>();
        args.add(Long.toString(Math.max(1, ttl.toSeconds())));
        args.add(Integer.toString(program.sources().size()));
        args.addAll(program.ops());
        Mono<Snapshot> read = redis.execute(PROGRAM, keys, args)
                .next()
                .map(r -> new Snapshot(id, ((Number) r.get(0)).longValue(), ((Number) r.get(1)).longValue()))
                .timeout(TIMEOUT)
                .onErrorMap(e -> !(e instanceof ProblemException), Bitmaps::unavailable);
        return reads.current(tenantId, read, Snapshot::asOf, s -> discard(tenantId, s.id()))
                .map(s -> s.asOf() < 0 ? new Snapshot(s.id(), s.count(), 0) : s);
    }

    /**
     * Shortens the life of a snapshot that was read to its end to {@link #RELEASED_TTL}, so that a
     * client retrying its last page still finds it but it does not hold memory for the whole TTL (a
     * snapshot costs as much as one of the tenant's bitmaps). Best effort.
     */
    Mono<Void> release(String tenantId, String id) {
        return redis.expire(snapshotKey(tenantId, id), RELEASED_TTL)
                .then(redis.expire(metaKey(tenantId, id), RELEASED_TTL))
                .timeout(TIMEOUT)
                .onErrorResume(e -> Mono.empty())
                .then();
    }

    /** Deletes a snapshot that no cursor names (its only page has been read). Best effort. */
    Mono<Void> discard(String tenantId, String id) {
        return redis.delete(snapshotKey(tenantId, id), metaKey(tenantId, id))
                .timeout(TIMEOUT)
                .onErrorResume(e -> Mono.empty())
                .then();
    }

    /** The snapshot's count and asOf, or empty once it expired (or never existed). */
    Mono<Snapshot> find(String tenantId, String id) {
        return redis.opsForValue().get(metaKey(tenantId, id))
                .map(v -> {
                    String[] p = v.split(":");
                    return new Snapshot(id, Long.parseLong(p[1]), Long.parseLong(p[0]));
                })
                .timeout(TIMEOUT)
                .onErrorMap(e -> !(e instanceof ProblemException), Bitmaps::unavailable);
    }

    /**
     * Up to {@code limit} set bits of the snapshot at or after {@code from}, ascending, read in chunks.
     */
    Mono<long[]> members(String tenantId, String id, long from, int limit) {
        String key = snapshotKey(tenantId, id);
        return collect(key, from, limit, CHUNK, new long[limit], 0)
                .timeout(TIMEOUT)
                .onErrorMap(e -> !(e instanceof ProblemException), Bitmaps::unavailable);
    }

    static final int CHUNK = 8192;
    static final Duration RELEASED_TTL = Duration.ofSeconds(30);

    /**
     * The snapshot's bitmap in chunks of {@link #CHUNK} bytes ({@code CHUNK * 8} contact numbers), in
     * order, each with the contact number of its first bit; read one chunk ahead of the consumer.
     */
    reactor.core.publisher.Flux<Chunk> chunks(String tenantId, String id) {
        String key = snapshotKey(tenantId, id);
        return length(key).timeout(TIMEOUT)
                .flatMapMany(bytes -> reactor.core.publisher.Flux.range(0, (int) ((bytes + CHUNK - 1) / CHUNK))
                        .concatMap(i -> range(key, (long) i * CHUNK, Math.min(bytes, (long) (i + 1) * CHUNK) - 1).timeout(TIMEOUT)
                                .map(b -> new Chunk((long) i * CHUNK * 8, b)), 1))
                .onErrorMap(e -> !(e instanceof ProblemException), Bitmaps::unavailable);
    }

    /** Bits of a bitmap from contact number {@code firstNo} on (most significant bit first, as Redis stores them). */
    record Chunk(long firstNo, byte[] bits) {
        boolean has(long no) {
            long i = no - firstNo;
            return i >= 0 && i < bits.length * 8L && (bits[(int) (i >> 3)] & (0x80 >>> (i & 7))) != 0;
        }

        /** Contact numbers from the first set bit to just after the last one, or null when none is set. */
        long[] span() {
            int first = -1, last = -1;
            for (int i = 0; i < bits.length; i++) {
                if (bits[i] == 0) continue;
                if (first < 0) first = i * 8 + Integer.numberOfLeadingZeros(bits[i] & 0xff) - 24;
                last = i * 8 + 7 - Integer.numberOfTrailingZeros(bits[i] & 0xff);
            }
            return first < 0 ? null : new long[] {firstNo + first, firstNo + last + 1};
        }

        int count() {
            int n = 0;
            for (byte b : bits) n += Integer.bitCount(b & 0xff);
            return n;
        }

        long[] numbers() {
            long[] out = new long[count()];
            int n = 0;
            for (int i = 0; i < bits.length; i++) {
                int b = bits[i] & 0xff;
                while (b != 0) {
                    int bit = Integer.numberOfLeadingZeros(b) - 24;
                    out[n++] = firstNo + i * 8L + bit;
                    b &= ~(0x80 >>> bit);
                }
            }
            return out;
        }
    }

    /** Reads on from {@code from} in growing chunks (8 KiB, doubling to 128 KiB) until enough bits or the end. */
    private Mono<long[]> collect(String key, long from, int limit, int chunk, long[] out, int found) {
        if (found >= limit) return Mono.just(out);
        long startByte = from / 8;
        return range(key, startByte, startByte + chunk - 1).flatMap(bytes -> {
            int n = found;
            for (long no : new Chunk(startByte * 8, bytes).numbers()) {
                if (n == limit) break;
                if (no >= from) out[n++] = no;
            }
            if (bytes.length < chunk) return Mono.just(java.util.Arrays.copyOf(out, n)); // the end of the bitmap
            return collect(key, (startByte + chunk) * 8, limit, Math.min(chunk * 2, 16 * CHUNK), out, n);
        });
    }

    private Mono<Long> length(String key) {
        return Mono.usingWhen(Mono.fromSupplier(connections::getReactiveConnection),
                c -> c.stringCommands().strLen(buffer(key)),
                c -> c.closeLater());
    }

    private Mono<byte[]> range(String key, long from, long to) {
        return Mono.usingWhen(Mono.fromSupplier(connections::getReactiveConnection),
                c -> c.stringCommands().getRange(buffer(key), from, to).map(bb -> {
                    byte[] out = new byte[bb.remaining()];
                    bb.get(out);
                    return out;
                }),
                c -> c.closeLater());
    }

    private static ByteBuffer buffer(String key) {
        return ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8));
    }

    static String snapshotKey(String tenantId, String id) {
        return Projection.key(tenantId, "snap:" + id);
    }

    static String metaKey(String tenantId, String id) {
        return Projection.key(tenantId, "snapmeta:" + id);
    }

    static ProblemException unavailable(Throwable cause) {
        return ProblemException.unavailable("Membership queries are unavailable (Redis): " + cause.getMessage(),
                Duration.ofSeconds(2));
    }
}
