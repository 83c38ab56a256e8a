package io.segstream.changefeed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.segstream.platform.Json;
import io.segstream.platform.ProblemException;
import io.segstream.segment.SegmentStore;
import io.segstream.tenant.Caller;
import io.segstream.tenant.Scope;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
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

    @GetMapping(path = "/v1/segments/{id}/changes", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Mono<ResponseEntity<Flux<ServerSentEvent<Object>>>> segmentChanges(Caller caller, @PathVariable String id,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @RequestParam(required = false) String after, @RequestParam(defaultValue = "false") boolean counts) {
        caller.require(Scope.READ);
        Long from = resumePoint(lastEventId, after);
        return existing(caller.tenantId(), List.of(id)).map(s -> respond(caller.tenantId(), s, from, counts));
    }

    @GetMapping(path = "/v1/changes", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Mono<ResponseEntity<Flux<ServerSentEvent<Object>>>> changes(Caller caller,
            @RequestParam(name = "segment", required = false) List<String> segmentIds,
            @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
            @RequestParam(required = false) String after, @RequestParam(defaultValue = "false") boolean counts) {
        caller.require(Scope.READ);
        Long from = resumePoint(lastEventId, after);
        if (segmentIds == null || segmentIds.isEmpty()) {
            // Every segment of the tenant, including ones created later.
            return segments.list(caller.tenantId()).map(d -> d.id()).collectList()
                    .map(all -> respond(caller.tenantId(), null, from, counts, Set.copyOf(all)));
        }
        return existing(caller.tenantId(), segmentIds).map(s -> respond(caller.tenantId(), s, from, counts));
    }

    private Mono<Set<String>> existing(String tenantId, List<String> ids) {
        // Through the one-second existence cache: a storm of reconnecting dashboards costs one query per tenant.
        return Flux.fromIterable(new TreeSet<>(ids))
                .concatMap(id -> segments.exists(tenantId, id)
                        .flatMap(found -> found ? Mono.just(id) : Mono.error(ProblemException.notFound("Segment '" + id + "'"))))
                .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }

    private ResponseEntity<Flux<ServerSentEvent<Object>>> respond(String tenantId, Set<String> filter, Long from, boolean counts) {
        return respond(tenantId, filter, from, counts, filter);
    }

    /** {@code filter} null means every segment; {@code countable} are the segments counts are kept for. */
    private ResponseEntity<Flux<ServerSentEvent<Object>>> respond(String tenantId, Set<String> filter, Long from, boolean counts,
            Set<String> countable) {
        Flux<ServerSentEvent<Object>> stream = Flux.usingWhen(
                tail.subscribe(tenantId),
                sub -> body(tenantId, filter, from, counts, countable, sub),
                sub -> Mono.fromRunnable(() -> tail.unsubscribe(tenantId, sub)));
        stream = stream
                .doOnSubscribe(s -> open.incrementAndGet())
                .doFinally(s -> open.decrementAndGet());
        return ResponseEntity.ok()
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .body(stream);
    }

    private Flux<ServerSentEvent<Object>> body(String tenantId, Set<String> filter, Long from, boolean counts,
            Set<String> countable, ChangeTail.Subscription sub) {
        long position = sub.position;
        ServerSentEvent<Object> hello = ServerSentEvent.builder().retry(properties.retry()).comment(" connected").build();
        // Only a resume needs to know how far the log was pruned; a live-only stream costs no query here.
        Mono<long[]> positionOfLog = from == null ? Mono.just(new long[] {position, 0}) : reader.position(tenantId);
        return positionOfLog.flatMapMany(p -> {
            long pruned = p[1];
            Flux<ServerSentEvent<Object>> head = Flux.just(hello);
            long replayFrom;
            if (from == null) {
                replayFrom = position; // live only
            } else if (from < pruned) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("reason", "history-expired");
                data.put("asOf", position);
                head = head.concatWith(Flux.just(ServerSentEvent.builder((Object) data).event("reset").build()));
                replayFrom = position;
            } else {
                replayFrom = from;
            }
            long liveFrom = Math.max(replayFrom, position);
            Flux<ChangeRow> replay = replayFrom >= position ? Flux.empty()
                    : reader.read(tenantId, replayFrom, position, filter).doOnNext(r -> replayed.increment());
            Flux<ChangeRow> live = sub.rows()
                    .filter(r -> r.seq() > liveFrom && (filter == null || filter.contains(r.segment())));
            Counts tally = counts ? new Counts() : null;
            Flux<ServerSentEvent<Object>> changes = Flux.concat(replay, live)
                    .doOnNext(r -> {
                        if (tally != null) tally.apply(r);
                    })
                    .map(this::event);
            Flux<ServerSentEvent<Object>> keepAlive = Flux.interval(properties.keepAlive())
                    .onBackpressureDrop()
                    .map(t -> ServerSentEvent.builder().comment(" keep-alive").build());
            Flux<ServerSentEvent<Object>> countEvents = tally == null ? Flux.empty()
                    : reader.counts(tenantId, countable).flatMapMany(initial -> {
                        tally.start(initial);
                        return Flux.concat(Flux.fromIterable(tally.dirty()),
                                Flux.interval(Duration.ofSeconds(1)).onBackpressureDrop().concatMapIterable(t -> tally.dirty()));
                    });
            // The stream ends when the changes end (a cut-off subscriber); keep-alives and counts end with it.
            reactor.core.publisher.Sinks.One<Boolean> done = reactor.core.publisher.Sinks.one();
            Flux<ServerSentEvent<Object>> tracked = changes.doFinally(signal -> done.tryEmitValue(Boolean.TRUE));
            // When the application stops, the stream ends with a retry hint (ChangeFeedShutdown).
            ServerSentEvent<Object> goodbye = ServerSentEvent.builder().retry(properties.retry())
                    .comment(" server shutting down: reconnect with Last-Event-ID").build();
            return head.concatWith(Flux.merge(tracked, keepAlive.takeUntilOther(done.asMono()),
                                    countEvents.takeUntilOther(done.asMono()))
                            .takeUntilOther(shutdown.closing()))
                    .concatWith(Mono.fromSupplier(() -> shutdown.isClosing() ? goodbye : null));
        });
    }

    private ServerSentEvent<Object> event(ChangeRow r) {
        delivered.increment();
        latency.record(Duration.between(r.at(), clock.instant()).abs());
        return ServerSentEvent.builder((Object) data(r)).id(Long.toString(r.seq())).event(r.enter() ? "enter" : "exit").build();
    }

    /**
     * The event's data line, written by hand (one per change delivered; a serializer per map cost a
     * measurable share of the CPU). Fields as in API.md: seq, segment, contactId, change, at, cause.
     */
    static String data(ChangeRow r) {
        StringBuilder sb = new StringBuilder(160);
        sb.append("{\"seq\":").append(r.seq()).append(",\"segment\":");
        Json.quote(sb, r.segment());
        sb.append(",\"contactId\":");
        Json.quote(sb, r.contactId());
        sb.append(",\"change\":\"").append(r.enter() ? "enter" : "exit").append("\",\"at\":\"").append(r.at())
                .append("\",\"cause\":{\"kind\":");
        Json.quote(sb, r.causeKind());
        if (r.eventId() != null) {
            sb.append(",\"eventId\":");
            Json.quote(sb, r.eventId());
        }
        return sb.append("}}").toString();
    }

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

        synchronized List<ServerSentEvent<Object>> dirty() {
            List<ServerSentEvent<Object>> out = new java.util.ArrayList<>();
            state.forEach((s, v) -> {
                if (v[2] == 0) return;
                v[2] = 0;
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("segment", s);
                data.put("count", v[0]);
                data.put("asOf", v[1]);
                out.add(ServerSentEvent.builder((Object) data).event("count").build());
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
