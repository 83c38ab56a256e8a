package io.segstream.query;

import io.segstream.platform.ProblemException;
import io.segstream.segment.SegmentStore;
import io.segstream.tenant.Caller;
import io.segstream.tenant.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code GET /v1/segments/{id}/history}: a segment's size and enters/exits per step, from the change log. */
@RestController
@Tag(name = "Authoring")
class HistoryController {

    private final SegmentHistory history;
    private final SegmentStore segments;

    HistoryController(SegmentHistory history, SegmentStore segments) {
        this.history = history;
        this.segments = segments;
    }

    @Operation(operationId = "segmentHistory", summary = "A segment's size and enters/exits per step, from the change log (scope read)")
    @ApiResponse(responseCode = "200", description = "At most 1,000 points",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = SegmentHistory.History.class)))
    @ApiResponse(responseCode = "400", description = "A bad instant or step, from before the oldest retained change (the detail names it), or more than 1,000 points")
    @ApiResponse(responseCode = "404", description = "No such segment for this tenant")
    @GetMapping(path = "/v1/segments/{id}/history", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<SegmentHistory.History> history(Caller caller, @PathVariable String id, 
            @Parameter(description = "ISO-8601 instant; default: 24 h before to") @RequestParam(required = false) String from,
            @Parameter(description = "ISO-8601 instant; default: now") @RequestParam(required = false) String to,
            @Parameter(description = "Duration such as 15m, 1h, 1d; default 1h") @RequestParam(required = false) String step) {
        caller.require(Scope.READ);
        return segments.exists(caller.tenantId(), id)
                .flatMap(found -> found ? history.history(caller.tenantId(), id, from, to, step)
                        : Mono.error(ProblemException.notFound("Segment '" + id + "'")));
    }
}
