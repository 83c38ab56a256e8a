package io.segstream.contact;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.rules.EventTimes;
import io.segstream.rules.Signature;
import io.segstream.rules.Value;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Behaviour kept per signature: first/last, measured values and totals, pruning, the cap, and its stored form. */
class BehaviourTest {

    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Signature PURCHASES = new Signature("purchase.made", List.of());
    private static final Signature AMOUNTS = PURCHASES.measuring("amount");

    private static Function<String, Optional<Value>> amount(Object v) {
        return p -> p.equals("amount") && v != null
                ? Optional.of(v instanceof String s ? new Value.Text(s) : new Value.Num(new BigDecimal(v.toString())))
                : Optional.empty();
    }

    @Test
    void measuredSignaturesKeepNumbersInReachAndTotalsForever() {
        Map<Signature, Duration> in = Map.of(PURCHASES, Duration.ZERO, AMOUNTS, Duration.ofDays(30));
        Behaviour b = Behaviour.EMPTY
                .record("purchase.made", NOW.minus(Duration.ofDays(40)), amount(70), in, UTC, NOW)
                .record("purchase.made", NOW.minus(Duration.ofDays(5)), amount("12"), in, UTC, NOW)
                .record("purchase.made", NOW.minus(Duration.ofDays(3)), amount(null), in, UTC, NOW)
                .record("purchase.made", NOW.minus(Duration.ofDays(10)), amount(2.5), in, UTC, NOW);
        EventTimes all = b.get(PURCHASES);
        assertThat(all.total()).isEqualTo(4);
        assertThat(all.times()).as("a reach of zero keeps no times").isEmpty();
        assertThat(EventTimes.instant(all.first())).isEqualTo(NOW.minus(Duration.ofDays(40)));
        assertThat(EventTimes.instant(all.last())).isEqualTo(NOW.minus(Duration.ofDays(3)));
        EventTimes numbers = b.get(AMOUNTS);
        assertThat(numbers.total()).as("only events with a number").isEqualTo(2);
        assertThat(numbers.times()).containsExactly(EventTimes.micros(NOW.minus(Duration.ofDays(10))));
        assertThat(numbers.values()).containsExactly(new BigDecimal("2.5"));
        assertThat(numbers.totals().sum()).isEqualByComparingTo("72.5");
        assertThat(numbers.totals().min()).isEqualByComparingTo("2.5");
        assertThat(numbers.totals().max()).isEqualByComparingTo("70");

        Behaviour later = b.prune(in, NOW.plus(Duration.ofDays(21)));
        assertThat(later.get(AMOUNTS).times()).isEmpty();
        assertThat(later.get(AMOUNTS).values()).isEmpty();
        assertThat(later.get(AMOUNTS).totals()).isEqualTo(numbers.totals());

        Behaviour read = BehaviourJson.read(JSON, BehaviourJson.write(b));
        assertThat(read).isEqualTo(b);
        assertThat(read.get(AMOUNTS)).isEqualTo(numbers);
    }

    @Test
    void aMeasuredSignatureKeepsAtMostTheCapOfPairs() {
        Map<Signature, Duration> in = Map.of(AMOUNTS, Duration.ofDays(365));
        Behaviour b = Behaviour.EMPTY;
        int n = Behaviour.MAX_KEPT_VALUES + 5;
        for (int i = 0; i < n; i++) b = b.record("purchase.made", NOW.minusSeconds(n - i), amount(i), in, UTC, NOW);
        EventTimes t = b.get(AMOUNTS);
        assertThat(t.times()).hasSize(Behaviour.MAX_KEPT_VALUES);
        assertThat(t.values()[0]).as("the oldest pairs went").isEqualByComparingTo("5");
        assertThat(t.total()).isEqualTo(n);
        assertThat(t.totals().min()).as("all-time aggregates stay exact").isEqualByComparingTo("0");
    }

    @Test
    void aBehaviourWrittenByTheEarlierTreeWriterReadsTheSame() {
        String earlier = """
                {"message.opened":{"n":5,"t":[1791528407136844,1792642680260299],"f":1791528407136844,"l":1792642680260299},\
                "survey.answered[answer eq \\"YES\\" && survey eq \\"referral\\"]":{"n":1,"t":[],"f":1793155221136844,"l":1793155221136844},\
                "purchase.made{amount}":{"n":2,"t":[1791528407136844],"f":1791000000000000,"l":1791528407136844,\
                "v":[12345678901234567891.25],"s":12345678901234567900.75,"lo":0.50,"hi":12345678901234567891.25}}""";
        Behaviour b = BehaviourJson.read(JSON, earlier);
        EventTimes opened = b.bySignature().get("message.opened");
        assertThat(opened.total()).isEqualTo(5);
        assertThat(opened.times()).containsExactly(1791528407136844L, 1792642680260299L);
        EventTimes survey = b.bySignature().get("survey.answered[answer eq \"YES\" && survey eq \"referral\"]");
        assertThat(survey.first()).isEqualTo(1793155221136844L);
        EventTimes amounts = b.bySignature().get("purchase.made{amount}");
        assertThat(amounts.first()).isEqualTo(1791000000000000L);
        assertThat(amounts.values()).as("read exactly, not through a double").containsExactly(new BigDecimal("12345678901234567891.25"));
        assertThat(amounts.totals().sum()).isEqualTo(new BigDecimal("12345678901234567900.75"));
        assertThat(amounts.totals().min()).isEqualTo(new BigDecimal("0.50"));
        String again = BehaviourJson.write(b);
        assertThat(JSON.readTree(again).isObject()).as(again).isTrue();
        assertThat(BehaviourJson.read(JSON, again)).isEqualTo(b);
    }

    @Test
    void stateWrittenBeforeFirstAndLastWereKeptReadsThemFromItsTimes() {
        EventTimes t = BehaviourJson.read(JSON, "{\"review.left\": {\"n\": 3, \"t\": [5, 9]}}").get(new Signature("review.left", List.of()));
        assertThat(t.first()).isEqualTo(5);
        assertThat(t.last()).isEqualTo(9);
        assertThat(t.values()).isEmpty();
    }
}
