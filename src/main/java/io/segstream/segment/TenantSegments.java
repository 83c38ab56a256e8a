package io.segstream.segment;

import io.segstream.rules.Signature;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * A tenant's segments as of one {@code segments_version}: every segment (building or live), compiled,
 * and the event signatures they use with the longest reach of each.
 */
public record TenantSegments(String tenantId, ZoneId zone, long version, List<CompiledSegment> segments,
        Map<Signature, Duration> signatures, List<CompiledSegment> timeDependent, Map<String, CompiledSegment> byId) {

    /** Design note: the derived lists are built once per catalogue version, not per evaluated contact. */
    public TenantSegments(String tenantId, ZoneId zone, long version, List<CompiledSegment> segments,
            Map<Signature, Duration> signatures) {
        this(tenantId, zone, version, List.copyOf(segments), Map.copyOf(signatures),
                segments.stream().filter(s -> s.evaluator().inputs().timeDependent()).toList(),
                segments.stream().collect(java.util.stream.Collectors.toUnmodifiableMap(CompiledSegment::id, s -> s)));
    }

    /** The segment with this id, or null. */
    public CompiledSegment get(String id) {
        return byId.get(id);
    }
}
