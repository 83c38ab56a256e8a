package io.segstream.segment;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * A segment as every segment answer carries it: the rule both as its JSON tree and as canonical readable
 * text, the definition's version, {@code building} or {@code live}, and the current member count.
 */
@Schema(name = "Segment")
record SegmentView(
        @Schema(example = "new-happy-referrers") String id,
        @Schema(example = "New happy referrers") String name,
        @Schema(types = "object", description = "The rule tree (see the rule node table of the API page)",
                example = SegmentExamples.RULE) JsonNode rule,
        @Schema(description = "The same rule, printed canonically in the readable syntax; null only for a stored rule this version cannot read",
                example = SegmentExamples.RULE_TEXT) String ruleText,
        @Schema(example = "1") int version,
        @Schema(allowableValues = {"building", "live"}) String status,
        @Schema(example = "42") long count) {

    static SegmentView of(SegmentDefinition d, long count, tools.jackson.databind.json.JsonMapper json) {
        return new SegmentView(d.id(), d.name(), json.readTree(d.ruleJson()), RuleInput.textOf(d.ruleJson(), json),
                d.version(), d.status(), count);
    }

    /** {@code GET /v1/segments}: every segment of the tenant. */
    @Schema(name = "SegmentList")
    record SegmentList(java.util.List<SegmentView> segments) {}
}
