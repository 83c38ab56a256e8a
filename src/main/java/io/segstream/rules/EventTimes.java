package io.segstream.rules;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A contact's events of one signature: how many there have ever been, the occurredAt of the earliest and
 * the latest of them, and the occurredAt of those recent enough for any window in use ({@code times},
 * ascending, in epoch microseconds). For a signature {@linkplain Signature#measuring measuring} a
 * property, {@code values} holds the number of each kept time (same order) and {@code totals} the
 * aggregates of all of them ever; otherwise {@code values} is empty and {@code totals} is
 * {@link Totals#NONE}.
 *
 * @param first micros of the earliest event ever, {@link #NO_TIME} when {@code total} is 0
 * @param last micros of the latest event ever, {@link #NO_TIME} when {@code total} is 0
 */
public record EventTimes(long total, long[] times, long first, long last, BigDecimal[] values, Totals totals) {

    /** {@code first}/{@code last} of a signature with no event. */
    public static final long NO_TIME = Long.MIN_VALUE;

    public static final EventTimes NONE = new EventTimes(0, new long[0]);

    /** Sum, minimum and maximum of every value ever recorded (null when there is none). */
    public record Totals(BigDecimal sum, BigDecimal min, BigDecimal max) {
        public static final Totals NONE = new Totals(null, null, null);

        public Totals plus(BigDecimal v) {
            return new Totals(sum == null ? v : sum.add(v), min == null || v.compareTo(min) < 0 ? v : min,
                    max == null || v.compareTo(max) > 0 ? v : max);
        }
    }

    public EventTimes {
        times = times.clone();
        values = values.clone();
        Objects.requireNonNull(totals, "totals");
        if (values.length != 0 && values.length != times.length) {
            throw new IllegalArgumentException("values and times differ in length");
        }
    }

    /**
     * Events whose kept times are all of them: {@code first} and {@code last} are taken from
     * {@code times} (a signature whose count is all that is kept has no times, so no first or last).
     */
    public EventTimes(long total, long[] times) {
        this(total, times, times.length == 0 ? NO_TIME : times[0], times.length == 0 ? NO_TIME : times[times.length - 1],
                new BigDecimal[0], Totals.NONE);
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
        return o instanceof EventTimes e && e.total == total && e.first == first && e.last == last
                && Arrays.equals(e.times, times) && Arrays.equals(e.values, values, BigDecimal::compareTo)
                && sameTotals(e.totals, totals);
    }

    private static boolean sameTotals(Totals a, Totals b) {
        return same(a.sum(), b.sum()) && same(a.min(), b.min()) && same(a.max(), b.max());
    }

    private static boolean same(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(total) * 31 + Arrays.hashCode(times)) * 31 + Long.hashCode(last);
    }

    @Override
    public String toString() {
        return "EventTimes[total=" + total + ", first=" + first + ", last=" + last + ", times=" + Arrays.toString(times)
                + (values.length == 0 ? "" : ", values=" + Arrays.toString(values) + ", totals=" + totals) + "]";
    }
}
