package io.segstream.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.segstream.contact.ContactEvent;
import io.segstream.contact.ContactNumbers;
import io.segstream.contact.ContactStore;
import io.segstream.contact.NewEvent;
import io.segstream.membership.Appended;
import io.segstream.membership.MembershipEngine;
import io.segstream.membership.MembershipWriter;
import io.segstream.membership.ChangeSignals;
import io.segstream.platform.ProblemException;
import io.segstream.platform.SegstreamProperties;
import io.segstream.segment.SegmentCatalog;
import io.segstream.segment.TenantSegments;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Stores a validated batch durably: in one transaction the new events, the folded profiles and
 * behaviour of their contacts, the segments whose inputs changed re-evaluated, the timers and the
 * change log. The result is emitted only after the commit; then the Redis projection catches up.
 */
@Service
class IngestService implements org.springframework.beans.factory.DisposableBean {

    private final EventLog eventLog;
    private final TenantNames names;
    private final ContactStore contacts;
    private final ContactNumbers numbers;
    private final SegmentCatalog catalog;
    private final MembershipWriter writer;
    private final ChangeSignals signals;
    private final TransactionalOperator tx;
    private final Duration timeout;
    private final Clock clock;
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter rejected;
    private final Counter membershipChanges;
    private final DistributionSummary batchSize;
    private final Timer commitTime;
    private final Timer evaluationTime;
    private final Timer publishTime;
    private final GroupCommit groups;
    private final Timer namesStage;
    private final Timer openStage;
    private final Timer createStage;
    private final Timer foldStage;
    private final Timer writeStage;
    private final Timer commitStage;

    IngestService(EventLog eventLog, TenantNames names, ContactStore contacts, ContactNumbers numbers, SegmentCatalog catalog, MembershipWriter writer,
            ChangeSignals signals, TransactionalOperator tx, SegstreamProperties properties, MeterRegistry meters, Clock clock) {
        this.eventLog = eventLog;
        this.names = names;
        this.contacts = contacts;
        this.numbers = numbers;
        this.catalog = catalog;
        this.writer = writer;
        this.signals = signals;
        this.tx = tx;
        this.timeout = properties.ingest().timeout();
        this.clock = clock;
        this.accepted = Counter.builder("segstream.events.ingested").description("Events stored").register(meters);
        this.duplicates = Counter.builder("segstream.events.duplicate").description("Events whose id was already stored").register(meters);
        this.rejected = Counter.builder("segstream.events.rejected").description("Invalid events").register(meters);
        this.membershipChanges = Counter.builder("segstream.memberships.changed").tag("cause", "event")
                .description("Change-log rows written").register(meters);
        this.batchSize = DistributionSummary.builder("segstream.ingest.batch.size").description("Events per request")
                .register(meters);
        this.commitTime = Timer.builder("segstream.ingest.commit")
                .description("Time to store and evaluate one transaction's batches (one request, or a group queued together)")
                .publishPercentileHistogram().register(meters);
        this.evaluationTime = Timer.builder("segstream.evaluation").description("Time to evaluate the segments of one batch's contacts")
                .tag("trigger", "event").publishPercentileHistogram().register(meters);
        this.publishTime = Timer.builder("segstream.publish.latency")
                .description("From a batch's arrival to its changes handed to this instance's change feeds and queued for the Redis projection")
                .publishPercentileHistogram().register(meters);
        this.namesStage = stage(meters, "names", "tag and audience names this instance does not know checked against the "
                + "tenant's limits and recorded (only batches that bring such names)");
        this.openStage = stage(meters, "open", "the tenant row locked, new events inserted, which contacts exist");
        this.createStage = stage(meters, "create", "new contacts inserted with their evaluated state");
        this.foldStage = stage(meters, "fold", "existing contacts locked, read and updated");
        this.writeStage = stage(meters, "write", "memberships, timers and change log written, with the wait for the tenant's seq lock");
        this.commitStage = stage(meters, "commit", "the commit, with PostgreSQL's WAL flush");
        // A few transactions in flight per tenant (default two); a backlog goes together, up to a request's
        // limit of events, and at most eight requests' worth of events wait (then 503).
        int maxEvents = properties.ingest().maxEvents();
        this.groups = new GroupCommit(this::storeGroup, properties.ingest().transactionsPerTenant(), maxEvents, 8L * maxEvents);
    }

    /** Cancels group transactions still in flight when the context closes (the web server has drained by then). */
    @Override
    public void destroy() {
        groups.dispose();
    }

