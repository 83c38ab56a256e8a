package io.segstream.changefeed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.segstream.platform.ProblemException;
import io.segstream.segment.SegmentStore;
import io.segstream.tenant.Caller;
import io.segstream.tenant.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.MediaType;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v1/segments/{id}/changes} and {@code GET /v1/changes?segment=...}: every enter/exit as a
 * server-sent event with {@code id: <seq>}. With {@code Last-Event-ID} (or {@code ?after=}) the stream
 * first replays the log after that seq, then continues live, with no gap and no duplicate.
 */
@RestController
@Tag(name = "Change streams", description = "Live membership changes (server-sent events)")
class ChangeFeedController {

    private final ChangeTail tail;
    private final ChangeLogReader reader;
    private final SegmentStore segments;
    private final ChangeFeedProperties properties;
    private final ChangeFeedShutdown shutdown;
    private final Clock clock;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter delivered;
    private final Counter replayed;
    private final Timer latency;

    ChangeFeedController(ChangeTail tail, ChangeLogReader reader, SegmentStore segments, ChangeFeedProperties properties,
            ChangeFeedShutdown shutdown, Clock clock, MeterRegistry meters) {
        this.shutdown = shutdown;
        this.tail = tail;
        this.reader = reader;
        this.segments = segments;
        this.properties = properties;
        this.clock = clock;
        Gauge.builder("segstream.sse.streams", open, AtomicInteger::get).description("Open change streams").register(meters);
        this.delivered = Counter.builder("segstream.sse.changes.delivered").description("Changes written to streams").register(meters);
        this.replayed = Counter.builder("segstream.sse.changes.replayed").description("Changes replayed from the log").register(meters);
        this.latency = Timer.builder("segstream.sse.latency").description("From a change's commit to its SSE write")
                .publishPercentileHistogram().register(meters);
    }

