package io.segstream.ingest;

import io.segstream.platform.SegstreamProperties;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Ingestion from inside the application (the demo simulator): the same validation, idempotency and
 * durable write as {@code POST /v1/events}, without HTTP or a key. Invalid events are rejected one by
 * one, as over HTTP.
 */
@Service
public class InProcessIngest {

    private final IngestService service;
    private final EventValidator validator;
    private final Clock clock;
    private final int maxEvents;

    InProcessIngest(IngestService service, SegstreamProperties properties, JsonMapper json, Clock clock) {
        this.service = service;
        this.validator = new EventValidator(json, properties.ingest().maxFutureSkew());
        this.clock = clock;
        this.maxEvents = properties.ingest().maxEvents();
    }

    /**
     * Validates and stores the events for the tenant when subscribed (validated against the clock's
     * now at that moment, so a resubscription is a plain retry: ids already stored count as duplicates).
     * Emits once every accepted event is durably stored; fails with a 503 {@code ProblemException} when
     * the service is overloaded or the store times out, and with {@link IllegalArgumentException} when
     * there are more events than a request may carry ({@code segstream.ingest.max-events}).
     */
    public Mono<IngestResult> ingest(String tenantId, List<? extends JsonNode> events) {
        return Mono.defer(() -> {
            if (events.size() > maxEvents) {
                return Mono.error(new IllegalArgumentException(events.size() + " events; at most " + maxEvents + " go together"));
            }
            Instant now = clock.instant();
            Batch batch = new Batch();
            long index = 0;
            for (JsonNode event : events) batch.add(validator.validate(index++, event, now));
            return service.store(tenantId, batch);
        });
    }
}
