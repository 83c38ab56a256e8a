package io.segstream.rules;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The test of an aggregate rule: {@code fn(property) op value} over the matching events that carry a
 * number in {@code property}; {@code op} is one of {@code gt}, {@code gte}, {@code lt}, {@code lte},
 * {@code between} with a number operand ({@link Operand.Scalar} or {@link Operand.Range} of
 * {@link Value.Num}). With no such event the test is false, whatever the operator.
 */
public record AggregateTest(Fn fn, String property, Op op, Operand operand) {

    /** The aggregate functions. */
    public enum Fn {
        SUM, AVG, MIN, MAX;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Fn> fromWire(String s) {
            for (Fn f : values()) if (f.wireName().equals(s)) return Optional.of(f);
            return Optional.empty();
        }
    }

    public AggregateTest {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(property, "property");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(operand, "operand");
        boolean numbers = switch (op) {
            case GT, GTE, LT, LTE -> operand instanceof Operand.Scalar s && s.value() instanceof Value.Num;
            case BETWEEN -> operand instanceof Operand.Range r && r.low() instanceof Value.Num && r.high() instanceof Value.Num;
            default -> false;
        };
        if (!numbers) throw new IllegalArgumentException("an aggregate is tested with gt, gte, lt, lte or between on numbers");
    }

    /**
     * Whether the aggregate of {@code n > 0} values with this sum, minimum and maximum passes. The
     * average is compared as {@code sum op value * n}, exactly.
     */
    boolean test(long n, BigDecimal sum, BigDecimal min, BigDecimal max) {
        if (n <= 0) return false;
        BigDecimal count = BigDecimal.valueOf(n);
        BigDecimal x = switch (fn) {
            case SUM, AVG -> sum;
            case MIN -> min;
            case MAX -> max;
        };
        if (op == Op.BETWEEN) {
            Operand.Range r = (Operand.Range) operand;
            BigDecimal lo = ((Value.Num) r.low()).value();
            BigDecimal hi = ((Value.Num) r.high()).value();
            if (fn == Fn.AVG) {
                lo = lo.multiply(count);
                hi = hi.multiply(count);
            }
            return x.compareTo(lo) >= 0 && x.compareTo(hi) <= 0;
        }
        BigDecimal v = ((Value.Num) ((Operand.Scalar) operand).value()).value();
        if (fn == Fn.AVG) v = v.multiply(count);
        int c = x.compareTo(v);
        return switch (op) {
            case GT -> c > 0;
            case GTE -> c >= 0;
            case LT -> c < 0;
            case LTE -> c <= 0;
            default -> throw new IllegalStateException(op.toString());
        };
    }

    @Override
    public String toString() {
        return fn.wireName() + "(" + property + ") " + op.wireName() + " " + operand;
    }
}
