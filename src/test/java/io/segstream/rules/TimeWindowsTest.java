package io.segstream.rules;

import static io.segstream.rules.RuleReaderTest.rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Window and calendar operators at chosen instants (the clock is a parameter), and nextChange. */
class TimeWindowsTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @ParameterizedTest(name = "createdAt {0} inCurrent {1} at {2} in {3} -> {4}")
    @CsvSource({
        // month boundary in the tenant's zone, not UTC: 2026-11-30T23:30Z is already December in Paris
        "2026-11-15T10:00:00Z, month, 2026-11-30T22:59:59Z, Europe/Paris, true",
        "2026-11-15T10:00:00Z, month, 2026-11-30T23:00:00Z, Europe/Paris, false",
        "2026-11-15T10:00:00Z, month, 2026-11-30T23:30:00Z, UTC, true",
        // year boundary
        "2026-12-31T22:00:00Z, year, 2026-12-31T22:59:59Z, Europe/Paris, true",
        "2026-12-31T22:00:00Z, year, 2026-12-31T23:00:00Z, Europe/Paris, false",
        "2026-12-31T23:30:00Z, year, 2027-01-01T00:10:00Z, Europe/Paris, true",
        // quarter and ISO week (Monday start)
        "2026-09-30T12:00:00Z, quarter, 2026-10-01T12:00:00Z, UTC, false",
        "2026-10-01T12:00:00Z, quarter, 2026-12-31T12:00:00Z, UTC, true",
        "2026-11-23T00:00:00Z, week, 2026-11-29T23:59:59Z, UTC, true",
        "2026-11-22T23:59:59Z, week, 2026-11-23T00:00:00Z, UTC, false",
        // day across the daylight saving change in New York (2026-03-08, 23 hours long)
        "2026-03-08T05:00:00Z, day, 2026-03-09T03:59:59Z, America/New_York, true",
        "2026-03-08T05:00:00Z, day, 2026-03-09T04:00:00Z, America/New_York, false",
    })
    void inCurrent(String createdAt, String unit, String now, String zone, boolean expected) {
        Evaluator e = Evaluator.compile(rule("{\"attribute\":\"createdAt\",\"op\":\"inCurrent\",\"value\":\"" + unit + "\"}"),
                Map.of(), ZoneId.of(zone));
        assertThat(e.matches(new TestContact().created(Instant.parse(createdAt)), Instant.parse(now))).isEqualTo(expected);
    }

    @Test
    void inPreviousMonthAcrossAYearBoundary() {
        Evaluator e = Evaluator.compile(rule("{\"attribute\":\"createdAt\",\"op\":\"inPrevious\",\"value\":\"month\"}"),
                Map.of(), PARIS);
        TestContact c = new TestContact().created(Instant.parse("2026-12-10T10:00:00Z"));
        assertThat(e.matches(c, Instant.parse("2026-12-31T12:00:00Z"))).isFalse();
        assertThat(e.matches(c, Instant.parse("2027-01-15T12:00:00Z"))).isTrue();
        assertThat(e.matches(c, Instant.parse("2027-02-01T12:00:00Z"))).isFalse();
        assertThat(e.nextChange(c, Instant.parse("2026-12-31T12:00:00Z"))).contains(Instant.parse("2026-12-31T23:00:00Z"));
        assertThat(e.nextChange(c, Instant.parse("2027-01-15T12:00:00Z"))).contains(Instant.parse("2027-01-31T23:00:00Z"));
        assertThat(e.nextChange(c, Instant.parse("2027-02-01T12:00:00Z"))).isEmpty();
    }

    @Test
    void withinLastAndOlderThanAreComplementsForPastValues() {
        Evaluator within = Evaluator.compile(rule("{\"attribute\":\"seen\",\"op\":\"withinLast\",\"value\":\"7d\"}"), Map.of(), PARIS);
        Evaluator older = Evaluator.compile(rule("{\"attribute\":\"seen\",\"op\":\"olderThan\",\"value\":\"7d\"}"), Map.of(), PARIS);
        TestContact c = new TestContact().attr("seen", Value.of("2026-11-20T10:00:00Z"));
        Instant edge = Instant.parse("2026-11-27T10:00:00Z");
        assertThat(within.matches(c, edge)).isTrue();
        assertThat(older.matches(c, edge)).isFalse();
        assertThat(within.matches(c, edge.plusNanos(1000))).isFalse();
        assertThat(older.matches(c, edge.plusNanos(1000))).isTrue();
        assertThat(within.nextChange(c, Instant.parse("2026-11-21T00:00:00Z"))).contains(edge.plusNanos(1000));
        // A date alone is its start in the tenant's zone.
        TestContact d = new TestContact().attr("seen", Value.of("2026-11-20"));
        assertThat(within.nextChange(d, Instant.parse("2026-11-21T00:00:00Z")))
                .contains(Instant.parse("2026-11-26T23:00:00.000001Z"));
    }

    @Test
    void aReviewWithin20sExpiresOnItsOwn() {
        Evaluator e = Evaluator.compile(rule("{\"event\":\"review.left\",\"within\":\"20s\"}"), Map.of(), PARIS);
        Instant at = Instant.parse("2026-11-28T10:00:00Z");
        TestContact c = new TestContact().event("review.left", at, Map.of());
        assertThat(e.matches(c, at.plusSeconds(5))).isTrue();
        assertThat(e.nextChange(c, at.plusSeconds(5))).contains(at.plusSeconds(20).plusNanos(1000));
        assertThat(e.matches(c, at.plusSeconds(20).plusNanos(1000))).isFalse();
        assertThat(e.nextChange(c, at.plusSeconds(21))).isEmpty();
    }

    @Test
    void eventWindowsByCalendarPeriod() {
        Evaluator current = Evaluator.compile(rule("{\"event\":\"referral.sent\",\"within\":{\"inCurrent\":\"month\"}}"), Map.of(), NEW_YORK);
        Evaluator previous = Evaluator.compile(rule("{\"event\":\"referral.sent\",\"within\":{\"inPrevious\":\"month\"}}"), Map.of(), NEW_YORK);
        TestContact c = new TestContact().event("referral.sent", Instant.parse("2026-11-30T23:00:00Z"), Map.of()); // Nov 30, 18:00 NY
        Instant dec1 = Instant.parse("2026-12-01T05:00:00Z"); // midnight in New York
        assertThat(current.matches(c, dec1.minusSeconds(1))).isTrue();
        assertThat(current.matches(c, dec1)).isFalse();
        assertThat(previous.matches(c, dec1)).isTrue();
        assertThat(current.nextChange(c, dec1.minusSeconds(1))).contains(dec1);
        assertThat(previous.nextChange(c, dec1)).contains(Instant.parse("2027-01-01T05:00:00Z"));
        assertThat(current.nextChange(new TestContact(), dec1)).as("no events, nothing to change").isEmpty();
    }

    /**
     * nextChange is never late: from a random instant, the answer is constant at every sampled instant
     * before nextChange, and never changes at all when there is none.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void nextChangeIsNeverLate(long seed) {
        Random random = new Random(seed);
        ZoneId zone = random.nextBoolean() ? PARIS : NEW_YORK;
        Instant base = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(random.nextInt(365 * 86400));
        String[] rules = {
            "{\"attribute\":\"createdAt\",\"op\":\"inCurrent\",\"value\":\"%s\"}",
            "{\"attribute\":\"createdAt\",\"op\":\"inPrevious\",\"value\":\"%s\"}",
            "{\"attribute\":\"createdAt\",\"op\":\"withinLast\",\"value\":\"%s\"}",
            "{\"attribute\":\"createdAt\",\"op\":\"olderThan\",\"value\":\"%s\"}",
            "{\"event\":\"e\",\"within\":\"%s\",\"count\":{\"op\":\"gte\",\"value\":2}}",
            "{\"event\":\"e\",\"within\":{\"inCurrent\":\"%s\"}}",
            "{\"not\":{\"event\":\"e\",\"within\":{\"inPrevious\":\"%s\"}}}",
        };
        String[] units = {"day", "week", "month"};
        String[] lengths = {"90s", "15m", "12h", "3d", "2w"};
        int pick = random.nextInt(rules.length);
        boolean calendar = pick == 0 || pick == 1 || pick == 5 || pick == 6;
        String json = String.format(rules[pick], calendar ? units[random.nextInt(3)] : lengths[random.nextInt(5)]);
        Evaluator e = Evaluator.compile(rule(json), Map.of(), zone);
        TestContact c = new TestContact().created(base.plusSeconds(random.nextInt(20 * 86400) - 10 * 86400));
        c.zone = zone;
        for (int i = random.nextInt(5); i > 0; i--) c.event("e", base.plusSeconds(random.nextInt(20 * 86400) - 10 * 86400), Map.of());

        Instant now = base;
        for (int step = 0; step < 30; step++) {
            boolean answer = e.matches(c, now);
            Optional<Instant> next = e.nextChange(c, now);
            Instant horizon = next.orElse(now.plus(Duration.ofDays(120)));
            assertThat(horizon).as("%s: nextChange after now", json).isAfter(now);
            for (Instant t : samples(now, horizon, random)) {
                assertThat(e.matches(c, t)).as("seed %d, %s, contact %s, now %s, next %s, sample %s", seed, json,
                        c.events, now, next, t).isEqualTo(answer);
            }
            if (next.isEmpty()) break;
            now = next.get();
        }
    }

    private static List<Instant> samples(Instant from, Instant toExclusive, Random random) {
        List<Instant> out = new ArrayList<>();
        long span = Duration.between(from, toExclusive).toNanos() / 1000; // micros
        out.add(from);
        if (span > 1) out.add(toExclusive.minusNanos(1000));
        for (int i = 0; i < 20 && span > 2; i++) out.add(from.plusNanos(1000 * (1 + (long) (random.nextDouble() * (span - 2)))));
        return out;
    }

    static List<Long> seeds() {
        List<Long> seeds = new ArrayList<>();
        for (long s = 1; s <= 300; s++) seeds.add(s * 104729);
        return seeds;
    }
}
