package io.segstream.segment;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /v1/segments} and {@code PUT /v1/segments/{id}}, for the OpenAPI document
 * only: {@link SegmentController} reads the JSON itself to report every bad field at its pointer.
 */
@Schema(name = "SegmentInput", requiredProperties = {"name"},
        description = "A segment definition: give exactly one of rule and ruleText (both: 400)")
record SegmentRequest(
        @Schema(description = "POST only: the id ([a-z0-9][a-z0-9-]{0,62}); generated when absent", example = "new-happy-referrers")
        String id,
        @Schema(description = "1-200 characters", example = "New happy referrers") String name,
        @Schema(types = "object", description = "The rule as a JSON tree", example = SegmentExamples.RULE) JsonNode rule,
        @Schema(description = "The rule in the readable syntax", example = SegmentExamples.RULE_TEXT) String ruleText) {

    static final String WITH_RULE = "{\"id\": \"new-happy-referrers\", \"name\": \"New happy referrers\", \"rule\": "
            + SegmentExamples.RULE + "}";
    static final String WITH_RULE_TEXT = "{\"id\": \"new-happy-referrers\", \"name\": \"New happy referrers\", \"ruleText\": "
            + "\"createdAt in current month and review.left(rating >= 4) and survey.answered(survey = \\\"referral\\\", answer = \\\"YES\\\")\"}";
    static final String UPDATE_WITH_RULE_TEXT = "{\"name\": \"New happy referrers\", \"ruleText\": "
            + "\"createdAt in current month and review.left(rating >= 4) and survey.answered(survey = \\\"referral\\\", answer = \\\"YES\\\")\"}";
    static final String UPDATE_WITH_RULE = "{\"name\": \"New happy referrers\", \"rule\": " + SegmentExamples.RULE + "}";
}
