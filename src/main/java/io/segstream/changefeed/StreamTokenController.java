package io.segstream.changefeed;

import io.segstream.platform.FieldError;
import io.segstream.platform.ProblemException;
import io.segstream.segment.SegmentStore;
import io.segstream.tenant.Caller;
import io.segstream.tenant.Scope;
import io.segstream.tenant.StreamTokens;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/stream-tokens} (scope {@code read}) {@code {"segments"?, "ttl"?}}: a token that reads
 * the change streams of those segments (all of the tenant's when absent) with {@code ?access_token=},
 * for pages that cannot send headers ({@link StreamTokens}).
 */
@RestController
@Tag(name = "Change streams")
class StreamTokenController {

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})([smhdw])");
    private static final int MAX_SEGMENTS = 200;

    /** The answer: the token (shown once) and when it expires. */
    @Schema(name = "StreamToken")
    record StreamTokenView(@Schema(description = "Pass as ?access_token= on the change streams") String token,
            @Schema(format = "date-time", example = "2026-11-28T10:15:00Z") String expiresAt) {}

    /** The body, for the document only. */
    @Schema(name = "StreamTokenInput")
    record StreamTokenRequest(
            @ArraySchema(schema = @Schema(description = "A segment id"), minItems = 1, maxItems = 200,
                    arraySchema = @Schema(description = "The segments the token may stream; absent: all of the tenant's")) List<String> segments,
            @Schema(description = "Lifetime, at most 1h", example = "15m", defaultValue = "15m") String ttl) {}

    private final StreamTokens tokens;
    private final SegmentStore segments;

    StreamTokenController(StreamTokens tokens, SegmentStore segments) {
        this.tokens = tokens;
        this.segments = segments;
    }

    @Operation(operationId = "createStreamToken", summary = "Mint a stream token for the change streams (scope read)", description = "For pages that cannot send "
            + "headers (an EventSource on another host): `?access_token=<token>` then authenticates GET on the change streams, "
            + "limited to the token's segments. Re-mint before it expires and resume with `?after=<last id>`.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = StreamTokenRequest.class), examples = {
                    @ExampleObject(name = "two segments", value = "{\"segments\": [\"new-happy-referrers\", \"vip\"], \"ttl\": \"15m\"}"),
                    @ExampleObject(name = "all segments", value = "{}")}))
    @ApiResponse(responseCode = "201", description = "Minted", content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = StreamTokenView.class)))
    @ApiResponse(responseCode = "400", description = "Bad segments or ttl, each at its JSON pointer")
    @ApiResponse(responseCode = "404", description = "A named segment does not exist for this tenant")
    @ApiResponse(responseCode = "415", description = "The body is not application/json")
    @PostMapping(path = "/v1/stream-tokens", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<StreamTokenView>> mint(Caller caller, @RequestBody(required = false) JsonNode body) {
        caller.require(Scope.READ);
        if (body != null && !body.isNull() && !body.isObject()) {
            throw ProblemException.validation("", "must be a JSON object");
        }
        List<FieldError> errors = new ArrayList<>();
        Set<String> ids = segmentIds(body == null ? null : body.get("segments"), errors);
        Duration ttl = ttl(body == null ? null : body.get("ttl"), errors);
        if (!errors.isEmpty()) throw ProblemException.validation(errors);
        Mono<Void> known = ids == null ? Mono.empty() : Flux.fromIterable(ids)
                .concatMap(id -> segments.exists(caller.tenantId(), id).flatMap(found -> found ? Mono.<Void>empty()
                        : Mono.error(ProblemException.notFound("Segment '" + id + "'"))))
                .then();
        return known.then(tokens.mint(caller, ids, ttl))
                .map(m -> ResponseEntity.status(HttpStatus.CREATED)
                        .body(new StreamTokenView(m.token(), m.expiresAt().toString())));
    }

    private static Set<String> segmentIds(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) return null;
        if (!node.isArray() || node.isEmpty() || node.size() > MAX_SEGMENTS) {
            errors.add(new FieldError("/segments", "must be an array of 1-" + MAX_SEGMENTS + " segment ids"));
            return null;
        }
        Set<String> ids = new TreeSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode id = node.get(i);
            if (!id.isString() || id.stringValue().isEmpty() || id.stringValue().length() > 63) {
                errors.add(new FieldError("/segments/" + i, "must be a segment id"));
            } else {
                ids.add(id.stringValue());
            }
        }
        return ids;
    }

    private static Duration ttl(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) return StreamTokens.DEFAULT_TTL;
        Matcher m = node.isString() ? DURATION.matcher(node.stringValue()) : null;
        if (m == null || !m.matches()) {
            errors.add(new FieldError("/ttl", "must be a duration such as 90s, 15m or 1h"));
            return null;
        }
        long n = Long.parseLong(m.group(1));
        Duration ttl = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
        if (ttl.isZero() || ttl.compareTo(StreamTokens.MAX_TTL) > 0) {
            errors.add(new FieldError("/ttl", "must be more than 0s and at most 1h"));
            return null;
        }
        return ttl;
    }
}
