package io.segstream.rules;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * A scalar the rules compare: text, a number or a boolean. Dates and instants are text that
 * {@link #asInstant(ZoneId)} reads. {@link Other} stands for a present value that is none of these (an
 * event property holding an object or array): it exists, and no comparison matches it.
 *
 * <p>The meaning of a missing value, written once: every test on a missing value is false, except
 * {@code missing}.
 */
public sealed interface Value {

    record Text(String value) implements Value {
        public Text {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }

    record Num(BigDecimal value) implements Value {
        public Num {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Num n && value.compareTo(n.value) == 0;
        }

        @Override
        public int hashCode() {
            return value.stripTrailingZeros().hashCode();
        }

        @Override
        public String toString() {
            return value.toPlainString();
        }
    }

    record Bool(boolean value) implements Value {
        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /** A present value of no comparable type. */
    record Other() implements Value {
        @Override
        public String toString() {
            return "<object>";
        }
    }

    static Value of(String s) {
        return new Text(s);
    }

    static Value of(long n) {
        return new Num(BigDecimal.valueOf(n));
    }

    /**
     * This value as an instant: ISO instants and offset date-times as such, a date alone as its start
     * in {@code zone}; empty for anything else.
     */
    default Optional<Instant> asInstant(ZoneId zone) {
        return this instanceof Text t ? parseInstant(t.value(), zone) : Optional.empty();
    }

    static Optional<Instant> parseInstant(String s, ZoneId zone) {
        if (s.length() < 10 || s.length() > 40 || !Character.isDigit(s.charAt(0))) return Optional.empty();
        try {
            if (s.length() == 10) return Optional.of(LocalDate.parse(s).atStartOfDay(zone).toInstant());
            if (s.endsWith("Z") || s.endsWith("z")) return Optional.of(Instants.parse(s.toUpperCase()));
            return Optional.of(OffsetDateTime.parse(s).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
