package io.segstream.segment;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.segstream.contact.Behaviour;
import io.segstream.contact.ContactStore;
import io.segstream.contact.NewEvent;
import io.segstream.membership.MembershipEngine;
import io.segstream.membership.MembershipWriter;
import io.segstream.membership.ChangeSignals;
import io.segstream.rules.SegmentGraph;
import io.segstream.rules.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import io.segstream.platform.BackgroundLoop;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Builds (backfills) new and changed segment versions: claims a build job, walks the tenant's contacts
 * in contact-number order in batches, each in its own transaction under the contacts' row locks, with
 * ingestion going on. Per batch it recomputes the behaviour the segment needs from the event log,
 * evaluates the segment and the segments that reference it, and records differences with cause
 * {@code definition}. When the walk ends the version is {@code live}.
 */
@Component
public class SegmentBuilder extends BackgroundLoop {

    private static final Logger log = LoggerFactory.getLogger(SegmentBuilder.class);
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final SegmentCatalog catalog;
    private final ContactStore contacts;
    private final MembershipWriter writer;
    private final ChangeSignals signals;
    private final Clock clock;
    private final int batchSize;
    private final int concurrency;
    private final Counter changesCounter;

    public SegmentBuilder(DatabaseClient db, TransactionalOperator tx, SegmentCatalog catalog, ContactStore contacts,
            MembershipWriter writer, ChangeSignals signals, Clock clock, MeterRegistry meters,
            @Value("${segstream.builds.poll:1s}") Duration poll, @Value("${segstream.builds.batch-size:1000}") int batchSize,
            @Value("${segstream.builds.concurrency:2}") int concurrency) {
        super("Segment build", poll, poll);
        this.db = db;
        this.tx = tx;
        this.catalog = catalog;
        this.contacts = contacts;
        this.writer = writer;
        this.signals = signals;
        this.clock = clock;
        this.batchSize = batchSize;
        this.concurrency = concurrency;
        this.changesCounter = Counter.builder("segstream.memberships.changed").tag("cause", "definition").register(meters);
    }

    private record Job(String tenantId, String segmentId, int version, long afterNo) {}

    /** Runs claimable jobs until there are none; {@link #wake()} after a segment was created or changed. */
    @Override
    protected Mono<Void> runOnce() {
        return drain();
    }

    Mono<Void> drain() {
        return claim().flatMap(job -> run(job).then(drain()));
    }

    private Mono<Job> claim() {
        return db.sql("""
                        UPDATE segment_builds b SET lease_until = now() + make_interval(secs => :lease)
                        FROM (SELECT tenant_id, segment_id FROM segment_builds
                              WHERE lease_until IS NULL OR lease_until < now()
                              LIMIT 1 FOR UPDATE SKIP LOCKED) j
                        WHERE b.tenant_id = j.tenant_id AND b.segment_id = j.segment_id
                        RETURNING b.tenant_id, b.segment_id, b.version, b.after_no""")
                .bind("lease", (double) LEASE.toSeconds())
                .map(row -> new Job(row.get("tenant_id", String.class), row.get("segment_id", String.class),
                        row.get("version", Integer.class), row.get("after_no", Long.class)))
                .one()
                .timeout(Duration.ofSeconds(10));
    }

    /**
     * Walks the contacts by number: each step takes {@code concurrency} consecutive ranges of
     * {@code batchSize} numbers (numbers are dense, so about as many contacts), one transaction each, run
     * at once so that PostgreSQL reads one range while the service evaluates another; the job's cursor
     * advances past all of them once all committed. A step redone after a crash finds nothing to change
     * for the ranges that had committed. The walk ends past the tenant's highest number (read each step,
     * so contacts created meanwhile are walked too).
     */
    private Mono<Void> run(Job job) {
        long started = System.nanoTime();
        return step(job).expand(next -> next.afterNo() == Long.MAX_VALUE ? Mono.empty() : step(next))
                .last()
                .doOnNext(done -> log.info("Segment {}/{} v{} built in {} ms", job.tenantId(), job.segmentId(), job.version(),
                        Duration.ofNanos(System.nanoTime() - started).toMillis()))
                .then();
    }

