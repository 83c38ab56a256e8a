package io.segstream.query;

import io.segstream.platform.FieldError;
import io.segstream.platform.Json;
import io.segstream.platform.ProblemException;
import io.segstream.platform.Text;
import io.segstream.platform.Problems;
import io.segstream.segment.SegmentStore;
import io.segstream.tenant.Caller;
import io.segstream.tenant.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Counts, member listings and set queries for campaign senders, answered from the Redis bitmaps. A
 * listing is a snapshot: its first page creates it, its cursor names it, and every page reads it, so the
 * pages add up to the membership as of {@code asOf}, whatever changes meanwhile.
 */
@RestController
@Tag(name = "Queries", description = "Counts, member listings and set queries for campaign senders")
class QueryController {

    private static final int MAX_PAGE = 10_000;
    private static final int MAX_REFS = 100;
    private static final String MEMBERS_SUMMARY = "A segment's members, a page at a time, or every member as NDJSON (scope read)";
    private static final String MEMBERS_DESCRIPTION = "Pages of one listing come from one snapshot (asOf). With Accept: "
            + "application/x-ndjson every member is streamed, one {\"contactId\"} a line, and limit/cursor do not apply.";
    private static final String MEMBERS_200 = "A page of members, or (NDJSON) every member";

    private final Bitmaps bitmaps;
    private final SegmentStore segments;
    private final DatabaseClient db;
    private final Duration snapshotTtl;

    QueryController(Bitmaps bitmaps, SegmentStore segments, DatabaseClient db,
            @Value("${segstream.query.snapshot-ttl:10m}") Duration snapshotTtl) {
        this.bitmaps = bitmaps;
        this.segments = segments;
        this.db = db;
        this.snapshotTtl = snapshotTtl;
    }

