package io.segstream.segment;

import io.segstream.contact.ContactStore;
import io.segstream.membership.Change;
import io.segstream.membership.ChangeSignals;
import io.segstream.membership.Projection;
import io.segstream.platform.BackgroundLoop;
import io.segstream.platform.TextArray;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Removes the memberships of deleted segments, after the deletion committed and outside the tenant lock:
 * claims a pending deletion ({@code segment_deletions}), walks the tenant's contacts by number in batches,
 * each its own transaction under the members' row locks, taking the segment out of each member with an
 * exit of cause {@code deletion}; when the walk ends the job row goes and the (then empty) bitmap is dropped.
 *
 * <p>Design note: ingestion is never held up by more than one batch's row locks on the contacts it
 * touches. The batch does not take the tenant row: the deletion committed under the tenant's {@code FOR
 * UPDATE}, so every transaction that evaluated with the old catalogue had ended, and every later one
 * drops the segment itself (an exit of cause {@code deletion}, see {@code MembershipEngine}).
 *
 * <p>Each batch first locks its job row and checks its generation and cursor: a segment re-created with
 * the same id deletes the job row (under the tenant lock, so it waits for a batch in flight), and its
 * build re-evaluates the members still carrying the id like an update would; a walk of an older
 * generation, or one a second instance took over after the lease ran out, then stops without touching
 * anything. The cursor commits with the batch's removals, so a walk cut short (crash, shutdown) resumes
 * where it stopped, once the lease has run out.
 */
@Component
public class SegmentDeletions extends BackgroundLoop {

