package io.segstream.contact;

import io.segstream.platform.ProblemException;
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

/** {@code GET /v1/contacts/{contactId}}: the contact's current profile. */
@RestController
@Tag(name = "Contacts", description = "Contacts' profiles")
class ContactController {

    private final ContactStore store;

    ContactController(ContactStore store) {
        this.store = store;
    }

    @Operation(operationId = "getContact", summary = "A contact's current profile and segments (scope read)")
    @ApiResponse(responseCode = "200", description = "The contact",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ContactView.class)))
    @ApiResponse(responseCode = "404", description = "No such contact for this tenant")
    @GetMapping(path = "/v1/contacts/{contactId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ContactView> get(Caller caller, @PathVariable String contactId) {
        caller.require(Scope.READ);
        return store.find(caller.tenantId(), contactId)
                .switchIfEmpty(Mono.error(() -> ProblemException.notFound("Contact '" + contactId + "'")))
                .map(ContactView::of);
    }
}
