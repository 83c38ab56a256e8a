package io.segstream.rules;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** The right-hand side of a test, shaped by its operator's {@link Op.Kind}. */
public sealed interface Operand {

    /** {@code exists}, {@code missing}. */
    record None() implements Operand {
        @Override
        public String toString() {
            return "";
        }
    }

    /** {@code eq}, {@code neq}, string ops, {@code gt}..{@code lte}. */
    record Scalar(Value value) implements Operand {
        public Scalar {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return value.toString();
        }
    }

    /** {@code in}, {@code notIn}: values of one type. */
    record Scalars(List<Value> values) implements Operand {
        public Scalars {
            values = List.copyOf(values);
        }

        @Override
        public String toString() {
            return values.stream().map(Object::toString).collect(Collectors.joining(", ", "[", "]"));
        }
    }

    /** {@code between}, inclusive. */
    record Range(Value low, Value high) implements Operand {
        @Override
        public String toString() {
            return "[" + low + ", " + high + "]";
        }
    }

    /** {@code withinLast}, {@code olderThan}: the duration and how it was written. */
    record Length(Duration duration, String text) implements Operand {
        @Override
        public String toString() {
            return text;
        }
    }

    /** {@code inCurrent}, {@code inPrevious}. */
    record Period(CalendarUnit unit) implements Operand {
        @Override
        public String toString() {
            return unit.wireName();
        }
    }

    /** {@code before}, {@code after}: an ISO instant, or a date (its start in the tenant's zone). */
    record At(Value.Text when) implements Operand {
        public At {
            Objects.requireNonNull(when, "when");
        }

        @Override
        public String toString() {
            return when.value();
        }
    }
}
