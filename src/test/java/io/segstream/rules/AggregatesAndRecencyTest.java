package io.segstream.rules;

import static io.segstream.rules.RuleReaderTest.problems;
import static io.segstream.rules.RuleReaderTest.read;
import static io.segstream.rules.RuleReaderTest.rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The aggregate and first/last event rules: reading, evaluation and nextChange at chosen instants. */
class AggregatesAndRecencyTest {

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Instant STEP = Instant.EPOCH.plusNanos(1000);

    // ---- reading and validation

    @Test
    void readsAggregateAndRecencyNodes() {
        RuleReader.Result r = read("""
                {"and": [
                  {"event": "purchase.made", "where": [{"property": "store", "op": "eq", "value": "north"}],
                   "aggregate": {"fn": "sum", "property": "amount", "op": "gte", "value": 100}, "within": "90d"},
                  {"event": "purchase.made", "aggregate": {"fn": "avg", "property": "amount", "op": "between", "value": [1, 2.5]}},
                  {"event": "review.left", "last": {"op": "olderThan", "value": "90d"}},
                  {"event": "review.left", "first": {"op": "inCurrent", "value": "month"}}]}""");
        assertThat(r.problems()).isEmpty();
        assertThat(r.rule()).hasToString("(event purchase.made[store eq \"north\"] sum(amount) gte 100 within 90d"
                + " && event purchase.made avg(amount) between [1, 2.5] ever"
                + " && event review.left last olderThan 90d && event review.left first inCurrent month)");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"event\":\"p\",\"count\":{\"op\":\"gte\",\"value\":1},\"aggregate\":{\"fn\":\"sum\",\"property\":\"a\",\"op\":\"gt\",\"value\":1}}|/rule/aggregate|count and aggregate cannot be combined",
        "{\"event\":\"p\",\"count\":{\"op\":\"gte\",\"value\":1},\"last\":{\"op\":\"olderThan\",\"value\":\"9d\"}}|/rule/last|count and last cannot be combined",
        "{\"event\":\"p\",\"last\":{\"op\":\"olderThan\",\"value\":\"9d\"},\"first\":{\"op\":\"olderThan\",\"value\":\"9d\"}}|/rule/first|last and first cannot be combined",
        "{\"event\":\"p\",\"last\":{\"op\":\"olderThan\",\"value\":\"9d\"},\"within\":\"9d\"}|/rule/within|within does not apply to last",
        "{\"event\":\"p\",\"aggregate\":{\"fn\":\"median\",\"property\":\"a\",\"op\":\"gt\",\"value\":1}}|/rule/aggregate/fn|sum, avg, min or max",
        "{\"event\":\"p\",\"aggregate\":{\"fn\":\"sum\",\"op\":\"gt\",\"value\":1}}|/rule/aggregate/property|is required",
        "{\"event\":\"p\",\"aggregate\":{\"fn\":\"sum\",\"property\":\"a\",\"op\":\"eq\",\"value\":1}}|/rule/aggregate/op|gt, gte, lt, lte, between",
        "{\"event\":\"p\",\"aggregate\":{\"fn\":\"sum\",\"property\":\"a\",\"op\":\"gt\",\"value\":\"2026-01-01\"}}|/rule/aggregate/value|must be a number",
        "{\"event\":\"p\",\"aggregate\":{\"fn\":\"sum\",\"property\":\"a\",\"op\":\"between\",\"value\":[3,1]}}|/rule/aggregate/value|low must not be greater",
        "{\"event\":\"p\",\"aggregate\":{\"fn\":\"sum\",\"property\":\"a\",\"op\":\"gt\",\"value\":1,\"x\":1}}|/rule/aggregate/x|unknown field",
        "{\"event\":\"p\",\"aggregate\":{\"fn\":\"sum\",\"property\":\"a\",\"op\":\"gt\",\"value\":1},\"within\":\"3y\"}|/rule/within|duration",
        "{\"event\":\"p\",\"aggregate\":[]}|/rule/aggregate|must be an object",
        "{\"event\":\"p\",\"last\":{\"op\":\"gte\",\"value\":1}}|/rule/last/op|withinLast, olderThan, inCurrent, inPrevious, before, after",
        "{\"event\":\"p\",\"last\":{\"op\":\"inCurrent\",\"value\":\"decade\"}}|/rule/last/value|day, week, month",
        "{\"event\":\"p\",\"first\":{\"op\":\"before\",\"value\":\"yesterday\"}}|/rule/first/value|ISO date",
        "{\"event\":\"p\",\"first\":{\"op\":\"withinLast\",\"value\":\"30d\",\"count\":1}}|/rule/first/count|unknown field",
    })
    void invalidNodesArePointedAt(String json, String pointer, String message) {
        assertThat(problems(json)).anySatisfy(p -> {
            assertThat(p.pointer()).isEqualTo(pointer);
            assertThat(p.message()).contains(message);
        });
    }

    @Test
    void limitsApplyInsideTheNewNodes() {
        String longName = "x".repeat(1025);
        assertThat(problems("{\"event\":\"p\",\"aggregate\":{\"fn\":\"sum\",\"property\":\"" + longName + "\",\"op\":\"gt\",\"value\":1}}"))
                .extracting(Problem::pointer).containsExactly("/rule/aggregate/property");
        StringBuilder wide = new StringBuilder("{\"or\":[");
        for (int i = 0; i < 501; i++) {
            wide.append(i == 0 ? "" : ",").append("{\"event\":\"p\",\"last\":{\"op\":\"olderThan\",\"value\":\"1d\"}}");
        }
        assertThat(problems(wide.append("]}").toString())).extracting(Problem::message)
                .anyMatch(m -> m.contains("at most 500 nodes"));
    }

    // ---- aggregates

    private static TestContact purchases(Object... atAndAmount) {
        TestContact c = new TestContact();
        for (int i = 0; i < atAndAmount.length; i += 2) {
            Object amount = atAndAmount[i + 1];
            Value v = amount instanceof String s ? Value.of(s) : new Value.Num(new BigDecimal(amount.toString()));
            c.event("purchase.made", (Instant) atAndAmount[i], Map.of("amount", v));
        }
        return c;
    }

    private static Evaluator aggregate(String fn, String test, String within, ZoneId zone) {
        return Evaluator.compile(rule("{\"event\":\"purchase.made\",\"aggregate\":{\"fn\":\"" + fn + "\",\"property\":\"amount\","
                + test + "}" + (within == null ? "" : ",\"within\":" + within) + "}"), Map.of(), zone);
    }

    @ParameterizedTest(name = "{0}(amount) {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "sum|\"op\":\"gte\",\"value\":100|true",
        "sum|\"op\":\"gt\",\"value\":100|false",
        "avg|\"op\":\"gte\",\"value\":33.34|false",
        "avg|\"op\":\"lte\",\"value\":33.34|true",
        "avg|\"op\":\"between\",\"value\":[33.33, 33.34]|true",
        "min|\"op\":\"lt\",\"value\":11|true",
        "min|\"op\":\"lt\",\"value\":10|false",
        "max|\"op\":\"between\",\"value\":[60, 60]|true",
        "max|\"op\":\"gt\",\"value\":60|false",
    })
    void eachFunctionOverTheNumbersOnly(String fn, String test, boolean expected) {
        // 10 + 30 + 60 = 100 over three numbers; a text amount, a missing one and another event type do not count.
        TestContact c = purchases(NOW.minusSeconds(10), 10, NOW.minusSeconds(20), 30, NOW.minusSeconds(30), 60,
                NOW.minusSeconds(40), "500");
        c.event("purchase.made", NOW.minusSeconds(50), Map.of());
        c.event("refund.made", NOW.minusSeconds(50), Map.of("amount", Value.of(1000)));
        assertThat(aggregate(fn, test, null, UTC).matches(c, NOW)).isEqualTo(expected);
        assertThat(aggregate(fn, test, "\"1d\"", UTC).matches(c, NOW)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"sum", "avg", "min", "max"})
    void noNumberMeansFalseEvenForLessThan(String fn) {
        Evaluator e = aggregate(fn, "\"op\":\"lt\",\"value\":3", null, UTC);
        assertThat(e.matches(new TestContact(), NOW)).as("no event").isFalse();
        assertThat(e.matches(purchases(NOW, "2"), NOW)).as("only a text value").isFalse();
        assertThat(e.nextChange(purchases(NOW, "2"), NOW)).isEmpty();
        assertThat(aggregate(fn, "\"op\":\"lt\",\"value\":3", "\"7d\"", UTC).matches(purchases(NOW.minus(Duration.ofDays(8)), 1), NOW))
                .as("the only number is outside the window").isFalse();
    }

    @Test
    void aSumOverASlidingWindowDropsWhenAnOldPurchaseLeavesIt() {
        Instant old = NOW.minus(Duration.ofDays(80));
        Instant recent = NOW.minus(Duration.ofDays(10));
        TestContact c = purchases(old, 70, recent, 40);
        Evaluator e = aggregate("sum", "\"op\":\"gte\",\"value\":100", "\"90d\"", UTC);
        assertThat(e.matches(c, NOW)).isTrue();
        Instant leaves = old.plus(Duration.ofDays(90)).plusNanos(1000);
        assertThat(e.nextChange(c, NOW)).contains(leaves);
        assertThat(e.matches(c, leaves.minusNanos(1000))).as("the window is inclusive at its edge").isTrue();
        assertThat(e.matches(c, leaves)).isFalse();
        assertThat(e.nextChange(c, leaves)).as("false now, and the next leaving cannot make it true").isEmpty();
    }

    @Test
    void nextChangeIsExactNotJustTheNextLeaving() {
        // max >= 50 over 30d: 20 leaves first without changing the answer; 60 leaving flips it.
        Instant a = NOW.minus(Duration.ofDays(25));
        Instant b = NOW.minus(Duration.ofDays(20));
        Instant future = NOW.plus(Duration.ofDays(40));
        TestContact c = purchases(a, 20, b, 60, future, 90);
        Evaluator e = aggregate("max", "\"op\":\"gte\",\"value\":50", "\"30d\"", UTC);
        assertThat(e.matches(c, NOW)).isTrue();
        Instant bLeaves = b.plus(Duration.ofDays(30)).plus(Duration.between(Instant.EPOCH, STEP));
        assertThat(e.nextChange(c, NOW)).contains(bLeaves);
        assertThat(e.nextChange(c, bLeaves)).as("a future-dated purchase enters when it occurs").contains(future);
        assertThat(e.matches(c, future)).isTrue();
        // min <= 30 over 30d: the entering 90 does not change it, the leaving 20 does.
        Evaluator min = aggregate("min", "\"op\":\"lte\",\"value\":30", "\"30d\"", UTC);
        assertThat(min.nextChange(c, NOW)).contains(a.plus(Duration.ofDays(30)).plusNanos(1000));
    }

    @Test
    void calendarWindowsFlipAtThePeriodBoundary() {
        Evaluator current = aggregate("sum", "\"op\":\"gte\",\"value\":100", "{\"inCurrent\":\"month\"}", PARIS);
        Evaluator previous = aggregate("sum", "\"op\":\"gte\",\"value\":100", "{\"inPrevious\":\"month\"}", PARIS);
        TestContact c = purchases(Instant.parse("2026-11-10T10:00:00Z"), 60, Instant.parse("2026-11-20T10:00:00Z"), 50);
        c.zone = PARIS;
        Instant dec1 = Instant.parse("2026-11-30T23:00:00Z"); // midnight in Paris
        assertThat(current.matches(c, NOW)).isTrue();
        assertThat(current.nextChange(c, NOW)).contains(dec1);
        assertThat(current.matches(c, dec1)).isFalse();
        assertThat(current.nextChange(c, dec1)).isEmpty();
        assertThat(previous.matches(c, NOW)).isFalse();
        assertThat(previous.nextChange(c, NOW)).contains(dec1);
        assertThat(previous.nextChange(c, dec1)).contains(Instant.parse("2026-12-31T23:00:00Z"));
        // A purchase dated next March: the current-month window meets it when March starts.
        c.event("purchase.made", Instant.parse("2027-03-05T10:00:00Z"), Map.of("amount", Value.of(100)));
        assertThat(current.nextChange(c, dec1)).contains(Instant.parse("2027-02-28T23:00:00Z"));
    }

    @Test
    void allTimeAggregatesNeverChangeWithTime() {
        Evaluator e = aggregate("avg", "\"op\":\"gt\",\"value\":5", null, UTC);
        TestContact c = purchases(NOW.minus(Duration.ofDays(900)), 6);
        assertThat(e.matches(c, NOW)).isTrue();
        assertThat(e.nextChange(c, NOW)).isEmpty();
        assertThat(e.inputs().timeDependent()).isFalse();
    }

    // ---- first / last

    private static Evaluator recency(String edge, String op, String value, ZoneId zone) {
        return Evaluator.compile(rule("{\"event\":\"review.left\",\"" + edge + "\":{\"op\":\"" + op + "\",\"value\":\"" + value
                + "\"}}"), Map.of(), zone);
    }

    private static TestContact reviews(Instant... at) {
        TestContact c = new TestContact();
        for (Instant t : at) c.event("review.left", t, Map.of());
        return c;
    }

    @Test
    void lastOlderThanBecomesTrueAtLastPlusTheDuration() {
        Instant last = NOW.minus(Duration.ofDays(60));
        TestContact c = reviews(NOW.minus(Duration.ofDays(200)), last);
        Evaluator lapsed = recency("last", "olderThan", "90d", UTC);
        assertThat(lapsed.matches(c, NOW)).isFalse();
        Instant becomes = last.plus(Duration.ofDays(90)).plusNanos(1000);
        assertThat(lapsed.nextChange(c, NOW)).contains(becomes);
        assertThat(lapsed.matches(c, becomes.minusNanos(1000))).as("exactly 90 days is not older").isFalse();
        assertThat(lapsed.matches(c, becomes)).isTrue();
        assertThat(lapsed.nextChange(c, becomes)).isEmpty();
        assertThat(recency("first", "olderThan", "90d", UTC).matches(c, NOW)).as("the first one is").isTrue();
        assertThat(lapsed.matches(new TestContact(), NOW)).as("no review: not lapsed").isFalse();
        assertThat(lapsed.nextChange(new TestContact(), NOW)).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}, next {4}")
    @CsvSource(delimiter = '|', value = {
        // reviews at 2026-10-20T08:00Z and 2026-11-25T08:00Z; now 2026-11-28T12:00Z (UTC)
        "last|withinLast|4d|true|2026-11-29T08:00:00.000001Z",
        "last|withinLast|3d|false|",
        "first|withinLast|40d|true|2026-11-29T08:00:00.000001Z",
        "first|withinLast|39d|false|",
        "last|olderThan|4d|false|2026-11-29T08:00:00.000001Z",
        "first|olderThan|4d|true|",
        "last|inCurrent|month|true|2026-12-01T00:00:00Z",
        "first|inCurrent|month|false|",
        "first|inPrevious|month|true|2026-12-01T00:00:00Z",
        "last|inPrevious|month|false|2026-12-01T00:00:00Z",
        "last|inCurrent|week|true|2026-11-30T00:00:00Z",
        "last|before|2026-11-26|true|",
        "last|before|2026-11-25T08:00:00Z|false|",
        "first|after|2026-10-20T08:00:00Z|false|",
        "first|after|2026-10-20|true|",
    })
    void eachDateOperator(String edge, String op, String value, boolean expected, String next) {
        TestContact c = reviews(Instant.parse("2026-10-20T08:00:00Z"), Instant.parse("2026-11-25T08:00:00Z"));
        Evaluator e = recency(edge, op, value, UTC);
        assertThat(e.matches(c, NOW)).isEqualTo(expected);
        assertThat(e.nextChange(c, NOW)).isEqualTo(Optional.ofNullable(next).map(Instant::parse));
    }

    @Test
    void aFutureDatedLastEntersWithinLastWhenItOccurs() {
        Instant future = NOW.plus(Duration.ofDays(2));
        TestContact c = reviews(NOW.minus(Duration.ofDays(30)), future);
        Evaluator e = recency("last", "withinLast", "7d", UTC);
        assertThat(e.matches(c, NOW)).as("the latest review has not occurred yet").isFalse();
        assertThat(e.nextChange(c, NOW)).contains(future);
        assertThat(e.matches(c, future)).isTrue();
    }

    @Test
    void composedRulesTakeTheEarliestChange() {
        // Everyone but the lapsed reviewers who spent at least 100 in the last 90 days: the review lapses
        // first (the contact leaves), then the purchase leaves the window (it comes back).
        Rule r = rule("""
                {"not": {"and": [{"event": "review.left", "last": {"op": "olderThan", "value": "90d"}},
                                 {"event": "purchase.made", "aggregate": {"fn": "sum", "property": "amount", "op": "gte", "value": 100},
                                  "within": "90d"}]}}""");
        Evaluator e = Evaluator.compile(r, Map.of(), UTC);
        TestContact c = purchases(NOW.minus(Duration.ofDays(85)), 150);
        c.event("review.left", NOW.minus(Duration.ofDays(88)), Map.of());
        assertThat(e.matches(c, NOW)).isTrue();
        Instant purchaseLeaves = NOW.plus(Duration.ofDays(5)).plusNanos(1000);
        Instant lapses = NOW.plus(Duration.ofDays(2)).plusNanos(1000);
        assertThat(e.nextChange(c, NOW)).contains(lapses);
        assertThat(e.matches(c, lapses)).isFalse();
        assertThat(e.nextChange(c, lapses)).contains(purchaseLeaves);
        assertThat(e.matches(c, purchaseLeaves)).isTrue();
    }

    @Test
    void inputsNameTheMeasuredSignatureAndItsReach() {
        Evaluator e = aggregate("sum", "\"op\":\"gte\",\"value\":1", "\"90d\"", UTC);
        Signature measured = new Signature("purchase.made", java.util.List.of()).measuring("amount");
        assertThat(e.inputs().signatures()).containsEntry(measured, Duration.ofDays(90));
        assertThat(e.inputs().timeDependent()).isTrue();
        Evaluator last = recency("last", "before", "2026-01-01", UTC);
        assertThat(last.inputs().signatures()).containsEntry(new Signature("review.left", java.util.List.of()), Duration.ZERO);
        assertThat(last.inputs().timeDependent()).as("before/after do not move with time").isFalse();
    }
}