    private Mono<Job> step(Job job) {
        Job done = new Job(job.tenantId(), job.segmentId(), job.version(), Long.MAX_VALUE);
        return contacts.maxNumber(job.tenantId()).flatMap(max -> {
            if (job.afterNo() >= max) return finish(job).thenReturn(done);
            long through = job.afterNo() + (long) batchSize * concurrency;
            return Flux.range(0, concurrency)
                    .flatMap(i -> batch(job, job.afterNo() + (long) i * batchSize, job.afterNo() + (long) (i + 1) * batchSize),
                            concurrency)
                    .all(current -> current)
                    .flatMap(current -> current ? advance(job, through).map(advanced -> advanced
                            ? new Job(job.tenantId(), job.segmentId(), job.version(), through) : done)
                            : Mono.just(done)) // superseded
                    .flatMap(next -> signals.committed(job.tenantId()).thenReturn(next));
        });
    }

    /** The contacts numbered in (after, through] in one transaction; emits false if the version was superseded. */
    private Mono<Boolean> batch(Job job, long after, long through) {
        Instant now = clock.instant();
        Mono<Boolean> work = catalog.lockShared(job.tenantId()).flatMap(segments -> {
            CompiledSegment segment = segments.get(job.segmentId());
            if (segment == null || segment.version() != job.version()) return Mono.just(false);
            return contacts.lockNumbers(job.tenantId(), after, through).flatMap(locked -> {
                if (locked.isEmpty()) return Mono.just(true);
                Map<Signature, Duration> needed = segment.evaluator().inputs().signatures();
                Set<String> types = new HashSet<>();
                for (Signature s : needed.keySet()) types.add(s.type());
                List<String> ids = locked.stream().map(ContactStore.StoredContact::contactId).toList();
                Set<String> affected = new HashSet<>(Set.of(job.segmentId()));
                affected.addAll(SegmentGraph.dependents(job.segmentId(), rules(segments)));
                return contacts.history(job.tenantId(), ids, types).flatMap(history -> {
                    List<MembershipWriter.Evaluated> evaluated = new ArrayList<>();
                    for (ContactStore.StoredContact c : locked) {
                        Behaviour b = needed.isEmpty() ? c.behaviour()
                                : c.behaviour().recompute(needed, history.getOrDefault(c.contactId(), List.<NewEvent>of()),
                                        c.profile(), segments.zone(), now).prune(segments.signatures(), now);
                        var t = new MembershipEngine.Transition(c.contactId(), c.contactNo(), c.profile(), c.profile(),
                                c.behaviour(), b, c.segments(), c.nextDue());
                        evaluated.add(new MembershipWriter.Evaluated(t, MembershipEngine.evaluate(segments, t,
                                MembershipEngine.Scope.ALL, affected, "definition", null, now)));
                    }
                    return writer.write(job.tenantId(), evaluated, false, now)
                            .doOnNext(a -> changesCounter.increment(a.changes().size()))
                            .thenReturn(true);
                });
            });
        });
        return work.as(tx::transactional);
    }

    private static Map<String, io.segstream.rules.Rule> rules(TenantSegments segments) {
        Map<String, io.segstream.rules.Rule> out = new LinkedHashMap<>();
        for (CompiledSegment s : segments.segments()) out.put(s.id(), s.evaluator().rule());
        return out;
    }

    /**
     * Moves the job's cursor from where this walk found it; false when the job is no longer this walk's
     * (a segment deleted and re-created with the same id starts again at version 1 with a new job, which
     * a walk of the old one must not move on).
     */
    private Mono<Boolean> advance(Job job, long afterNo) {
        return db.sql("""
                        UPDATE segment_builds SET after_no = :after, lease_until = now() + make_interval(secs => :lease)
                        WHERE tenant_id = :t AND segment_id = :s AND version = :v AND after_no = :from""")
                .bind("after", afterNo).bind("lease", (double) LEASE.toSeconds())
                .bind("t", job.tenantId()).bind("s", job.segmentId()).bind("v", job.version()).bind("from", job.afterNo())
                .fetch().rowsUpdated()
                .map(n -> n > 0);
    }

    /** Ends the job and makes the version live, together, if the job is still this walk's (see {@link #advance}). */
    private Mono<Void> finish(Job job) {
        return db.sql("""
                        WITH done AS (
                            DELETE FROM segment_builds
                            WHERE tenant_id = :t AND segment_id = :s AND version = :v AND after_no = :from RETURNING 1)
                        UPDATE segments SET status = 'live', updated_at = now()
                        WHERE tenant_id = :t AND id = :s AND version = :v AND EXISTS (SELECT 1 FROM done)""")
                .bind("t", job.tenantId()).bind("s", job.segmentId()).bind("v", job.version()).bind("from", job.afterNo())
                .then();
    }
}
