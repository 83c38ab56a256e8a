package io.segstream.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast instant parser agrees with {@link Instant#parse} on everything, valid or not. */
class InstantsTest {

    @Test
    void agreesWithInstantParseOnRandomInstantsAndTheirFractions() {
        Random random = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            Instant at = Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 253_000_000_000L), random.nextInt(1_000_000_000));
            if (random.nextBoolean()) at = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            if (random.nextInt(4) == 0) at = at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            String s = at.toString();
            assertThat(Instants.parse(s)).as(s).isEqualTo(Instant.parse(s));
        }
    }

    @Test
    void appendPrintsWhatInstantToStringPrints() {
        Random random = new Random(7);
        java.util.List<Instant> instants = new java.util.ArrayList<>(java.util.List.of(Instant.EPOCH, Instant.MIN, Instant.MAX,
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("-0001-12-31T23:59:59.999999999Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("2028-02-29T12:00:00.100Z"), Instant.parse("2026-12-03T21:20:31.000001Z"),
                Instant.parse("1969-12-31T23:59:59.5Z")));
        for (int i = 0; i < 200_000; i++) {
            Instant at = Instant.ofEpochSecond(random.nextLong(-62_300_000_000L, 253_500_000_000L), random.nextInt(1_000_000_000));
            if (random.nextBoolean()) at = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            if (random.nextInt(3) == 0) at = at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            if (random.nextInt(4) == 0) at = at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            instants.add(at);
        }
        for (Instant at : instants) {
            assertThat(Instants.append(new StringBuilder("x"), at).toString()).isEqualTo("x" + at);
        }
    }

    @Test
    void agreesWithInstantParseOnOddAndInvalidInput() {
        String[] inputs = {"2026-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-32T00:00:00Z",
            "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2026-12-31T23:59:60Z", "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00.1234567890Z", "2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00z", "2026-01-01 00:00:00Z",
            "+12026-01-01T00:00:00Z", "2026-01-01T00:00:00+01:00", "2026-1-01T00:00:00Z", "2026-01-01T00:00:0aZ",
            "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2026-01-01T00:00:00.-12Z"};
        for (String s : inputs) {
            Instant expected;
            try {
                expected = Instant.parse(s);
            } catch (DateTimeParseException e) {
                assertThatThrownBy(() -> Instants.parse(s)).as(s).isInstanceOf(DateTimeParseException.class);
                continue;
            }
            assertThat(Instants.parse(s)).as(s).isEqualTo(expected);
        }
    }
}
