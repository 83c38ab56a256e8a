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

        Behaviour read = BehaviourJson.read(BehaviourJson.write(b));
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
    void stateWrittenBeforeFirstAndLastWereKeptReadsThemFromItsTimes() {
        var json = tools.jackson.databind.json.JsonMapper.builder().build().readTree("{\"review.left\": {\"n\": 3, \"t\": [5, 9]}}");
        EventTimes t = BehaviourJson.read(json).get(new Signature("review.left", List.of()));
        assertThat(t.first()).isEqualTo(5);
        assertThat(t.last()).isEqualTo(9);
        assertThat(t.values()).isEmpty();
    }
}
