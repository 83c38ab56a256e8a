package io.segstream.segment;

import io.segstream.membership.MembershipCounts;
import io.segstream.platform.FieldError;
import io.segstream.platform.ProblemException;
import io.segstream.platform.Text;
import io.segstream.tenant.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.segstream.tenant.Scope;
import io.segstream.tenant.Tenant;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Segment definitions ({@code manage}) and their membership ({@code read}). */
@RestController
@Tag(name = "Segments", description = "Segment definitions")
class SegmentController {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_PAGE = 10_000;

    private final SegmentStore store;
    private final SegmentLimits limits;
    private final JsonMapper json;
    private final DatabaseClient db;
    private final SegmentBuilder builder;
    private final SegmentDeletions deletions;
    private final MembershipCounts counts;

    SegmentController(SegmentStore store, SegmentLimits limits, JsonMapper json, DatabaseClient db, SegmentBuilder builder,
            SegmentDeletions deletions, MembershipCounts counts) {
        this.store = store;
        this.limits = limits;
        this.json = json;
        this.db = db;
        this.builder = builder;
        this.deletions = deletions;
        this.counts = counts;
    }

    private record Parsed(String id, String name, RuleInput rule) {}

    @Operation(operationId = "createSegment", summary = "Create a segment (scope manage)", description = "Starts as building, live once every existing contact "
            + "has been evaluated.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = SegmentRequest.class), examples = {
                    @ExampleObject(name = "rule", summary = "Created this month, left a positive rating, answered YES to our referral survey (rule tree)",
                            value = SegmentRequest.WITH_RULE),
                    @ExampleObject(name = "ruleText", summary = "The same segment in the readable syntax",
                            value = SegmentRequest.WITH_RULE_TEXT)}))
    @ApiResponse(responseCode = "201", description = "Created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = SegmentView.class)))
    @ApiResponse(responseCode = "400", description = "Invalid fields or rule (including a cycle of segment references), each at its JSON pointer; ruleText errors also give line and column")
    @ApiResponse(responseCode = "415", description = "The body is not application/json")
    @ApiResponse(responseCode = "409", description = "The id exists, or the tenant already has its maximum number of segments")
    @PostMapping(path = "/v1/segments", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<SegmentView>> create(Caller caller, @RequestBody JsonNode body) {
        caller.require(Scope.MANAGE);
        Text.requireStorable(body);
        Parsed p = parse(body, true);
        String id = p.id() != null ? p.id() : "seg-" + HexFormat.of().formatHex(randomBytes());
        return store.create(caller.tenantId(), id, p.name(), p.rule().ruleJson(), p.rule().rule(), p.rule().references())
                .onErrorMap(p.rule()::placeInText)
                .doOnNext(d -> builder.wake())
                .map(d -> ResponseEntity.status(HttpStatus.CREATED).body(view(d, 0L)));
    }

    @Operation(operationId = "updateSegment", summary = "Replace a segment's name and rule (scope manage)", description = "The version grows by one.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = SegmentRequest.class), examples = {
                    @ExampleObject(name = "rule", summary = "Created this month, left a positive rating, answered YES to our referral survey (rule tree)",
                            value = SegmentRequest.UPDATE_WITH_RULE),
                    @ExampleObject(name = "ruleText", summary = "The same segment in the readable syntax",
                            value = SegmentRequest.UPDATE_WITH_RULE_TEXT)}))
    @ApiResponse(responseCode = "200", description = "Replaced",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = SegmentView.class)))
    @ApiResponse(responseCode = "400", description = "Invalid fields or rule (including a cycle of segment references), each at its JSON pointer; ruleText errors also give line and column")
    @ApiResponse(responseCode = "415", description = "The body is not application/json")
    @ApiResponse(responseCode = "404", description = "No such segment for this tenant")
    @PutMapping(path = "/v1/segments/{id}", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<SegmentView> update(Caller caller, @PathVariable String id, @RequestBody JsonNode body) {
        caller.require(Scope.MANAGE);
        Text.requireStorable(body);
        Parsed p = parse(body, false);
        return store.update(caller.tenantId(), id, p.name(), p.rule().ruleJson(), p.rule().rule(), p.rule().references())
                .onErrorMap(p.rule()::placeInText)
                .doOnNext(d -> builder.wake())
                .flatMap(d -> count(caller.tenantId(), d));
    }

    @Operation(operationId = "listSegments", summary = "List the tenant's segments with their counts (scope read)")
    @ApiResponse(responseCode = "200", description = "The segments",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = SegmentView.SegmentList.class)))
    @GetMapping(path = "/v1/segments", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<SegmentView.SegmentList> list(Caller caller) {
        caller.require(Scope.READ);
        return store.list(caller.tenantId())
                .collectList()
                .flatMap(all -> counts.counts(caller.tenantId(), all.stream().map(SegmentDefinition::id).toList())
                        .map(c -> new SegmentView.SegmentList(all.stream().map(d -> view(d, c.counts().getOrDefault(d.id(), 0L))).toList())));
    }

    @Operation(operationId = "getSegment", summary = "One segment with its count (scope read)")
    @ApiResponse(responseCode = "200", description = "The segment",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = SegmentView.class)))
    @ApiResponse(responseCode = "404", description = "No such segment for this tenant")
    @GetMapping(path = "/v1/segments/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<SegmentView> get(Caller caller, @PathVariable String id) {
        caller.require(Scope.READ);
        return found(caller, id).flatMap(d -> count(caller.tenantId(), d));
    }

    private Mono<SegmentView> count(String tenantId, SegmentDefinition d) {
        return counts.counts(tenantId, List.of(d.id())).map(c -> view(d, c.counts().getOrDefault(d.id(), 0L)));
    }

    @Operation(operationId = "deleteSegment", summary = "Delete a segment (scope manage)", description = "Its members leave it (exit changes are emitted).")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(responseCode = "404", description = "No such segment for this tenant")
    @ApiResponse(responseCode = "409", description = "Another segment references this one")
    @DeleteMapping("/v1/segments/{id}")
    Mono<ResponseEntity<Void>> delete(Caller caller, @PathVariable String id) {
        caller.require(Scope.MANAGE);
        String tenant = caller.tenantId();
        return store.delete(tenant, id)
                // The members leave in the background, in batches (SegmentDeletions).
                .then(Mono.fromRunnable(deletions::wake))
                .thenReturn(ResponseEntity.noContent().build());
    }

    private Mono<SegmentDefinition> found(Caller caller, String id) {
        return store.find(caller.tenantId(), id)
                .switchIfEmpty(Mono.error(() -> ProblemException.notFound("Segment '" + id + "'")));
    }

    private SegmentView view(SegmentDefinition d, long count) {
        return SegmentView.of(d, count, json);
    }

    private Parsed parse(JsonNode body, boolean allowId) {
        if (body == null || !body.isObject()) throw ProblemException.validation("", "must be a JSON object");
        List<FieldError> errors = new ArrayList<>();
        String id = null;
        JsonNode idNode = body.get("id");
        if (idNode != null && !idNode.isNull()) {
            if (!allowId) {
                if (!idNode.isString()) errors.add(new FieldError("/id", "must be a string"));
            } else if (!idNode.isString() || !Tenant.ID_PATTERN.matcher(idNode.stringValue()).matches()) {
                errors.add(new FieldError("/id", "must match [a-z0-9][a-z0-9-]{0,62}"));
            } else {
                id = idNode.stringValue();
            }
        }
        JsonNode nameNode = body.get("name");
        String name = null;
        if (nameNode == null || !nameNode.isString() || nameNode.stringValue().isBlank()
                || nameNode.stringValue().length() > 200) {
            errors.add(new FieldError("/name", "is required, 1-200 characters"));
        } else {
            name = nameNode.stringValue();
        }
        RuleInput rule = RuleInput.read(body, limits.rules(), json, errors);
        for (String field : body.propertyNames()) {
            if (!List.of("id", "name", "rule", "ruleText").contains(field)) {
                errors.add(new FieldError("/" + FieldError.token(field), "unknown field"));
            }
        }
        if (!errors.isEmpty()) throw ProblemException.validation(errors);
        return new Parsed(id, name, rule);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[5];
        RANDOM.nextBytes(b);
        return b;
    }
}
