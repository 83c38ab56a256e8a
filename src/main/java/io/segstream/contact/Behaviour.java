package io.segstream.contact;

import io.segstream.rules.EventTimes;
import io.segstream.rules.Signature;
import io.segstream.rules.Value;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A contact's behavioural state, kept incrementally: per event signature in use, how many matching
 * events it has ever had, when the first and the last of them occurred, and the timestamps recent enough
 * for the longest window that signature is used with. A signature measuring a property (aggregate rules)
 * also keeps each kept timestamp's number and the sum, minimum and maximum of all its numbers ever. A new
 * event updates it without reading the contact's history.
 *
 * <p>Bound: timestamps leave as soon as no window in use can reach them ({@link #prune}). A measuring
 * signature keeps at most {@link #MAX_KEPT_VALUES} (time, value) pairs; beyond that the oldest pairs are
 * dropped even inside the reach, so an aggregate over a window holding more pairs sees the latest
 * {@value #MAX_KEPT_VALUES} only (its all-time aggregates stay exact).
 */
public record Behaviour(Map<String, EventTimes> bySignature) {

    public static final Behaviour EMPTY = new Behaviour(Map.of());

    /** The most (time, value) pairs a measuring signature keeps per contact. */
    public static final int MAX_KEPT_VALUES = 1_000;

    public Behaviour {
        bySignature = Map.copyOf(bySignature);
    }

    public EventTimes get(Signature signature) {
        return bySignature.getOrDefault(signature.key(), EventTimes.NONE);
    }

    /**
     * Records one event against every signature it matches. Timestamps older than {@code now - reach}
     * are not kept (a reach of zero keeps only the count).
     */
    public Behaviour record(String type, Instant occurredAt, Function<String, Optional<Value>> properties,
            Map<Signature, Duration> signatures, ZoneId zone, Instant now) {
        Map<String, EventTimes> next = null;
        for (Map.Entry<Signature, Duration> s : signatures.entrySet()) {
            if (!s.getKey().matches(type, properties, zone)) continue;
            if (next == null) next = new HashMap<>(bySignature);
            String key = s.getKey().key();
            EventTimes current = next.getOrDefault(key, EventTimes.NONE);
            BigDecimal value = s.getKey().measured()
                    .map(p -> ((Value.Num) properties.apply(p).orElseThrow()).value()).orElse(null);
            next.put(key, add(current, EventTimes.micros(occurredAt), value, s.getValue(), now));
        }
        return next == null ? this : new Behaviour(next);
    }

    /**
     * Records a contact's events against every signature in use, skipping those its last deletion
     * erased (events at or before {@code profile.deleted()}).
     */
    public Behaviour recordAll(List<NewEvent> events, Profile profile, Map<Signature, Duration> signatures, ZoneId zone,
            Instant now) {
        Behaviour b = this;
        for (NewEvent e : events) {
            if (profile.deleted() == null || e.event().stamp().isAfter(profile.deleted())) {
                b = b.record(e.event().type(), e.event().occurredAt(), EventProperties.of(e.properties()), signatures, zone, now);
            }
        }
        return b;
    }

    /**
     * Recomputes the given signatures from a contact's history (events up to its last deletion are
     * ignored), keeping the others as they are.
     */
    public Behaviour recompute(Map<Signature, Duration> signatures, List<NewEvent> history, Profile profile, ZoneId zone,
            Instant now) {
        Map<String, EventTimes> kept = new HashMap<>(bySignature);
        for (Signature s : signatures.keySet()) kept.remove(s.key());
        return new Behaviour(kept).recordAll(history, profile, signatures, zone, now);
    }

    /** Drops timestamps that no window in use can reach any more, and signatures no longer in use. */
    public Behaviour prune(Map<Signature, Duration> signatures, Instant now) {
        Map<String, EventTimes> next = new HashMap<>();
        for (Map.Entry<Signature, Duration> s : signatures.entrySet()) {
            EventTimes t = bySignature.get(s.getKey().key());
            if (t != null) next.put(s.getKey().key(), keepWithin(t, s.getValue(), now));
        }
        return next.equals(bySignature) ? this : new Behaviour(next);
    }

    /** Adds one event at {@code t} (micros) with its value when the signature measures one (else null). */
    private static EventTimes add(EventTimes current, long t, BigDecimal value, Duration reach, Instant now) {
        EventTimes kept = keepWithin(current, reach, now);
        long first = current.total() == 0 || t < current.first() ? t : current.first();
        long last = current.total() == 0 || t > current.last() ? t : current.last();
        EventTimes.Totals totals = value == null ? current.totals() : current.totals().plus(value);
        long[] times = kept.times();
        BigDecimal[] values = kept.values();
        if (t < horizon(reach, now)) return new EventTimes(current.total() + 1, times, first, last, values, totals);
        int i = Arrays.binarySearch(times, t);
        int at = i < 0 ? -i - 1 : i;
        long[] outTimes = new long[times.length + 1];
        System.arraycopy(times, 0, outTimes, 0, at);
        outTimes[at] = t;
        System.arraycopy(times, at, outTimes, at + 1, times.length - at);
        BigDecimal[] outValues = values;
        if (value != null) {
            outValues = new BigDecimal[values.length + 1];
            System.arraycopy(values, 0, outValues, 0, at);
            outValues[at] = value;
            System.arraycopy(values, at, outValues, at + 1, values.length - at);
            if (outTimes.length > MAX_KEPT_VALUES) {
                int drop = outTimes.length - MAX_KEPT_VALUES;
                outTimes = Arrays.copyOfRange(outTimes, drop, outTimes.length);
                outValues = Arrays.copyOfRange(outValues, drop, outValues.length);
            }
        }
        return new EventTimes(current.total() + 1, outTimes, first, last, outValues, totals);
    }

    private static EventTimes keepWithin(EventTimes current, Duration reach, Instant now) {
        long horizon = horizon(reach, now);
        long[] times = current.times();
        int from = 0;
        while (from < times.length && times[from] < horizon) from++;
        if (from == 0) return current;
        BigDecimal[] values = current.values();
        return new EventTimes(current.total(), Arrays.copyOfRange(times, from, times.length), current.first(), current.last(),
                values.length == 0 ? values : Arrays.copyOfRange(values, from, values.length), current.totals());
    }

    /** Timestamps before this are out of every window (reach zero: keep none). */
    static long horizon(Duration reach, Instant now) {
        return reach.isZero() ? Long.MAX_VALUE : EventTimes.micros(now.minus(reach));
    }
}
