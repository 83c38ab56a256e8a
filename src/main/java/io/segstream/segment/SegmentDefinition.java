package io.segstream.segment;

/** A stored segment: its rule as submitted (JSON text), version and build status. */
public record SegmentDefinition(String tenantId, String id, String name, String ruleJson, int version, String status) {
    public static final String BUILDING = "building";
}
