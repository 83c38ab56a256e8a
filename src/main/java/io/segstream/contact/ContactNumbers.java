package io.segstream.contact;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Hands out dense per-tenant contact numbers (bitmap offsets). Each instance reserves blocks of
 * {@link #BLOCK} numbers from {@code contact_number_blocks} in a short transaction of its own, then
 * serves them from memory, so the counter row is never a hot lock. Numbers are never reused; a
 * block left unused when an instance stops leaves a gap.
 *
 * <p>Design note: the next block is reserved ahead of need, in the background, once fewer than a
 * block's worth are left, so a batch rarely waits for a reservation (its own commit, on its own
 * connection: when the disk stalls a commit, a batch that needed one waited as long). A batch that needs
 * more than is at hand still reserves what it lacks itself.
 */
@Component
public class ContactNumbers {

    static final int BLOCK = 1024;
    private static final Logger log = LoggerFactory.getLogger(ContactNumbers.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private record Range(long next, long end) {}

    private final DatabaseClient db;
    private final Map<String, Deque<Range>> pools = new ConcurrentHashMap<>();
    private final Map<String, AtomicBoolean> refilling = new ConcurrentHashMap<>();

    public ContactNumbers(DatabaseClient db) {
        this.db = db;
    }

    /** Emits {@code count} fresh numbers of the tenant (not always ascending: numbers handed back come first). */
    public Mono<long[]> allocate(String tenantId, int count) {
        if (count == 0) return Mono.just(new long[0]);
        long[] out = new long[count];
        int taken = takeLocal(tenantId, out, 0);
        if (taken == count) {
            refillIfLow(tenantId);
            return Mono.just(out);
        }
        int missing = count - taken;
        long size = Math.max(BLOCK, missing);
        return reserve(tenantId, size).map(start -> {
            for (int i = 0; i < missing; i++) out[taken + i] = start + i;
            if (size > missing) giveBack(tenantId, new Range(start + missing, start + size));
            refillIfLow(tenantId);
            return out;
        });
    }

    /** Reserves the next block in the background when less than a block is left (one at a time per tenant). */
    private void refillIfLow(String tenantId) {
        if (available(tenantId) >= BLOCK) return;
        AtomicBoolean busy = refilling.computeIfAbsent(tenantId, t -> new AtomicBoolean());
        if (!busy.compareAndSet(false, true)) return;
        Mono.defer(() -> reserve(tenantId, BLOCK))
                .doFinally(signal -> busy.set(false))
                .subscribe(start -> giveBack(tenantId, new Range(start, start + BLOCK)),
                        e -> log.warn("Contact numbers of tenant {} not reserved ahead: {}", tenantId, e.toString()));
    }

    /** How many numbers this instance holds for the tenant. */
    long available(String tenantId) {
        Deque<Range> pool = pools.get(tenantId);
        if (pool == null) return 0;
        synchronized (pool) {
            long n = 0;
            for (Range r : pool) n += r.end - r.next;
            return n;
        }
    }

    /**
     * Returns {@code numbers[from..]}, taken by {@link #allocate} and written nowhere, to be handed out
     * again (they are ascending, so mostly one range).
     */
    public void giveBack(String tenantId, long[] numbers, int from) {
        if (from >= numbers.length) return;
        Deque<Range> pool = pools.computeIfAbsent(tenantId, t -> new ArrayDeque<>());
        synchronized (pool) {
            // Last range first, each to the front: they are handed out next, in ascending order.
            int j = numbers.length;
            while (j > from) {
                int i = j - 1;
                while (i > from && numbers[i - 1] == numbers[i] - 1) i--;
                pool.addFirst(new Range(numbers[i], numbers[j - 1] + 1));
                j = i;
            }
        }
    }

    private int takeLocal(String tenantId, long[] out, int from) {
        Deque<Range> pool = pools.computeIfAbsent(tenantId, t -> new ArrayDeque<>());
        synchronized (pool) {
            int i = from;
            while (i < out.length && !pool.isEmpty()) {
                Range r = pool.pollFirst();
                long n = r.next;
                while (i < out.length && n < r.end) out[i++] = n++;
                if (n < r.end) pool.addFirst(new Range(n, r.end));
            }
            return i;
        }
    }

    private void giveBack(String tenantId, Range range) {
        Deque<Range> pool = pools.computeIfAbsent(tenantId, t -> new ArrayDeque<>());
        synchronized (pool) {
            pool.addLast(range);
        }
    }

    /**
     * Reserves {@code size} numbers and emits the first. Design note: the context is cleared so that
     * this runs on its own auto-committed connection even when called inside an ingest transaction.
     */
    private Mono<Long> reserve(String tenantId, long size) {
        return db.sql("""
                        INSERT INTO contact_number_blocks (tenant_id, next_no) VALUES (:tenant, :size)
                        ON CONFLICT (tenant_id) DO UPDATE SET next_no = contact_number_blocks.next_no + :size
                        RETURNING next_no - :size AS start""")
                .bind("tenant", tenantId)
                .bind("size", size)
                .map(row -> row.get("start", Long.class))
                .one()
                .timeout(TIMEOUT)
                .contextWrite(ctx -> Context.empty());
    }
}
