package io.segstream.query;

import io.segstream.platform.ProblemException;
import io.segstream.segment.SegmentStore;
import io.segstream.tenant.Caller;
import io.segstream.tenant.Scope;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code GET /v1/segments/{id}/history}: a segment's size and enters/exits per step, from the change log. */
@RestController
class HistoryController {

    private final SegmentHistory history;
    private final SegmentStore segments;

    HistoryController(SegmentHistory history, SegmentStore segments) {
        this.history = history;
        this.segments = segments;
    }

    @GetMapping(path = "/v1/segments/{id}/history", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<SegmentHistory.History> history(Caller caller, @PathVariable String id, @RequestParam(required = false) String from,
            @RequestParam(required = false) String to, @RequestParam(required = false) String step) {
        caller.require(Scope.READ);
        return segments.exists(caller.tenantId(), id)
                .flatMap(found -> found ? history.history(caller.tenantId(), id, from, to, step)
                        : Mono.error(ProblemException.notFound("Segment '" + id + "'")));
    }
}
