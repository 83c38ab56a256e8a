package io.segstream.rules;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Aggregate rules answered from a measuring signature's kept (time, value) pairs: the aggregate over the
 * pairs a window holds at an instant, and the first later instant at which the test's answer flips with
 * no new event (exact: every instant at which the window gains or loses a pair is examined in order).
 */
final class Aggregates {

    private static final long STEP_MICROS = 1;

    private final ZoneId zone;

    Aggregates(ZoneId zone) {
        this.zone = zone;
    }

    boolean matches(AggregateTest test, EventTimes events, Window window, Instant now) {
        if (window instanceof Window.AllTime) {
            EventTimes.Totals t = events.totals();
            return test.test(events.total(), t.sum(), t.min(), t.max());
        }
        long[] range = range(window, now);
        int lo = events.lowerBound(range[0]);
        int hi = range[1] == Long.MAX_VALUE ? events.times().length : events.lowerBound(range[1] + 1);
        return over(test, events.values(), lo, hi);
    }

    /**
     * The aggregate {@link #matches} tests, for explanations: empty when no matching event in the window
     * has a number (the average to 16 significant digits).
     */
    Optional<BigDecimal> value(AggregateTest test, EventTimes events, Window window, Instant now) {
        long n;
        BigDecimal sum, min, max;
        if (window instanceof Window.AllTime) {
            EventTimes.Totals t = events.totals();
            n = events.total();
            sum = t.sum();
            min = t.min();
            max = t.max();
        } else {
            long[] range = range(window, now);
            int lo = events.lowerBound(range[0]);
            int hi = range[1] == Long.MAX_VALUE ? events.times().length : events.lowerBound(range[1] + 1);
            n = Math.max(0, hi - lo);
            sum = BigDecimal.ZERO;
            min = null;
            max = null;
            for (int i = lo; i < hi; i++) {
                BigDecimal v = events.values()[i];
                sum = sum.add(v);
                if (min == null || v.compareTo(min) < 0) min = v;
                if (max == null || v.compareTo(max) > 0) max = v;
            }
        }
        if (n <= 0 || sum == null) return Optional.empty();
        return Optional.ofNullable(switch (test.fn()) {
            case SUM -> sum;
            case AVG -> sum.divide(BigDecimal.valueOf(n), java.math.MathContext.DECIMAL64);
            case MIN -> min;
            case MAX -> max;
        });
    }

    Optional<Instant> nextChange(AggregateTest test, EventTimes events, Window window, Instant now) {
        if (events.times().length == 0) return Optional.empty();
        boolean current = matches(test, events, window, now);
        return switch (window) {
            case Window.AllTime a -> Optional.empty();
            case Window.Last l -> nextSliding(test, events, l.length(), now, current);
            case Window.Current c -> nextCalendar(test, events, window, c.unit(), false, now, current);
            case Window.Previous p -> nextCalendar(test, events, window, p.unit(), true, now, current);
        };
    }

    /** The window's times at {@code now} as inclusive micros {@code [from, to]}. */
    private long[] range(Window window, Instant now) {
        return switch (window) {
            case Window.AllTime a -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
            case Window.Last l -> new long[] {ceilMicros(now.minus(l.length())), EventTimes.micros(now)};
            case Window.Current c -> new long[] {
                EventTimes.micros(c.unit().start(now, zone)), EventTimes.micros(c.unit().nextStart(now, zone)) - 1};
            case Window.Previous p -> new long[] {
                EventTimes.micros(p.unit().previousStart(now, zone)), EventTimes.micros(p.unit().start(now, zone)) - 1};
        };
    }

    private static boolean over(AggregateTest test, BigDecimal[] values, int lo, int hi) {
        if (hi <= lo) return false;
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal min = values[lo];
        BigDecimal max = values[lo];
        for (int i = lo; i < hi; i++) {
            BigDecimal v = values[i];
            sum = sum.add(v);
            if (v.compareTo(min) < 0) min = v;
            if (v.compareTo(max) > 0) max = v;
        }
        return test.test(hi - lo, sum, min, max);
    }

    /**
     * A pair at time t is inside {@code [x - length, x]} for x in {@code [t, t + length]}: it enters at t
     * and leaves one step after {@code t + length}. Walks those instants in order, sliding the window's
     * two edges forward and keeping its values in a multiset for min and max.
     */
    private Optional<Instant> nextSliding(AggregateTest test, EventTimes events, Duration length, Instant now, boolean current) {
        long[] times = events.times();
        BigDecimal[] values = events.values();
        long nowMicros = EventTimes.micros(now);
        long lengthMicros = EventTimes.micros(Instant.EPOCH.plus(length));
        TreeSet<Long> instants = new TreeSet<>();
        for (long t : times) {
            if (t > nowMicros) instants.add(t);
            long leaves = t + lengthMicros + STEP_MICROS;
            if (leaves > nowMicros) instants.add(leaves);
        }
        int lo = 0;
        int hi = 0;
        long n = 0;
        BigDecimal sum = BigDecimal.ZERO;
        TreeMap<BigDecimal, Integer> bag = new TreeMap<>();
        for (long x : instants) {
            while (hi < times.length && times[hi] <= x) {
                n++;
                sum = sum.add(values[hi]);
                bag.merge(values[hi], 1, Integer::sum);
                hi++;
            }
            while (lo < hi && times[lo] < x - lengthMicros) {
                n--;
                sum = sum.subtract(values[lo]);
                bag.computeIfPresent(values[lo], (k, c) -> c == 1 ? null : c - 1);
                lo++;
            }
            boolean answer = n > 0 && test.test(n, sum, bag.firstKey(), bag.lastKey());
            if (answer != current) return Optional.of(EventTimes.instant(x));
        }
        return Optional.empty();
    }

    /**
     * Calendar windows change only at period boundaries. From each boundary to the next, the answer is
     * that of the window at the boundary; when that window is empty, the next one that can hold a pair
     * starts with the period of the next pair ({@code inCurrent}) or the period after it
     * ({@code inPrevious}).
     */
    private Optional<Instant> nextCalendar(AggregateTest test, EventTimes events, Window window, CalendarUnit unit,
            boolean previous, Instant now, boolean current) {
        long[] times = events.times();
        Instant x = unit.nextStart(now, zone);
        for (int guard = 0; guard <= 2 * times.length + 2; guard++) {
            if (matches(test, events, window, x) != current) return Optional.of(x);
            long[] range = range(window, x);
            int lo = events.lowerBound(range[0]);
            int hi = events.lowerBound(range[1] + 1);
            if (hi > lo) {
                x = unit.nextStart(x, zone);
                continue;
            }
            if (lo >= times.length) return Optional.empty(); // no pair left for any later window
            Instant t = EventTimes.instant(times[lo]);
            x = previous ? unit.nextStart(t, zone) : unit.start(t, zone);
        }
        throw new IllegalStateException("calendar walk did not end");
    }

    /** The first whole microsecond at or after {@code t}. */
    static long ceilMicros(Instant t) {
        long m = EventTimes.micros(t);
        return t.getNano() % 1000 == 0 ? m : m + 1;
    }
}
