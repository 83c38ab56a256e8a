package io.segstream.contact;

import java.time.Instant;
import java.util.Objects;

/**
 * When a fact about a contact was observed: the event's {@code occurredAt}, ties broken by event id.
 *
 * <p>Design note: profiles keep, per key, the fact with the greatest stamp. Because stamps are totally
 * ordered (no two events share an id), the result does not depend on the order events arrive in.
 */
public record Stamp(Instant at, String eventId) implements Comparable<Stamp> {

    public Stamp {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(eventId, "eventId");
    }

    @Override
    public int compareTo(Stamp other) {
        int byTime = at.compareTo(other.at);
        return byTime != 0 ? byTime : eventId.compareTo(other.eventId);
    }

    public boolean isAfter(Stamp other) {
        return compareTo(other) > 0;
    }

    static Stamp max(Stamp a, Stamp b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.compareTo(b) >= 0 ? a : b;
    }

    static Stamp min(Stamp a, Stamp b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.compareTo(b) <= 0 ? a : b;
    }
}
