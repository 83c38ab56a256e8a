package io.segstream.contact;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
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
public class ContactNumbers implements org.springframework.beans.factory.DisposableBean {

    /** Reservations ahead of need, running in the background; cancelled when the context closes. */
    private final io.segstream.platform.OwnedWork refills = new io.segstream.platform.OwnedWork();

    @Override
    public void destroy() {
        refills.dispose();
    }


    static final int BLOCK = 1024;
    private static final Logger log = LoggerFactory.getLogger(ContactNumbers.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private record Range(long next, long end) {}

    /** A tenant's numbers at hand on this instance: ranges in handout order, and how many they hold. */
    private static final class Pool {
        final Deque<Range> ranges = new ArrayDeque<>();
        long count;
    }

    private final DatabaseClient db;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();
    private final Map<String, AtomicBoolean> refilling = new ConcurrentHashMap<>();

    public ContactNumbers(DatabaseClient db) {
        this.db = db;
    }

    /**
     * Numbers taken for a batch before it knows which of its contacts are new: {@link #assign} gives the
     * new ones theirs and hands the rest back at once; {@link #release} hands all back when the batch
     * wrote none. Whichever comes first settles the claim; the other does nothing.
     *
     * <p>Design note: once assigned, numbers are never handed back, even when the batch then fails: its
     * commit may have happened (a timeout does not say), and a number must never go to two contacts.
     */
    public final class Claim {
        private final String tenantId;
        private final long[] numbers;
        private final AtomicBoolean settled = new AtomicBoolean();

        private Claim(String tenantId, long[] numbers) {
            this.tenantId = tenantId;
            this.numbers = numbers;
        }

        /** Numbers for {@code newContacts} (at most as many as claimed), in their iteration order. */
        public Map<String, Long> assign(Collection<String> newContacts) {
            if (newContacts.size() > numbers.length) {
                throw new IllegalArgumentException(newContacts.size() + " new contacts, " + numbers.length + " numbers claimed");
            }
            if (!settled.compareAndSet(false, true)) throw new IllegalStateException("Contact numbers already settled");
            Map<String, Long> assigned = new LinkedHashMap<>();
            int used = 0;
            for (String id : newContacts) assigned.put(id, numbers[used++]);
            giveBack(tenantId, numbers, used);
            return assigned;
        }

        /** Hands every number back, unless they were assigned. */
        public void release() {
            if (settled.compareAndSet(false, true)) giveBack(tenantId, numbers, 0);
        }
    }

    /** Claims {@code count} fresh numbers of the tenant for a batch (see {@link Claim}). */
    public Mono<Claim> claim(String tenantId, int count) {
        return allocate(tenantId, count).map(numbers -> new Claim(tenantId, numbers));
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
            if (size > missing) addLast(tenantId, new Range(start + missing, start + size));
            refillIfLow(tenantId);
            return out;
        });
    }

    /** Reserves the next block in the background when less than a block is left (one at a time per tenant). */
    private void refillIfLow(String tenantId) {
        if (available(tenantId) >= BLOCK) return;
        AtomicBoolean busy = refilling.computeIfAbsent(tenantId, t -> new AtomicBoolean());
        if (!busy.compareAndSet(false, true)) return;
        refills.run(Mono.defer(() -> reserve(tenantId, BLOCK))
                .doFinally(signal -> busy.set(false)),
                start -> addLast(tenantId, new Range(start, start + BLOCK)),
                        e -> log.warn("Contact numbers of tenant {} not reserved ahead: {}", tenantId, e.toString()));
    }

    /** How many numbers this instance holds for the tenant. */
    long available(String tenantId) {
        Pool pool = pools.get(tenantId);
        if (pool == null) return 0;
        synchronized (pool) {
            return pool.count;
        }
    }

    /**
     * Returns {@code numbers[from..]}, taken by {@link #allocate} and written nowhere, to be handed out
     * again, before any other (they are ascending, so mostly one range).
     */
    void giveBack(String tenantId, long[] numbers, int from) {
        if (from >= numbers.length) return;
        Pool pool = pools.computeIfAbsent(tenantId, t -> new Pool());
        synchronized (pool) {
            // Last range first, each to the front: they are handed out next, in ascending order.
            int j = numbers.length;
            while (j > from) {
                int i = j - 1;
                while (i > from && numbers[i - 1] == numbers[i] - 1) i--;
                pool.ranges.addFirst(new Range(numbers[i], numbers[j - 1] + 1));
                j = i;
            }
            pool.count += numbers.length - from;
        }
    }

    private int takeLocal(String tenantId, long[] out, int from) {
        Pool pool = pools.computeIfAbsent(tenantId, t -> new Pool());
        synchronized (pool) {
            int i = from;
            while (i < out.length && !pool.ranges.isEmpty()) {
                Range r = pool.ranges.pollFirst();
                long n = r.next;
                while (i < out.length && n < r.end) out[i++] = n++;
                if (n < r.end) pool.ranges.addFirst(new Range(n, r.end));
            }
            pool.count -= i - from;
            return i;
        }
    }

    /** Adds a freshly reserved range behind the numbers at hand. */
    private void addLast(String tenantId, Range range) {
        Pool pool = pools.computeIfAbsent(tenantId, t -> new Pool());
        synchronized (pool) {
            pool.ranges.addLast(range);
            pool.count += range.end - range.next;
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