    private static final Logger log = LoggerFactory.getLogger(SegmentDeletions.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final ContactStore contacts;
    private final ChangeSignals signals;
    private final Projection projection;
    private final int batchSize;
    private final Duration lease;

    public SegmentDeletions(DatabaseClient db, TransactionalOperator tx, ContactStore contacts, ChangeSignals signals,
            Projection projection, @Value("${segstream.deletions.poll:1s}") Duration poll,
            @Value("${segstream.deletions.batch-size:1000}") int batchSize,
            @Value("${segstream.deletions.lease:30s}") Duration lease) {
        super("Segment deletion cleanup", poll, poll);
        this.db = db;
        this.tx = tx;
        this.contacts = contacts;
        this.signals = signals;
        this.projection = projection;
        this.batchSize = batchSize;
        this.lease = lease;
    }

    record Job(String tenantId, String segmentId, long generation, long afterNo) {
        Job at(long afterNo) {
            return new Job(tenantId, segmentId, generation, afterNo);
        }
    }

    @Override
    protected Mono<Void> runOnce() {
        return drain();
    }

    /** Works off claimable deletions until none is left. */
    Mono<Void> drain() {
        return claim().flatMap(job -> walk(job).then(drain()));
    }

    private Mono<Job> claim() {
        return db.sql("""
                        UPDATE segment_deletions d SET lease_until = now() + make_interval(secs => :lease)
                        FROM (SELECT tenant_id, segment_id FROM segment_deletions
                              WHERE lease_until IS NULL OR lease_until < now()
                              ORDER BY deleted_at LIMIT 1 FOR UPDATE SKIP LOCKED) j
                        WHERE d.tenant_id = j.tenant_id AND d.segment_id = j.segment_id
                        RETURNING d.tenant_id, d.segment_id, d.generation, d.after_no""")
                .bind("lease", lease.toMillis() / 1000.0)
                .map(row -> new Job(row.get("tenant_id", String.class), row.get("segment_id", String.class),
                        row.get("generation", Long.class), row.get("after_no", Long.class)))
                .one()
                .timeout(TIMEOUT);
    }

    private Mono<Void> walk(Job job) {
        long started = System.nanoTime();
        return step(job).expand(next -> next.afterNo() == Long.MAX_VALUE ? Mono.empty() : step(next))
                .last()
                .then(Mono.fromRunnable(() -> log.info("Segment {}/{} deleted: members removed in {} ms", job.tenantId(),
                        job.segmentId(), Duration.ofNanos(System.nanoTime() - started).toMillis())));
    }

    /** One batch, or the end of the walk; emits the job at its next cursor ({@code Long.MAX_VALUE}: done or superseded). */
    private Mono<Job> step(Job job) {
        Job done = job.at(Long.MAX_VALUE);
        return contacts.maxNumber(job.tenantId()).flatMap(max -> {
            if (job.afterNo() >= max) return finish(job).thenReturn(done);
            long through = job.afterNo() + batchSize;
            return batch(job, through)
                    .flatMap(removed -> removed < 0 ? Mono.just(done)
                            : (removed > 0 ? signals.committed(job.tenantId()) : Mono.<Void>empty()).thenReturn(job.at(through)));
        });
    }

    /**
     * Removes the segment from its members numbered in (cursor, {@code through}] and advances the cursor,
     * in one transaction; emits how many left, or -1 when the job was superseded.
     */
    private Mono<Long> batch(Job job, long through) {
        Mono<Long> work = db.sql("""
                        SELECT 1 AS held FROM segment_deletions
                        WHERE tenant_id = :t AND segment_id = :s AND generation = :g AND after_no = :after FOR UPDATE""")
                .bind("t", job.tenantId()).bind("s", job.segmentId()).bind("g", job.generation()).bind("after", job.afterNo())
                .map(row -> Boolean.TRUE)
                .one()
                .timeout(TIMEOUT)
                .flatMap(held -> lockMembers(job, through)
                        .flatMap(ids -> remove(job, through, ids))
                        .flatMap(removed -> advance(job, through).thenReturn(removed)))
                .defaultIfEmpty(-1L);
        return work.as(tx::transactional);
    }

    /** Locks the members in the range in contact-id order, the order every writer locks contacts in. */
    private Mono<String[]> lockMembers(Job job, long through) {
        return db.sql("""
                        SELECT contact_id FROM contacts
                        WHERE tenant_id = :t AND contact_no > :after AND contact_no <= :through AND segments @> ARRAY[:s]::text[]
                        ORDER BY contact_id FOR UPDATE""")
                .bind("t", job.tenantId()).bind("after", job.afterNo()).bind("through", through).bind("s", job.segmentId())
                .map(row -> row.get("contact_id", String.class))
                .all()
                .collectList()
                .timeout(TIMEOUT)
                .map(ids -> ids.toArray(String[]::new));
    }

    private Mono<Long> remove(Job job, long through, String[] ids) {
        if (ids.length == 0) return Mono.just(0L);
        return db.sql("""
                        WITH removed AS (
                            UPDATE contacts SET segments = array_remove(segments, :s)
                            WHERE tenant_id = :t AND contact_no > :after AND contact_no <= :through
                              AND contact_id = ANY(:ids::text[]) AND segments @> ARRAY[:s]::text[]
                            RETURNING contact_id, contact_no),
                        n AS (SELECT count(*) AS c FROM removed),
                        q AS (
                            INSERT INTO change_seq (tenant_id, last_seq) SELECT :t, c FROM n
                            ON CONFLICT (tenant_id) DO UPDATE SET last_seq = change_seq.last_seq + EXCLUDED.last_seq
                            RETURNING last_seq - (SELECT c FROM n) AS base)
                        INSERT INTO changes (tenant_id, seq, key, contact_id, contact_no, bit, at, cause_kind, cause_event_id)
                        SELECT :t, q.base + row_number() OVER (ORDER BY r.contact_no), :key, r.contact_id,
                               r.contact_no, false, now(), 'deletion', NULL
                        FROM removed r, q""")
                .bind("t", job.tenantId()).bind("s", job.segmentId()).bind("key", Change.SEGMENT_PREFIX + job.segmentId())
                .bind("after", job.afterNo()).bind("through", through).bind("ids", TextArray.of(ids))
                .fetch().rowsUpdated()
                .timeout(TIMEOUT);
    }

    private Mono<Void> advance(Job job, long through) {
        return db.sql("""
                        UPDATE segment_deletions SET after_no = :through, lease_until = now() + make_interval(secs => :lease)
                        WHERE tenant_id = :t AND segment_id = :s AND generation = :g""")
                .bind("through", through).bind("lease", lease.toMillis() / 1000.0)
                .bind("t", job.tenantId()).bind("s", job.segmentId()).bind("g", job.generation())
                .then()
                .timeout(TIMEOUT);
    }

    /** Ends the walk: the job row goes; the bitmap, once the projection has applied the exits, is dropped if empty. */
    private Mono<Void> finish(Job job) {
        return db.sql("""
                        DELETE FROM segment_deletions
                        WHERE tenant_id = :t AND segment_id = :s AND generation = :g AND after_no = :after""")
                .bind("t", job.tenantId()).bind("s", job.segmentId()).bind("g", job.generation()).bind("after", job.afterNo())
                .fetch().rowsUpdated()
                .timeout(TIMEOUT)
                .flatMap(deleted -> deleted == 0 ? Mono.empty()
                        : signals.committed(job.tenantId())
                                .then(projection.dropIfEmpty(job.tenantId(), Change.SEGMENT_PREFIX + job.segmentId())));
    }
}
