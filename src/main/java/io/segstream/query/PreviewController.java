package io.segstream.query;

import io.segstream.segment.SegmentExamples;
import io.segstream.tenant.Caller;
import io.segstream.tenant.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/segments/preview}: how many contacts a rule would hold now, storing nothing. */
@RestController
@Tag(name = "Authoring", description = "Previewing, explaining and charting segments")
class PreviewController {

    /** The body, for the document only ({@link RulePreview#parse} reads it to answer 400 at each pointer). */
    @Schema(name = "PreviewInput", description = "Give exactly one of rule and ruleText")
    record PreviewInput(@Schema(types = "object", example = SegmentExamples.RULE) JsonNode rule,
            @Schema(example = SegmentExamples.RULE_TEXT) String ruleText,
            @Schema(description = "How many matching contact ids to list", minimum = "1", maximum = "100", defaultValue = "20") Integer sample) {

        static final String WITH_RULE_TEXT = "{\"ruleText\": \"createdAt in current month and review.left(rating >= 4) and "
                + "survey.answered(survey = \\\"referral\\\", answer = \\\"YES\\\")\"}";
        static final String WITH_RULE = "{\"rule\": " + SegmentExamples.RULE + ", \"sample\": 5}";
    }

    private final RulePreview preview;

    PreviewController(RulePreview preview) {
        this.preview = preview;
    }

    @Operation(operationId = "previewRule", summary = "How many contacts a rule would hold now, storing nothing (scope manage)",
            description = "exact: true means count is exact (low = high = count); otherwise count is estimated from a random sample of "
                    + "contacts and [low, high] is a 95% interval. sample lists up to `sample` matching contact ids.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = PreviewInput.class), examples = {
                    @ExampleObject(name = "ruleText", summary = "Created this month, left a positive rating, answered YES to our referral survey",
                            value = PreviewInput.WITH_RULE_TEXT),
                    @ExampleObject(name = "rule", summary = "The same rule as a JSON tree, with 5 sample ids", value = PreviewInput.WITH_RULE)}))
    @ApiResponse(responseCode = "200", description = "The rule's size now",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = RulePreview.Preview.class)))
    @ApiResponse(responseCode = "400", description = "Invalid rule or sample, each at its JSON pointer; ruleText errors also give line and column")
    @ApiResponse(responseCode = "415", description = "The body is not application/json")
    @PostMapping(path = "/v1/segments/preview", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<RulePreview.Preview> preview(Caller caller, @RequestBody JsonNode body) {
        caller.require(Scope.MANAGE);
        return preview.preview(caller.tenantId(), preview.parse(body));
    }
}
