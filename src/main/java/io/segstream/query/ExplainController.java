package io.segstream.query;

import io.segstream.tenant.Caller;
import io.segstream.tenant.Scope;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code GET /v1/segments/{id}/explain/{contactId}}: why a contact is in or out of a segment. */
@RestController
class ExplainController {

    private final ContactExplanation explanation;

    ExplainController(ContactExplanation explanation) {
        this.explanation = explanation;
    }

    @GetMapping(path = "/v1/segments/{id}/explain/{contactId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ContactExplanation.Explanation> explain(Caller caller, @PathVariable String id, @PathVariable String contactId) {
        caller.require(Scope.READ);
        return explanation.explain(caller.tenantId(), id, contactId);
    }
}
