package io.segstream.rules;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Optional;

/**
 * The semantics of one test on one value, written once for attributes and event properties.
 *
 * <ul>
 *   <li>Missing value: false for every operator except {@code missing}.
 *   <li>{@code eq}, {@code neq}, {@code in}, {@code notIn}: exact, and only between values of the same
 *       type ({@code neq}/{@code notIn} on another type are false, not true).
 *   <li>String operators: text only, ignoring case.
 *   <li>{@code gt}..{@code between}: numbers with numbers, or instants with instants (ISO dates and
 *       instants; a date alone is its start in the tenant's time zone); bounds inclusive.
 *   <li>Time-relative operators, with {@code now}: {@code withinLast d} is {@code [now - d, now]},
 *       {@code olderThan d} is before {@code now - d}; {@code inCurrent}/{@code inPrevious} compare
 *       calendar periods in the tenant's zone.
 * </ul>
 */
final class Comparisons {

    /** The smallest step of time PostgreSQL keeps; a value leaves a window one step after its edge. */
    static final Duration STEP = Duration.ofNanos(1000);

    private Comparisons() {}

    /** A test that does not depend on time (event {@code where} filters). */
    static boolean test(Op op, Operand operand, Optional<Value> value, ZoneId zone) {
        if (op.timeRelative()) throw new IllegalArgumentException(op + " needs now");
        return test(op, operand, value, zone, Instant.EPOCH);
    }

    static boolean test(Op op, Operand operand, Optional<Value> maybe, ZoneId zone, Instant now) {
        if (op == Op.MISSING) return maybe.isEmpty();
        if (maybe.isEmpty()) return false;
        Value v = maybe.get();
        if (op == Op.EXISTS) return true;
        if (v instanceof Value.Other) return false;
        return switch (op.kind()) {
            case SCALAR -> {
                Value rhs = ((Operand.Scalar) operand).value();
                if (!sameType(v, rhs)) yield false;
                yield (op == Op.EQ) == v.equals(rhs);
            }
            case LIST -> {
                var values = ((Operand.Scalars) operand).values();
                if (values.isEmpty() || !sameType(v, values.get(0))) yield false;
                yield (op == Op.IN) == values.contains(v);
            }
            case TEXT -> {
                if (!(v instanceof Value.Text t) || !(((Operand.Scalar) operand).value() instanceof Value.Text rhs)) yield false;
                String a = t.value().toLowerCase(Locale.ROOT);
                String b = rhs.value().toLowerCase(Locale.ROOT);
                yield switch (op) {
                    case CONTAINS -> a.contains(b);
                    case STARTS_WITH -> a.startsWith(b);
                    case ENDS_WITH -> a.endsWith(b);
                    default -> throw new IllegalStateException(op.toString());
                };
            }
            case ORDERED -> {
                Integer c = compare(v, ((Operand.Scalar) operand).value(), zone);
                if (c == null) yield false;
                yield switch (op) {
                    case GT -> c > 0;
                    case GTE -> c >= 0;
                    case LT -> c < 0;
                    case LTE -> c <= 0;
                    default -> throw new IllegalStateException(op.toString());
                };
            }
            case RANGE -> {
                var range = (Operand.Range) operand;
                Integer lo = compare(v, range.low(), zone);
                Integer hi = compare(v, range.high(), zone);
                yield lo != null && hi != null && lo >= 0 && hi <= 0;
            }
            case INSTANT, LENGTH, PERIOD -> {
                Optional<Instant> at = v.asInstant(zone);
                yield at.isPresent() && testInstant(op, operand, at.get(), zone, now);
            }
            case NONE -> throw new IllegalStateException(op.toString());
        };
    }

    /** A date operator ({@code before}, {@code after} or time-relative) on an instant. */
    static boolean testInstant(Op op, Operand operand, Instant at, ZoneId zone, Instant now) {
        return switch (op.kind()) {
            case INSTANT -> {
                Optional<Instant> rhs = ((Operand.At) operand).when().asInstant(zone);
                yield rhs.isPresent() && (op == Op.BEFORE ? at.isBefore(rhs.get()) : at.isAfter(rhs.get()));
            }
            case LENGTH -> {
                Instant edge = now.minus(((Operand.Length) operand).duration());
                yield op == Op.WITHIN_LAST ? !at.isBefore(edge) && !at.isAfter(now) : at.isBefore(edge);
            }
            case PERIOD -> {
                CalendarUnit unit = ((Operand.Period) operand).unit();
                Instant target = op == Op.IN_CURRENT ? unit.start(now, zone) : unit.previousStart(now, zone);
                yield unit.start(at, zone).equals(target);
            }
            default -> throw new IllegalArgumentException(op + " is not a date operator");
        };
    }

    /**
     * The earliest instant after {@code now} at which this test's answer can change with no new event,
     * or empty. Only time-relative operators ever change.
     */
    static Optional<Instant> nextChange(Op op, Operand operand, Optional<Value> maybe, ZoneId zone, Instant now) {
        if (!op.timeRelative() || maybe.isEmpty()) return Optional.empty();
        Optional<Instant> value = maybe.get().asInstant(zone);
        if (value.isEmpty()) return Optional.empty();
        return nextChangeAt(op, operand, value.get(), zone, now);
    }

    /**
     * The first instant after {@code now} at which a date operator on the fixed instant {@code v} answers
     * differently, or empty when it never does.
     */
    static Optional<Instant> nextChangeAt(Op op, Operand operand, Instant v, ZoneId zone, Instant now) {
        return switch (op) {
            case WITHIN_LAST -> {
                Duration d = ((Operand.Length) operand).duration();
                if (v.isAfter(now)) yield Optional.of(v); // enters the window
                Instant leaves = v.plus(d).plus(STEP);
                yield leaves.isAfter(now) ? Optional.of(leaves) : Optional.empty();
            }
            case OLDER_THAN -> {
                Instant becomes = v.plus(((Operand.Length) operand).duration()).plus(STEP);
                yield becomes.isAfter(now) ? Optional.of(becomes) : Optional.empty();
            }
            case IN_CURRENT -> {
                CalendarUnit unit = ((Operand.Period) operand).unit();
                yield firstAfter(now, unit.start(v, zone), unit.nextStart(v, zone));
            }
            case IN_PREVIOUS -> {
                CalendarUnit unit = ((Operand.Period) operand).unit();
                Instant becomesPrevious = unit.nextStart(v, zone);
                yield firstAfter(now, becomesPrevious, unit.nextStart(becomesPrevious, zone));
            }
            default -> Optional.empty();
        };
    }

    private static Optional<Instant> firstAfter(Instant now, Instant a, Instant b) {
        if (a.isAfter(now)) return Optional.of(a);
        if (b.isAfter(now)) return Optional.of(b);
        return Optional.empty();
    }

    static boolean sameType(Value a, Value b) {
        return a.getClass() == b.getClass();
    }

    /** Numbers with numbers, instants with instants; null when not comparable. */
    static Integer compare(Value v, Value rhs, ZoneId zone) {
        if (v instanceof Value.Num a && rhs instanceof Value.Num b) {
            BigDecimal x = a.value();
            return x.compareTo(b.value());
        }
        Optional<Instant> a = v.asInstant(zone);
        Optional<Instant> b = rhs.asInstant(zone);
        if (a.isPresent() && b.isPresent()) return a.get().compareTo(b.get());
        return null;
    }
}