    @Operation(operationId = "streamSegmentChanges", summary = "Live enters and exits of one segment (scope read)")
    @ApiResponse(responseCode = "200", description = StreamFrames.DESCRIPTION, content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
            schema = @Schema(oneOf = {StreamFrames.ChangeData.class, StreamFrames.ResetData.class, StreamFrames.CountData.class},
                    description = "The data: of each event, by event name: enter/exit ChangeData, reset ResetData, count CountData"),
            examples = @ExampleObject(name = "frames", value = StreamFrames.EXAMPLE)))
    @ApiResponse(responseCode = "400", description = "A malformed Last-Event-ID or after (not a whole number >= 0)")
    @ApiResponse(responseCode = "404", description = "No such segment for this tenant (or not covered by the stream token)")
    @Parameter(name = "access_token", in = ParameterIn.QUERY, schema = @Schema(type = "string"), description = "A stream token "
            + "(POST /v1/stream-tokens) instead of a key or session, for pages that cannot send headers; never logged")
    @GetMapping(path = "/v1/segments/{id}/changes", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Mono<Void> segmentChanges(Caller caller, @PathVariable String id,
            @Parameter(description = "Resume after this seq (the id of the last event received); wins over after",
                    schema = @Schema(types = "integer", format = "int64", minimum = "0"))
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @Parameter(description = "Resume after this seq, for clients that cannot send Last-Event-ID",
                    schema = @Schema(types = "integer", format = "int64", minimum = "0")) @RequestParam(required = false) String after,
            @Parameter(description = "Also send count events") @RequestParam(defaultValue = "false") boolean counts,
            ServerHttpRequest request, ServerHttpResponse response) {
        caller.require(Scope.READ);
        Long from = resumePoint(lastEventId, after);
        if (request.getMethod() == HttpMethod.HEAD) return existing(caller, List.of(id)).then(head(response));
        return existing(caller, List.of(id)).flatMap(s -> respond(response, caller.tenantId(), s, from, counts, s));
    }

    @Operation(operationId = "streamChanges", summary = "Live enters and exits of several segments, or of all (scope read)")
    @ApiResponse(responseCode = "200", description = StreamFrames.DESCRIPTION, content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
            schema = @Schema(oneOf = {StreamFrames.ChangeData.class, StreamFrames.ResetData.class, StreamFrames.CountData.class},
                    description = "The data: of each event, by event name: enter/exit ChangeData, reset ResetData, count CountData"),
            examples = @ExampleObject(name = "frames", value = StreamFrames.EXAMPLE)))
    @ApiResponse(responseCode = "400", description = "A malformed Last-Event-ID or after (not a whole number >= 0)")
    @ApiResponse(responseCode = "404", description = "A named segment does not exist for this tenant (or is not covered by the stream token)")
    @Parameter(name = "access_token", in = ParameterIn.QUERY, schema = @Schema(type = "string"), description = "A stream token "
            + "(POST /v1/stream-tokens) instead of a key or session, for pages that cannot send headers; never logged")
    @GetMapping(path = "/v1/changes", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Mono<Void> changes(Caller caller,
            @Parameter(description = "A segment id, repeated for several; none: every segment of the tenant (or of the stream token)")
            @RequestParam(name = "segment", required = false) List<String> segmentIds,
            @Parameter(description = "Resume after this seq (the id of the last event received); wins over after",
                    schema = @Schema(types = "integer", format = "int64", minimum = "0"))
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @Parameter(description = "Resume after this seq, for clients that cannot send Last-Event-ID",
                    schema = @Schema(types = "integer", format = "int64", minimum = "0")) @RequestParam(required = false) String after,
            @Parameter(description = "Also send count events") @RequestParam(defaultValue = "false") boolean counts,
            ServerHttpRequest request, ServerHttpResponse response) {
        caller.require(Scope.READ);
        Long from = resumePoint(lastEventId, after);
        if (segmentIds != null && segmentIds.stream().anyMatch(id -> id == null || id.isEmpty())) {
            // "?segment" or "?segment=" names no segment (it used to reach a TreeSet as null: 500).
            throw ProblemException.validation("/query/segment", "must be a segment id");
        }
        if (request.getMethod() == HttpMethod.HEAD) {
            return (segmentIds == null || segmentIds.isEmpty() ? Mono.<Void>empty() : existing(caller, segmentIds).then())
                    .then(head(response));
        }
        if ((segmentIds == null || segmentIds.isEmpty()) && caller.streamSegments().isPresent()) {
            // A stream token limited to some segments: those of them that still exist.
            return segments.list(caller.tenantId()).map(d -> d.id()).filter(caller::maySee)
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new))
                    .flatMap(mine -> respond(response, caller.tenantId(), mine, from, counts, mine));
        }
        if (segmentIds == null || segmentIds.isEmpty()) {
            // Every segment of the tenant, including ones created later.
            return segments.list(caller.tenantId()).map(d -> d.id()).collectList()
                    .flatMap(all -> respond(response, caller.tenantId(), null, from, counts, Set.copyOf(all)));
        }
        return existing(caller, segmentIds).flatMap(s -> respond(response, caller.tenantId(), s, from, counts, s));
    }

    /**
     * A {@code HEAD} of a stream: the stream's headers and no body, at once. (Spring answers a HEAD by
     * reading the body the GET would write and dropping it: an endless stream, so the answer never came
     * and the subscription stayed open.)
     */
    private static Mono<Void> head(ServerHttpResponse response) {
        return Mono.defer(() -> {
            streamHeaders(response.getHeaders());
            return response.setComplete();
        });
    }

    private static void streamHeaders(HttpHeaders headers) {
        headers.setContentType(MediaType.TEXT_EVENT_STREAM);
        headers.setCacheControl("no-cache");
        headers.set("X-Accel-Buffering", "no");
    }

    private Mono<Set<String>> existing(Caller caller, List<String> ids) {
        String tenantId = caller.tenantId();
        // A segment a stream token does not cover is not found, as if it did not exist.
        for (String id : ids) {
            if (!caller.maySee(id)) return Mono.error(ProblemException.notFound("Segment '" + id + "'"));
        }
        // Through the one-second existence cache: a storm of reconnecting dashboards costs one query per tenant.
        return Flux.fromIterable(new TreeSet<>(ids))
                .concatMap(id -> segments.exists(tenantId, id)
                        .flatMap(found -> found ? Mono.just(id) : Mono.error(ProblemException.notFound("Segment '" + id + "'"))))
                .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }

    /**
     * Writes the stream: {@code filter} null means every segment; {@code countable} are the segments counts
     * are kept for. The frames are written as plain bytes (see {@link SseFrames}): what is queued leaves in
     * one flush. A live change's bytes are shared by every stream (wrapped, not copied).
     */
    private Mono<Void> respond(ServerHttpResponse response, String tenantId, Set<String> filter, Long from, boolean counts,
            Set<String> countable) {
        Flux<byte[]> stream = Flux.usingWhen(
                tail.subscribe(tenantId, eventLoop(response)),
                sub -> body(tenantId, filter, from, counts, countable, sub),
                sub -> Mono.fromRunnable(() -> tail.unsubscribe(tenantId, sub)));
        stream = stream
                .doOnSubscribe(s -> open.incrementAndGet())
                .doFinally(s -> open.decrementAndGet());
        streamHeaders(response.getHeaders());
        DataBufferFactory buffers = response.bufferFactory();
        return response.writeWith(stream.map(buffers::wrap));
    }

    /**
     * The event loop of the response's connection, where its live frames are handed to it (so that their
     * writes need no hand-over to it); null when the response is not on a Netty connection.
     */
    private static java.util.concurrent.Executor eventLoop(ServerHttpResponse response) {
        Object connection = ServerHttpResponseDecorator.getNativeResponse(response);
        return connection instanceof reactor.netty.Connection c ? c.channel().eventLoop() : null;
    }

    private Flux<byte[]> body(String tenantId, Set<String> filter, Long from, boolean counts,
            Set<String> countable, ChangeTail.Subscription sub) {
        long position = sub.position;
        byte[] hello = SseFrames.bytes(SseFrames.comment("connected", properties.retry()));
        // Only a resume needs to know how far the log was pruned; a live-only stream costs no query here.
        Mono<long[]> positionOfLog = from == null ? Mono.just(new long[] {position, 0}) : reader.position(tenantId);
        return positionOfLog.flatMapMany(p -> {
            long pruned = p[1];
            Flux<byte[]> head = Flux.just(hello);
            long replayFrom;
            if (from == null) {
                replayFrom = position; // live only
            } else if (from < pruned) {
                head = head.concatWith(Flux.just(SseFrames.bytes(SseFrames.reset(position))));
                replayFrom = position;
            } else {
                replayFrom = from;
            }
            long liveFrom = Math.max(replayFrom, position);
            // Replayed changes are this stream's own; live ones come encoded once for every stream (ChangeTail).
            Flux<ChangeTail.Frame> replay = replayFrom >= position ? Flux.empty()
                    : reader.read(tenantId, replayFrom, position, filter)
                            .map(r -> new ChangeTail.Frame(r, SseFrames.changeBytes(r)))
                            .doOnNext(f -> replayed.increment());
            // Looked up for every live change of the tenant: a hash set, not the sorted set the ids came in.
            Set<String> wanted = filter == null ? null : Set.copyOf(filter);
            Flux<ChangeTail.Frame> live = sub.frames()
                    .filter(f -> f.row().seq() > liveFrom && (wanted == null || wanted.contains(f.row().segment())));
            Counts tally = counts ? new Counts() : null;
            Flux<byte[]> changes = Flux.concat(replay, live)
                    .doOnNext(f -> {
                        if (tally != null) tally.apply(f.row());
                    })
                    .map(this::event);
            Flux<byte[]> keepAlive = Flux.interval(properties.keepAlive())
                    .onBackpressureDrop()
                    .map(t -> KEEP_ALIVE);
            Flux<byte[]> countEvents = tally == null ? Flux.empty()
                    : reader.counts(tenantId, countable).flatMapMany(initial -> {
                        tally.start(initial);
                        return Flux.concat(Flux.fromIterable(tally.dirty()),
                                Flux.interval(Duration.ofSeconds(1)).onBackpressureDrop().concatMapIterable(t -> tally.dirty()));
                    }).map(SseFrames::bytes);
            // The stream ends when the changes end (a cut-off subscriber); keep-alives and counts end with it.
            reactor.core.publisher.Sinks.One<Boolean> done = reactor.core.publisher.Sinks.one();
            Flux<byte[]> tracked = changes.doFinally(signal -> done.tryEmitValue(Boolean.TRUE));
            // When the application stops, the stream ends with a retry hint (ChangeFeedShutdown).
            byte[] goodbye = SseFrames.bytes(SseFrames.comment("server shutting down: reconnect with Last-Event-ID", properties.retry()));
            return head.concatWith(Flux.merge(tracked, keepAlive.takeUntilOther(done.asMono()),
                                    countEvents.takeUntilOther(done.asMono()))
                            .takeUntilOther(shutdown.closing()))
                    .concatWith(Mono.fromSupplier(() -> shutdown.isClosing() ? goodbye : null));
        });
    }

    private byte[] event(ChangeTail.Frame f) {
        delivered.increment();
        latency.record(Duration.between(f.row().at(), clock.instant()).abs());
        return f.bytes();
    }

    private static final byte[] KEEP_ALIVE = SseFrames.bytes(SseFrames.comment("keep-alive", null));

    /**
     * Counts per segment as of a seq, advanced by the changes delivered after it. Changes delivered
     * before the initial counts arrive are kept (up to a bound) and applied to them, those after their
     * seq only.
     */
    private static final class Counts {
        private static final int EARLY_LIMIT = 10_000; // a stream's memory stays bounded
        private final Map<String, long[]> state = new java.util.HashMap<>(); // segment -> {count, asOf, dirty}
        private List<ChangeRow> early = new java.util.ArrayList<>();

        synchronized void start(io.segstream.membership.MembershipCounts.Counted initial) {
            initial.counts().forEach((s, n) -> state.put(s, new long[] {n, initial.asOf(), 1}));
            List<ChangeRow> before = early;
            early = null;
            if (before != null) before.forEach(this::advance);
        }

        synchronized void apply(ChangeRow r) {
            if (early == null) advance(r);
            else if (early.size() < EARLY_LIMIT) early.add(r);
            else throw new IllegalStateException("The initial counts did not arrive before " + EARLY_LIMIT + " changes");
        }

        private void advance(ChangeRow r) {
            long[] v = state.get(r.segment());
            if (v == null || r.seq() <= v[1]) return;
            v[0] += r.enter() ? 1 : -1;
            v[1] = r.seq();
            v[2] = 1;
        }

        synchronized List<String> dirty() {
            List<String> out = new java.util.ArrayList<>();
            state.forEach((s, v) -> {
                if (v[2] == 0) return;
                v[2] = 0;
                out.add(SseFrames.count(s, v[0], v[1]));
            });
            return out;
        }
    }

    private static Long resumePoint(String lastEventId, String after) {
        String raw = lastEventId != null ? lastEventId : after;
        if (raw == null) return null;
        String pointer = lastEventId != null ? "/headers/Last-Event-ID" : "/after";
        try {
            long v = Long.parseLong(raw.trim());
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw ProblemException.validation(pointer, "must be a change seq (a whole number >= 0)");
        }
    }
}
