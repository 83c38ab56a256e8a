package io.segstream.membership;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.segstream.contact.ContactStore;
import io.segstream.segment.SegmentCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import io.segstream.platform.BackgroundLoop;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Time-driven re-evaluation: polls for due timers, claims a batch with {@code FOR UPDATE SKIP LOCKED}
 * (so instances share the work), and re-evaluates the time-dependent segments of those contacts under
 * their row locks; changes carry cause {@code time}. Calendar rollovers that make many timers due at
 * once are worked off in batches, each its own short transaction, so ingestion keeps going.
 */
@Component
public class TimerWorker extends BackgroundLoop {

    private static final Logger log = LoggerFactory.getLogger(TimerWorker.class);
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final TimerStore timers;
    private final SegmentCatalog catalog;
    private final ContactStore contacts;
    private final MembershipWriter writer;
    private final ChangeSignals signals;
    private final TransactionalOperator tx;
    private final Clock clock;
    private final int batchSize;
    private final Counter changesCounter;
    private final AtomicLong backlog = new AtomicLong();

    public TimerWorker(TimerStore timers, SegmentCatalog catalog, ContactStore contacts, MembershipWriter writer,
            ChangeSignals signals, TransactionalOperator tx, Clock clock, MeterRegistry meters,
            @Value("${segstream.timers.poll:250ms}") Duration poll, @Value("${segstream.timers.batch-size:500}") int batchSize) {
        super("Timer processing", poll, poll);
        this.timers = timers;
        this.catalog = catalog;
        this.contacts = contacts;
        this.writer = writer;
        this.signals = signals;
        this.tx = tx;
        this.clock = clock;
        this.batchSize = batchSize;
        this.changesCounter = Counter.builder("segstream.memberships.changed").tag("cause", "time").register(meters);
        Gauge.builder("segstream.timers.backlog", backlog, AtomicLong::get).description("Timers due and not yet processed")
                .register(meters);
    }

    @Override
    protected Mono<Void> runOnce() {
        return drain();
    }

    /** Processes claimed batches until no timer is due. */
    Mono<Void> drain() {
        return timers.claim(batchSize, LEASE, clock.instant()).collectList().flatMap(due -> {
            if (due.isEmpty()) {
                backlog.set(0);
                return Mono.empty();
            }
            Map<String, List<String>> byTenant = new LinkedHashMap<>();
            for (TimerStore.Due d : due) byTenant.computeIfAbsent(d.tenantId(), k -> new ArrayList<>()).add(d.contactId());
            return Flux.fromIterable(byTenant.entrySet())
                    .concatMap(e -> process(e.getKey(), e.getValue()))
                    .then(due.size() < batchSize ? timers.backlog(clock.instant()).doOnNext(backlog::set).then() : drain());
        });
    }

    private Mono<Void> process(String tenantId, List<String> contactIds) {
        Instant now = clock.instant();
        Mono<Appended> work = catalog.lockShared(tenantId).flatMap(segments -> contacts.lockContacts(tenantId, contactIds)
                .flatMap(locked -> {
                    List<MembershipWriter.Evaluated> evaluated = new ArrayList<>();
                    for (ContactStore.StoredContact c : locked) {
                        var b = c.behaviour().prune(segments.signatures(), now);
                        var t = new MembershipEngine.Transition(c.contactId(), c.contactNo(), c.profile(), c.profile(),
                                c.behaviour(), b, c.segments(), c.nextDue());
                        evaluated.add(new MembershipWriter.Evaluated(t, MembershipEngine.evaluate(segments, t,
                                MembershipEngine.Scope.TIME_DEPENDENT, null, "time", null, now)));
                    }
                    Map<String, java.util.Optional<Instant>> gone = new LinkedHashMap<>();
                    for (String id : contactIds) gone.put(id, java.util.Optional.empty());
                    locked.forEach(c -> gone.remove(c.contactId()));
                    return timers.set(tenantId, gone).then(writer.write(tenantId, evaluated, false, now));
                }));
        return work.as(tx::transactional)
                .doOnNext(a -> changesCounter.increment(a.changes().size()))
                .flatMap(signals::committed);
    }
}
