package io.segstream.ingest;

import io.segstream.platform.ProblemException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.segstream.platform.SegstreamProperties;
import io.segstream.tenant.Caller;
import io.segstream.tenant.Scope;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.MimeTypeUtils;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/events}: a JSON array or NDJSON, decoded as a stream of events (the body is never held
 * whole in memory), each validated as it arrives. Limits: events and bytes per request, bytes per event
 * (413). Replies 202 after the batch has committed.
 */
@RestController
@Tag(name = "Events", description = "Ingesting contact activity")
class IngestController {

    private static final ResolvableType JSON_NODE = ResolvableType.forClass(JsonNode.class);

    private final IngestService service;
    private final EventValidator validator;
    private final JacksonJsonDecoder decoder;
    private final int maxEvents;
    private final long maxBytes;
    private final Clock clock;

    IngestController(IngestService service, SegstreamProperties properties, JsonMapper json, Clock clock) {
        this.service = service;
        SegstreamProperties.Ingest limits = properties.ingest();
        this.validator = new EventValidator(json, limits.maxFutureSkew());
        // Design note: exact numbers (attribute values, rating thresholds) need BigDecimal, not double.
        this.decoder = new JacksonJsonDecoder(json.rebuild().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build());
        this.decoder.setMaxInMemorySize((int) limits.maxEventBytes().toBytes());
        this.maxEvents = limits.maxEvents();
        this.maxBytes = limits.maxBytes().toBytes();
        this.clock = clock;
    }

    @Operation(operationId = "ingestEvents", summary = "Ingest a batch of events (scope ingest)", description = "A JSON array of events, or NDJSON (one event a "
            + "line). Answers once every accepted event is durably stored; invalid events are rejected one by one and the "
            + "valid ones of the batch accepted; a repeated event id is counted as a duplicate and not applied again.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
            @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, array = @ArraySchema(schema = @Schema(implementation = EventSchema.class)),
                    examples = @ExampleObject(name = "batch", summary = "A new contact who reviews and answers the referral survey",
                            value = EventSchema.BATCH_EXAMPLE)),
            @Content(mediaType = MediaType.APPLICATION_NDJSON_VALUE,
                    schema = @Schema(type = "string", description = "One Event JSON object a line, read as a stream"),
                    examples = @ExampleObject(name = "ndjson", summary = "The same events, one a line", value = EventSchema.NDJSON_EXAMPLE))})
    @ApiResponse(responseCode = "202", description = "Stored: counts of accepted and duplicate events, and the rejected ones",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = IngestResult.class)))
    @ApiResponse(responseCode = "400", description = "The body is not a JSON array / NDJSON of objects (malformed as a whole)")
    @ApiResponse(responseCode = "413", description = "More events or bytes than the configured limits (default 10,000 events, 5 MiB)")
    @ApiResponse(responseCode = "415", description = "A content type other than application/json or application/x-ndjson")
    @PostMapping(path = "/v1/events", consumes = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_NDJSON_VALUE},
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<IngestResult>> ingest(Caller caller, ServerHttpRequest request) {
        caller.require(Scope.INGEST);
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return Mono.error(ProblemException.tooLarge("The body has " + declared + " bytes; the limit is " + maxBytes));
        }
        Instant now = clock.instant();
        boolean ndjson = MediaType.APPLICATION_NDJSON.isCompatibleWith(request.getHeaders().getContentType());
        Flux<DataBuffer> body = limitBytes(request.getBody());
        body = ndjson ? BodyShape.notBlank(body) : BodyShape.oneArray(body);
        Flux<JsonNode> events = decoder.decode(body, JSON_NODE, MimeTypeUtils.APPLICATION_JSON, Map.of())
                .cast(JsonNode.class);
        return events.index()
                .reduce(new Batch(), (batch, indexed) -> {
                    if (indexed.getT1() >= maxEvents) {
                        throw ProblemException.tooLarge("The batch has more than " + maxEvents + " events");
                    }
                    batch.add(validator.validate(indexed.getT1(), indexed.getT2(), now));
                    return batch;
                })
                .flatMap(batch -> service.store(caller.tenantId(), batch))
                .map(result -> ResponseEntity.status(HttpStatus.ACCEPTED).body(result));
    }

    /**
     * The body as heap buffers, failing with 413 past {@code maxBytes}.
     *
     * <p>Design note: each network buffer is copied to the heap and released at once, by this operator
     * alone; everything downstream (the byte limit, {@link BodyShape}, the decoder) works on buffers whose
     * release is a no-op. A failure downstream used to release a network buffer twice (the decoder
     * releases what it read, and the failing operator's discard hook released it again), and Reactor Netty
     * then logged {@code IllegalReferenceCountException} at ERROR. The copy costs one memcpy of at most
     * {@code max-bytes}.
     */
    private Flux<DataBuffer> limitBytes(Flux<DataBuffer> body) {
        return Flux.defer(() -> {
            AtomicLong seen = new AtomicLong();
            return body.map(IngestController::toHeap).map(buffer -> {
                if (seen.addAndGet(buffer.readableByteCount()) > maxBytes) {
                    throw ProblemException.tooLarge("The body exceeds " + maxBytes + " bytes");
                }
                return buffer;
            });
        });
    }

    private static DataBuffer toHeap(DataBuffer network) {
        try {
            byte[] bytes = new byte[network.readableByteCount()];
            network.read(bytes);
            return DefaultDataBufferFactory.sharedInstance.wrap(bytes);
        } finally {
            DataBufferUtils.release(network);
        }
    }
}
