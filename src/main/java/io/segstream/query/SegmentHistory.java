package io.segstream.query;

import io.segstream.membership.Change;
import io.segstream.membership.ChangeHistory;
import io.segstream.membership.MembershipCounts;
import io.segstream.platform.ProblemException;
import io.segstream.tenant.TenantStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * A segment's size over time, from the change log: the current count (as of a seq) walked back by the
 * net changes of each step after it. Reads no more of the log than the window (and what came after it).
 */
@Component
class SegmentHistory {

    static final int MAX_POINTS = 1000;
    static final Duration DEFAULT_SPAN = Duration.ofHours(24);
    static final Duration DEFAULT_STEP = Duration.ofHours(1);
    /** How far in the future {@code to} may lie (clients' clocks differ from ours). */
    static final Duration FUTURE_SKEW = Duration.ofMinutes(1);

    /** The size at {@code at} and the enters/exits in the step that ends there. */
    record Point(Instant at, long count, long enters, long exits) {}

    /** The answer: the segment's points, counted as of change seq {@code asOf}. */
    record History(String segment, List<Point> points, long asOf) {}

    /** A validated window: points at {@code from + k*step} for k = 1..n, the last at {@code to}. */
    record Window(Instant from, Instant to, Duration step, int n, boolean fromGiven) {}

    private final ChangeHistory log;
    private final MembershipCounts counts;
    private final TenantStore tenants;
    private final AuthoringProperties properties;
    private final Clock clock;

    SegmentHistory(ChangeHistory log, MembershipCounts counts, TenantStore tenants, AuthoringProperties properties, Clock clock) {
        this.log = log;
        this.counts = counts;
        this.tenants = tenants;
        this.properties = properties;
        this.clock = clock;
    }

    /** The history of an existing segment; {@code from}, {@code to}, {@code step} as given (each may be null). */
    Mono<History> history(String tenantId, String segmentId, String from, String to, String step) {
        Instant now = clock.instant();
        Instant end = to == null ? now : instant(to, "/to");
        if (end.isAfter(now.plus(FUTURE_SKEW))) throw ProblemException.validation("/to", "is in the future");
        Instant start = from == null ? null : instant(from, "/from");
        Duration stepLength = step == null ? null : Durations.parse(step, "/step");
        return oldest(tenantId, now).flatMap(oldest -> {
            Window w = window(start, end, stepLength, oldest);
            return counts.counts(tenantId, List.of(segmentId)).flatMap(c -> {
                long current = c.counts().getOrDefault(segmentId, 0L);
                return log.buckets(tenantId, Change.SEGMENT_PREFIX + segmentId, w.from(), w.to(), w.step(), w.n(), c.asOf(),
                                properties.historyStampSlack())
                        .map(b -> {
                            // A pruning that ran meanwhile took changes this window needs.
                            if (b.start().pruned() && b.start().oldestAt().map(o -> o.isAfter(w.from())).orElse(true)) {
                                throw tooEarly(b.start().oldestAt().orElse(now));
                            }
                            return new History(segmentId, points(w, current, b.enters(), b.exits()), c.asOf());
                        });
            });
        });
    }

    /** The earliest instant the log still describes. */
    private Mono<Instant> oldest(String tenantId, Instant now) {
        return log.start(tenantId).flatMap(s -> s.pruned()
                ? Mono.just(s.oldestAt().orElse(now))
                : tenants.createdAt(tenantId).defaultIfEmpty(now));
    }

    /**
     * Fills in the defaults (the last 24 hours up to now, in steps of an hour, starting no earlier than the
     * history available) and checks the limits.
     */
    static Window window(Instant from, Instant to, Duration step, Instant oldest) {
        boolean fromGiven = from != null;
        if (from == null) {
            from = to.minus(DEFAULT_SPAN);
            if (from.isBefore(oldest)) from = oldest.isBefore(to) ? oldest : to.minusSeconds(1);
        } else if (from.isBefore(oldest)) {
            throw tooEarly(oldest);
        }
        if (!from.isBefore(to)) throw ProblemException.validation("/from", "must be before to (" + to + ")");
        Duration span = Duration.between(from, to);
        if (step == null) {
            step = DEFAULT_STEP;
            if (points(span, step) > MAX_POINTS) step = Duration.ofDays(ceilDiv(points(span, DEFAULT_STEP), MAX_POINTS * 24L));
        }
        long n = points(span, step);
        if (n > MAX_POINTS) {
            throw ProblemException.validation("/step", "gives " + n + " points from " + from + " to " + to + "; at most "
                    + MAX_POINTS + " (a step of at least " + Durations.format(span.dividedBy(MAX_POINTS).plusSeconds(1)) + ")");
        }
        return new Window(from, to, step, (int) n, fromGiven);
    }

    private static long points(Duration span, Duration step) {
        return ceilDiv(span.toNanos(), step.toNanos());
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /**
     * The points, walking back from {@code current} (the size after every change counted, bucket {@code
     * n} holding those stamped at or after the window's end).
     */
    static List<Point> points(Window w, long current, long[] enters, long[] exits) {
        int n = w.n();
        long[] countAt = new long[n + 1];
        long count = current;
        for (int b = n; b >= 1; b--) {
            count -= enters[b] - exits[b];
            countAt[b] = count; // the size at the start of bucket b, the end of step b
        }
        List<Point> out = new ArrayList<>(n);
        for (int k = 1; k <= n; k++) {
            Instant at = w.from().plus(w.step().multipliedBy(k));
            if (at.isAfter(w.to())) at = w.to();
            out.add(new Point(at, countAt[k], enters[k - 1], exits[k - 1]));
        }
        return out;
    }

    private static ProblemException tooEarly(Instant oldest) {
        return ProblemException.validation("/from", "is before the oldest history available, " + oldest);
    }

    private static Instant instant(String s, String pointer) {
        try {
            return Instant.parse(s);
        } catch (java.time.format.DateTimeParseException e) {
            throw ProblemException.validation(pointer, "must be an ISO-8601 instant such as 2026-11-28T10:00:00Z");
        }
    }
}
