package io.segstream.segment;

import io.segstream.rules.RuleLimits;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Limits of segment definitions ({@code segstream.segments.*}). */
@ConfigurationProperties("segstream.segments")
public record SegmentLimits(
        @DefaultValue("32") int maxDepth,
        @DefaultValue("500") int maxNodes,
        @DefaultValue("1000") int maxListItems,
        @DefaultValue("1024") int maxStringLength,
        @DefaultValue("200") int maxSegmentsPerTenant) {

    public RuleLimits rules() {
        return new RuleLimits(maxDepth, maxNodes, maxListItems, maxStringLength);
    }
}
