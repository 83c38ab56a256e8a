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
        Map<Signature, Duration> signatures) {

    public TenantSegments {
        segments = List.copyOf(segments);
        signatures = Map.copyOf(signatures);
    }

    public List<CompiledSegment> timeDependent() {
        return segments.stream().filter(s -> s.evaluator().inputs().timeDependent()).toList();
    }

    public CompiledSegment get(String id) {
        for (CompiledSegment s : segments) if (s.id().equals(id)) return s;
        return null;
    }
}
