package io.segstream.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.segstream.contact.ContactEvent;
import io.segstream.contact.ContactStore;
import io.segstream.platform.ProblemException;
import io.segstream.platform.SegstreamProperties;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Stores a validated batch durably: new events and the folded profiles of their contacts commit in one
 * transaction, so a batch is either wholly stored or not at all. The returned result is emitted only
 * after the commit.
 */
@Service
class IngestService {

    private final EventLog eventLog;
    private final ContactStore contacts;
    private final TransactionalOperator tx;
    private final Duration timeout;
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter rejected;
    private final DistributionSummary batchSize;
    private final Timer commitTime;

    IngestService(EventLog eventLog, ContactStore contacts, TransactionalOperator tx, SegstreamProperties properties,
            MeterRegistry meters) {
        this.eventLog = eventLog;
        this.contacts = contacts;
        this.tx = tx;
        this.timeout = properties.ingest().timeout();
        this.accepted = Counter.builder("segstream.events.ingested").description("Events stored").register(meters);
        this.duplicates = Counter.builder("segstream.events.duplicate").description("Events whose id was already stored").register(meters);
        this.rejected = Counter.builder("segstream.events.rejected").description("Invalid events").register(meters);
        this.batchSize = DistributionSummary.builder("segstream.ingest.batch.size").description("Events per request")
                .register(meters);
        this.commitTime = Timer.builder("segstream.ingest.commit").description("Time to store one batch")
                .publishPercentileHistogram().register(meters);
    }

    Mono<IngestResult> store(String tenantId, Batch batch) {
        List<IncomingEvent> events = batch.events;
        Set<String> contactIds = new TreeSet<>();
        for (IncomingEvent e : events) contactIds.add(e.event().contactId());
        long started = System.nanoTime();
        Mono<Set<String>> stored = events.isEmpty()
                ? Mono.just(Set.of())
                : contacts.numbersForNew(tenantId, contactIds).flatMap(reserved -> eventLog.insertNew(tenantId, events)
                        .flatMap(inserted -> {
                            List<ContactEvent> fresh = events.stream()
                                    .map(IncomingEvent::event)
                                    .filter(e -> inserted.contains(e.id()))
                                    .toList();
                            return contacts.fold(tenantId, fresh, reserved).thenReturn(inserted);
                        })
                        .as(tx::transactional));
        return stored.timeout(timeout)
                .onErrorMap(TimeoutException.class, e -> ProblemException.unavailable(
                        "The batch could not be stored within " + timeout + "; nothing was stored", Duration.ofSeconds(2)))
                .map(inserted -> {
                    int dup = batch.duplicatesInRequest + (events.size() - inserted.size());
                    accepted.increment(inserted.size());
                    duplicates.increment(dup);
                    rejected.increment(batch.rejections.size());
                    batchSize.record(batch.size);
                    commitTime.record(Duration.ofNanos(System.nanoTime() - started));
                    return new IngestResult(inserted.size(), dup, batch.rejections);
                });
    }
}
