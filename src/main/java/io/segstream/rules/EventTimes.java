package io.segstream.rules;

import java.time.Instant;
import java.util.Arrays;

/**
 * A contact's events of one signature: how many there have ever been, and the occurredAt of those
 * recent enough for any window in use ({@code times}, ascending, in epoch microseconds).
 */
public record EventTimes(long total, long[] times) {

    public static final EventTimes NONE = new EventTimes(0, new long[0]);

    public EventTimes {
        times = times.clone();
    }

    public static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    public static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    /** How many kept times fall in {@code [from, to]} (micros, inclusive). */
    public long countBetween(long from, long to) {
        if (from > to) return 0;
        int lo = lowerBound(from);
        int hi = lowerBound(to + 1);
        return hi - lo;
    }

    /** Index of the first time >= t. */
    int lowerBound(long t) {
        int i = Arrays.binarySearch(times, t);
        if (i < 0) return -i - 1;
        while (i > 0 && times[i - 1] == t) i--;
        return i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventTimes e && e.total == total && Arrays.equals(e.times, times);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(total) * 31 + Arrays.hashCode(times);
    }

    @Override
    public String toString() {
        return "EventTimes[total=" + total + ", times=" + Arrays.toString(times) + "]";
    }
}
