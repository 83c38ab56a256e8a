package io.segstream.query;

import io.segstream.tenant.Caller;
import io.segstream.tenant.Scope;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/segments/preview}: how many contacts a rule would hold now, storing nothing. */
@RestController
class PreviewController {

    private final RulePreview preview;

    PreviewController(RulePreview preview) {
        this.preview = preview;
    }

    @PostMapping(path = "/v1/segments/preview", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<RulePreview.Preview> preview(Caller caller, @RequestBody JsonNode body) {
        caller.require(Scope.MANAGE);
        return preview.preview(caller.tenantId(), preview.parse(body));
    }
}
