package io.segstream.rules;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * What a rule reads: a batch of events needs a rule re-evaluated only if it changed one of these.
 *
 * @param signatures each event signature with the longest window it is used with ({@link Duration#ZERO}
 *     when only all-time counts are used): timestamps within that reach are kept per contact
 * @param segments every segment referenced, directly or through other segments
 * @param timeDependent whether the answer can change with time alone
 */
public record Inputs(
        Set<String> attributes,
        boolean createdAt,
        Set<String> tags,
        Set<String> audiences,
        Set<String> channels,
        Map<Signature, Duration> signatures,
        Set<String> segments,
        boolean timeDependent) {

    public Inputs {
        attributes = Set.copyOf(attributes);
        tags = Set.copyOf(tags);
        audiences = Set.copyOf(audiences);
        channels = Set.copyOf(channels);
        signatures = Map.copyOf(signatures);
        segments = Set.copyOf(segments);
    }
}
