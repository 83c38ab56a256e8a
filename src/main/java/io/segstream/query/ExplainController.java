package io.segstream.query;

import io.segstream.tenant.Caller;
import io.segstream.tenant.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code GET /v1/segments/{id}/explain/{contactId}}: why a contact is in or out of a segment. */
@RestController
@Tag(name = "Authoring")
class ExplainController {

    private final ContactExplanation explanation;

    ExplainController(ContactExplanation explanation) {
        this.explanation = explanation;
    }

    @Operation(operationId = "explainMembership", summary = "Why a contact is in or out of a segment (scope read)", description = "The rule tree with every node's "
            + "result and what it saw, and the earliest instant at which membership can change with no new event (null: never by time alone).")
    @ApiResponse(responseCode = "200", description = "The explanation",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ContactExplanation.Explanation.class)))
    @ApiResponse(responseCode = "404", description = "No such segment or contact for this tenant")
    @GetMapping(path = "/v1/segments/{id}/explain/{contactId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ContactExplanation.Explanation> explain(Caller caller, @PathVariable String id, @PathVariable String contactId) {
        caller.require(Scope.READ);
        return explanation.explain(caller.tenantId(), id, contactId);
    }
}