    private static Timer stage(MeterRegistry meters, String stage, String what) {
        return Timer.builder("segstream.ingest.stage").tag("stage", stage)
                .description("One stage of an ingest transaction; " + stage + ": " + what)
                .publishPercentileHistogram().register(meters);
    }

    /** {@code work}, its time from subscription to its value recorded in {@code stage}. */
    private static <T> Mono<T> timed(Timer stage, Mono<T> work) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            return work.doOnSuccess(v -> stage.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
        });
    }

    Mono<IngestResult> store(String tenantId, Batch batch) {
        long started = System.nanoTime();
        Mono<GroupCommit.Outcome> stored = batch.events.isEmpty() ? Mono.just(GroupCommit.Outcome.stored(Set.of()))
                // emitted once its group's changes were handed to the feed and the projection
                : groups.submit(tenantId, batch.events)
                        .doOnNext(s -> publishTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
        return stored.map(outcome -> {
            int inserted = outcome.stored().size();
            int dup = batch.duplicatesInRequest + (batch.events.size() - inserted - outcome.refused().size());
            List<Rejection> rejections = batch.rejections;
            if (!outcome.refused().isEmpty()) {
                rejections = new ArrayList<>(batch.rejections);
                for (IncomingEvent e : batch.events) {
                    var problem = outcome.refused().get(e.event().id());
                    if (problem != null) rejections.add(Rejection.of(e.index(), e.event().id(), List.of(problem)));
                }
                rejections.sort(Comparator.comparingLong(Rejection::index));
            }
            accepted.increment(inserted);
            duplicates.increment(dup);
            rejected.increment(rejections.size());
            batchSize.record(batch.size);
            return new IngestResult(inserted, dup, rejections);
        });
    }

    /**
     * Stores the events of one group of requests (see {@link GroupCommit}) in one transaction, then hands
     * its changes to the change feed and the Redis projection; emits what became of the events.
     */
    private Mono<GroupCommit.Outcome> storeGroup(String tenantId, List<IncomingEvent> events) {
        Set<String> contactIds = new TreeSet<>();
        for (IncomingEvent e : events) contactIds.add(e.event().contactId());
        long started = System.nanoTime();
        return attempt(tenantId, events, contactIds).timeout(timeout)
                .onErrorMap(TimeoutException.class, e -> ProblemException.unavailable(
                        "The batch could not be stored within " + timeout + "; nothing was stored", Duration.ofSeconds(2)))
                // emitted after the commit: stored and evaluated (segstream.ingest.commit), not yet published
                .doOnNext(s -> commitTime.record(Duration.ofNanos(System.nanoTime() - started)))
                .flatMap(s -> (s.changes().isEmpty() ? Mono.<Void>empty() : signals.committed(s.changes()))
                        .thenReturn(new GroupCommit.Outcome(s.inserted(), s.admission().refused())));
    }

    private record Stored(Set<String> inserted, Appended changes, TenantNames.Admission admission) {}

    /**
     * Stores the batch in one transaction; emits the inserted event ids and the changes appended.
     *
     * <p>Lock order, shared by every batch so that none can deadlock another: the tenant row (shared),
     * the tenant's name count row (only a batch that brings a tag or audience name new to the tenant, see
     * {@link TenantNames}), the event ids (inserted in id order), then the new contacts (inserted with
     * their first state, in contact-id order), then the existing ones (row locks in contact-id order),
     * then the tenant's change-log seq. A contact taken as new that a concurrent batch created meanwhile is not inserted:
     * the insert waits for that batch to end, and the contact joins the existing ones.
     *
     * <p>Design note: numbers for new contacts are taken before the transaction, one per contact of the
     * batch, from this instance's reserved blocks (a block is reserved on a connection of its own, never
     * from inside a transaction: that once made every in-flight batch wait for a second connection, all
     * 20 held, a 10 s stall at 5,000 events/s). The batch's first statement tells which contacts are new;
     * the numbers they do not need go back at once, unwritten.
     */
    private Mono<Stored> attempt(String tenantId, List<IncomingEvent> events, Set<String> contactIds) {
        long[] bodyDone = {0};
        var unknownNames = names.unknown(tenantId, events);
        Mono<TenantNames.Admission> admitted = unknownNames.isEmpty() ? Mono.just(TenantNames.Admission.NOTHING_NEW)
                : timed(namesStage, names.admit(tenantId, unknownNames));
        return numbers.claim(tenantId, contactIds.size()).flatMap(claim -> admitted
                .flatMap(admission -> {
                    // Events refused for a tenant's limit are left out as if they had never come.
                    List<IncomingEvent> kept = admission.kept(events);
                    Set<String> keptContacts = contactIds;
                    if (kept != events) {
                        keptContacts = new TreeSet<>();
                        for (IncomingEvent e : kept) keptContacts.add(e.event().contactId());
                    }
                    Set<String> batchContacts = keptContacts;
                    return timed(openStage, eventLog.open(tenantId, kept, batchContacts)).flatMap(opened -> {
                        List<String> fresh = new ArrayList<>();
                        for (String id : batchContacts) if (!opened.existingContacts().contains(id)) fresh.add(id);
                        Map<String, Long> reserved = claim.assign(fresh);
                        return catalog.atVersion(tenantId, opened.timeZone(), opened.segmentsVersion())
                                .flatMap(segments -> storeOpened(tenantId, kept, opened.inserted(), reserved, segments));
                    }).map(stored -> new Stored(stored.inserted(), stored.changes(), admission));
                })
                .doOnNext(stored -> bodyDone[0] = System.nanoTime())
                // Nothing was written with them when the first statement failed (after it, release does nothing).
                .doOnError(e -> claim.release())
                .as(tx::transactional)
                .doOnNext(stored -> {
                    commitStage.record(System.nanoTime() - bodyDone[0], TimeUnit.NANOSECONDS);
                    names.remember(tenantId, stored.admission());
                }));
    }

    private Mono<Stored> storeOpened(String tenantId, List<IncomingEvent> events, Set<String> inserted, Map<String, Long> reserved,
            TenantSegments segments) {
        Instant now = clock.instant();
        List<NewEvent> fresh = new ArrayList<>();
        List<NewEvent> ofNew = new ArrayList<>();
        for (IncomingEvent e : events) {
            if (!inserted.contains(e.event().id())) continue;
            NewEvent n = new NewEvent(e.event(), e.properties());
            (reserved.containsKey(e.event().contactId()) ? ofNew : fresh).add(n);
        }
        var signatures = segments.signatures();
        long[] evaluationNanos = {0};
        List<MembershipWriter.Evaluated> created = evaluate(segments,
                contacts.foldNew(ofNew, reserved, signatures, segments.zone(), now), now, evaluationNanos);
        return timed(createStage, writer.create(tenantId, created)).flatMap(stored -> {
                    for (NewEvent n : ofNew) if (!stored.contains(n.event().contactId())) fresh.add(n);
                    return timed(foldStage, contacts.fold(tenantId, fresh, signatures, segments.zone(), now)).flatMap(folded -> {
                        List<MembershipWriter.Evaluated> all = new ArrayList<>(evaluate(segments, folded, now, evaluationNanos));
                        evaluationTime.record(evaluationNanos[0], TimeUnit.NANOSECONDS);
                        for (MembershipWriter.Evaluated e : created) {
                            if (stored.contains(e.transition().contactId())) all.add(e);
                        }
                        all.sort(Comparator.comparing(e -> e.transition().contactId()));
                        return timed(writeStage, writer.write(tenantId, all, true, now, stored));
                    });
                })
                .doOnNext(a -> membershipChanges.increment(a.changes().size()))
                .map(a -> new Stored(inserted, a, TenantNames.Admission.NOTHING_NEW));
    }

    /** The id of the latest of a contact's new events (by stamp), or null when there is none. */
    private static String cause(List<NewEvent> events) {
        ContactEvent latest = null;
        for (NewEvent n : events) {
            if (latest == null || n.event().stamp().compareTo(latest.stamp()) > 0) latest = n.event();
        }
        return latest == null ? null : latest.id();
    }

    /** Evaluates the folded contacts' segments; adds the time it took to {@code nanos[0]}. */
    private static List<MembershipWriter.Evaluated> evaluate(TenantSegments segments,
            List<ContactStore.Folded> folded, Instant now, long[] nanos) {
        long started = System.nanoTime();
        List<MembershipWriter.Evaluated> evaluated = new ArrayList<>(folded.size());
        for (ContactStore.Folded f : folded) {
            var t = new MembershipEngine.Transition(f.before().contactId(), f.before().contactNo(),
                    f.before().profile(), f.profile(), f.before().behaviour(), f.behaviour(),
                    f.before().segments(), f.before().nextDue());
            String cause = cause(f.events());
            var outcome = MembershipEngine.evaluate(segments, t, MembershipEngine.Scope.CHANGED_INPUTS, null, "event", cause, now);
            evaluated.add(new MembershipWriter.Evaluated(t, outcome));
        }
        nanos[0] += System.nanoTime() - started;
        return evaluated;
    }
}