    @Operation(operationId = "countMembers", summary = "A segment's member count (scope read)")
    @ApiResponse(responseCode = "200", description = "The count as of a change seq",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Listings.SegmentCount.class)))
    @ApiResponse(responseCode = "404", description = "No such segment for this tenant")
    @GetMapping(path = "/v1/segments/{id}/count", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Listings.SegmentCount> count(Caller caller, @PathVariable String id) {
        caller.require(Scope.READ);
        return segment(caller, id).then(bitmaps.count(caller.tenantId(), "seg:" + id))
                .map(c -> new Listings.SegmentCount(id, c.count(), c.asOf()));
    }

    @Operation(operationId = "listMembers", summary = MEMBERS_SUMMARY, description = MEMBERS_DESCRIPTION)
    @ApiResponse(responseCode = "200", description = MEMBERS_200, content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = Listings.MemberPage.class)))
    @ApiResponse(responseCode = "400", description = "limit outside 1-10000, or a cursor this service did not issue")
    @ApiResponse(responseCode = "404", description = "No such segment for this tenant")
    @ApiResponse(responseCode = "410", description = "The cursor's snapshot expired; start the listing again")
    @GetMapping(path = "/v1/segments/{id}/members", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Listings.MemberPage> members(Caller caller, @PathVariable String id,
            @Parameter(description = "Members per page, 1-10000") @RequestParam(defaultValue = "1000") int limit,
            @Parameter(description = "The nextCursor of the previous page") @RequestParam(required = false) String cursor) {
        caller.require(Scope.READ);
        checkLimit(limit);
        if (cursor != null) return page(caller.tenantId(), Cursor.decode(cursor), limit).map(Listings.QueryPage::withoutCount);
        return segment(caller, id)
                .then(bitmaps.snapshot(caller.tenantId(), List.of("seg:" + id), List.of(), List.of(), null, snapshotTtl))
                .flatMap(s -> page(caller.tenantId(), s, 0, limit, true))
                .map(Listings.QueryPage::withoutCount);
    }

    /**
     * Every member as NDJSON, from one snapshot, in contact-number order. The snapshot is read in chunks of
     * 65,536 contact numbers; each chunk's ids come from one statement: a range scan of the contacts
     * numbered from its first to its last member (filtered by the bitmap) when at least a quarter of
     * them are members, else a lookup of the members' numbers. Lines are written as bytes, one buffer per chunk.
     */
    @Operation(operationId = "listMembers", summary = MEMBERS_SUMMARY, description = MEMBERS_DESCRIPTION)
    @ApiResponse(responseCode = "200", description = MEMBERS_200, content = @Content(mediaType = MediaType.APPLICATION_NDJSON_VALUE,
            schema = @Schema(implementation = Listings.MemberLine.class),
            examples = @ExampleObject(name = "members", value = "{\"contactId\":\"c-1\"}\n{\"contactId\":\"c-42\"}\n")))
    @GetMapping(path = "/v1/segments/{id}/members", produces = MediaType.APPLICATION_NDJSON_VALUE)
    Flux<DataBuffer> export(Caller caller, @PathVariable String id) {
        caller.require(Scope.READ);
        String tenant = caller.tenantId();
        return segment(caller, id)
                .then(bitmaps.snapshot(tenant, List.of("seg:" + id), List.of(), List.of(), null, snapshotTtl))
                .flatMapMany(s -> bitmaps.chunks(tenant, s.id())
                        .flatMapSequential(chunk -> lines(tenant, chunk), 2)
                        .concatWith(bitmaps.release(tenant, s.id()).then(Mono.empty())));
    }

    private Mono<DataBuffer> lines(String tenantId, Bitmaps.Chunk chunk) {
        int members = chunk.count();
        if (members == 0) return Mono.empty();
        long[] span = chunk.span();
        Flux<String> ids;
        if (members * 4L >= span[1] - span[0]) {
            ids = db.sql("""
                            SELECT contact_no, contact_id FROM contacts
                            WHERE tenant_id = :t AND contact_no >= :lo AND contact_no < :hi ORDER BY contact_no""")
                    .bind("t", tenantId).bind("lo", span[0]).bind("hi", span[1])
                    .map(row -> chunk.has(row.get("contact_no", Long.class)) ? row.get("contact_id", String.class) : "")
                    .all()
                    .filter(contactId -> !contactId.isEmpty());
        } else {
            ids = resolve(tenantId, chunk.numbers()).flatMapIterable(list -> list);
        }
        return ids.collect(() -> new StringBuilder(members * 32), (sb, contactId) -> {
                    sb.append("{\"contactId\":");
                    Json.quote(sb, contactId);
                    sb.append("}\n");
                })
                .timeout(Bitmaps.TIMEOUT)
                .map(sb -> DefaultDataBufferFactory.sharedInstance.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Operation(operationId = "query", summary = "Set algebra over segments, tags and audiences (scope read)",
            description = "Contacts in all of `all`, at least one of `any` (when given) and none of `none`; with channel, contacts "
                    + "unsubscribed from it are left out. The next page: the same call with {\"cursor\": nextCursor} as the body.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = Listings.QueryRequest.class), examples = {
                    @ExampleObject(name = "emailable", summary = "New happy referrers who are VIP, minus the unsubscribed from email",
                            value = "{\"all\": [{\"segment\": \"new-happy-referrers\"}, {\"tag\": \"vip\"}], "
                                    + "\"none\": [{\"audience\": \"staff\"}], \"channel\": \"email\"}"),
                    @ExampleObject(name = "next page", value = "{\"cursor\": \"djE6MDEyMzQ1Njc4OWFiY2RlZjAxMjM6NDI\"}")}))
    @ApiResponse(responseCode = "200", description = "The count and the first page of members",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Listings.QueryPage.class)))
    @ApiResponse(responseCode = "400", description = "Invalid refs, channel or limit, each at its JSON pointer")
    @ApiResponse(responseCode = "404", description = "A named segment does not exist for this tenant")
    @ApiResponse(responseCode = "410", description = "The cursor's snapshot expired; run the query again")
    @ApiResponse(responseCode = "415", description = "The body is not application/json")
    @PostMapping(path = "/v1/query", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Listings.QueryPage> query(Caller caller, @RequestBody JsonNode body,
            @Parameter(description = "Members per page, 1-10000") @RequestParam(defaultValue = "1000") int limit) {
        caller.require(Scope.READ);
        checkLimit(limit);
        if (body != null && body.has("cursor")) {
            JsonNode c = body.get("cursor");
            if (!c.isString()) throw ProblemException.validation("/cursor", "must be a cursor string");
            return page(caller.tenantId(), Cursor.decode(c.stringValue()), limit);
        }
        Query q = Query.parse(body);
        return Flux.fromIterable(q.segmentIds())
                .concatMap(id -> segment(caller, id))
                .then(bitmaps.snapshot(caller.tenantId(), q.all(), q.any(), q.none(), q.channel(), snapshotTtl))
                .flatMap(s -> page(caller.tenantId(), s, 0, limit, true));
    }

    private Mono<Listings.QueryPage> page(String tenantId, Cursor cursor, int limit) {
        return bitmaps.find(tenantId, cursor.snapshot())
                .switchIfEmpty(Mono.error(() -> new ProblemException(HttpStatus.GONE, Problems.SNAPSHOT_EXPIRED,
                        "Snapshot expired", "This listing's snapshot expired (kept " + snapshotTtl
                                + "); start the listing again and follow changes?after=<asOf> from the new one")))
                .flatMap(s -> page(tenantId, s, cursor.next(), limit, false));
    }

    /**
     * The page of a snapshot starting at contact number {@code from}; {@code fresh}: the snapshot was just
     * made for this request, so no cursor names it yet.
     */
    private Mono<Listings.QueryPage> page(String tenantId, Bitmaps.Snapshot s, long from, int limit, boolean fresh) {
        Mono<long[]> members = s.count() == 0 ? Mono.just(new long[0]) : bitmaps.members(tenantId, s.id(), from, limit + 1);
        return members.flatMap(nos -> {
                    long[] pageNos = nos.length > limit ? java.util.Arrays.copyOf(nos, limit) : nos;
                    boolean last = nos.length <= limit;
                    return resolve(tenantId, pageNos).map(ids -> new Listings.QueryPage(s.count(), ids,
                                    last ? null : new Cursor(s.id(), nos[limit]).encode(), s.asOf()))
                    // A listing read to its end frees its snapshot 30 s later instead of after the full TTL
                    // (a client may retry its last page); one whose first page is the last has handed out no
                    // cursor, so nobody can come back for it: freed now.
                    .flatMap(out -> !last ? Mono.just(out)
                            : (fresh ? bitmaps.discard(tenantId, s.id()) : bitmaps.release(tenantId, s.id())).thenReturn(out));
                });
    }

    /** Contact ids for contact numbers, in the numbers' order, with one query. */
    private Mono<List<String>> resolve(String tenantId, long[] numbers) {
        if (numbers.length == 0) return Mono.just(List.of());
        Long[] boxed = new Long[numbers.length];
        for (int i = 0; i < numbers.length; i++) boxed[i] = numbers[i];
        // One index probe per number whatever the planner estimates (see ContactStore.BY_IDS).
        return db.sql("SELECT c.contact_no, c.contact_id FROM unnest(:nos::bigint[]) AS v(no) CROSS JOIN LATERAL "
                        + "(SELECT contact_no, contact_id FROM contacts WHERE tenant_id = :t AND contact_no = v.no OFFSET 0) c")
                .bind("t", tenantId).bind("nos", io.segstream.platform.PgArrays.bigints(boxed))
                .map(row -> Map.entry(row.get("contact_no", Long.class), row.get("contact_id", String.class)))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, HashMap::new)
                .timeout(Bitmaps.TIMEOUT)
                .map(byNo -> {
                    List<String> out = new ArrayList<>(numbers.length);
                    for (long n : numbers) {
                        String id = byNo.get(n);
                        if (id != null) out.add(id);
                    }
                    return out;
                });
    }

    private Mono<Void> segment(Caller caller, String id) {
        return segments.exists(caller.tenantId(), id)
                .flatMap(found -> found ? Mono.<Void>empty() : Mono.error(ProblemException.notFound("Segment '" + id + "'")));
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > MAX_PAGE) throw ProblemException.validation("/limit", "must be 1-" + MAX_PAGE);
    }

    /** Names a snapshot and the contact number the next page starts at. */
    record Cursor(String snapshot, long next) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(("v1:" + snapshot + ":" + next).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String s) {
            try {
                String[] p = new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8).split(":");
                if (p.length != 3 || !p[0].equals("v1") || !p[1].matches("[0-9a-f]{20}")) throw new IllegalArgumentException();
                return new Cursor(p[1], Long.parseLong(p[2]));
            } catch (IllegalArgumentException e) {
                throw ProblemException.validation("/cursor", "is not a cursor this service issued");
            }
        }
    }

    /** A validated set query: bitmap keys per clause. */
    record Query(List<String> all, List<String> any, List<String> none, String channel, List<String> segmentIds) {

        static Query parse(JsonNode body) {
            if (body == null || !body.isObject()) throw ProblemException.validation("", "must be a JSON object");
            Text.requireStorable(body);
            List<FieldError> errors = new ArrayList<>();
            List<String> segmentIds = new ArrayList<>();
            List<String> all = refs(body, "all", errors, segmentIds);
            List<String> any = refs(body, "any", errors, segmentIds);
            List<String> none = refs(body, "none", errors, segmentIds);
            String channel = null;
            JsonNode ch = body.get("channel");
            if (ch != null && !ch.isNull()) {
                if (!ch.isString() || !List.of("email", "sms").contains(ch.stringValue())) {
                    errors.add(new FieldError("/channel", "must be email or sms"));
                } else {
                    channel = ch.stringValue();
                }
            }
            for (String field : body.propertyNames()) {
                if (!List.of("all", "any", "none", "channel").contains(field)) {
                    errors.add(new FieldError("/" + FieldError.token(field), "unknown field"));
                }
            }
            if (all.size() + any.size() + none.size() > MAX_REFS) errors.add(new FieldError("", "at most " + MAX_REFS + " refs"));
            if (!errors.isEmpty()) throw ProblemException.validation(errors);
            return new Query(all, any, none, channel, segmentIds);
        }

        private static List<String> refs(JsonNode body, String clause, List<FieldError> errors, List<String> segmentIds) {
            JsonNode arr = body.get(clause);
            List<String> out = new ArrayList<>();
            if (arr == null || arr.isNull()) return out;
            if (!arr.isArray()) {
                errors.add(new FieldError("/" + clause, "must be an array of refs"));
                return out;
            }
            for (int i = 0; i < arr.size(); i++) {
                JsonNode ref = arr.get(i);
                String at = "/" + clause + "/" + i;
                if (!ref.isObject() || ref.size() != 1) {
                    errors.add(new FieldError(at, "must be {\"segment\": id}, {\"tag\": t} or {\"audience\": a}"));
                    continue;
                }
                String kind = ref.propertyNames().iterator().next();
                JsonNode v = ref.get(kind);
                if (!v.isString() || v.stringValue().isEmpty() || v.stringValue().length() > 256) {
                    errors.add(new FieldError(at + "/" + FieldError.token(kind), "must be a non-empty string"));
                    continue;
                }
                switch (kind) {
                    case "segment" -> {
                        out.add("seg:" + v.stringValue());
                        segmentIds.add(v.stringValue());
                    }
                    case "tag" -> out.add("tag:" + v.stringValue());
                    case "audience" -> out.add("aud:" + v.stringValue());
                    default -> errors.add(new FieldError(at + "/" + FieldError.token(kind), "must be segment, tag or audience"));
                }
            }
            return out;
        }
    }
}
