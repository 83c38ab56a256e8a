package io.segstream.membership;

import io.segstream.rules.CalendarUnit;
import io.segstream.rules.Op;
import io.segstream.rules.Operand;
import io.segstream.rules.Value;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The oracle's own reading of API.md's Semantics paragraph, written without any of the production
 * comparison code: a test of one value at an instant, and calendar periods in the tenant's zone.
 */
final class RuleSemantics {

    private final ZoneId zone;

    RuleSemantics(ZoneId zone) {
        this.zone = zone;
    }

    /** "A test on a missing attribute, or on a value of another type, is false for every op except missing." */
    boolean test(Op op, Operand operand, Optional<Value> maybe, Instant now) {
        if (op == Op.MISSING) return maybe.isEmpty();
        if (maybe.isEmpty()) return false;
        Value v = maybe.get();
        if (op == Op.EXISTS) return true;
        switch (op) {
            case EQ, NEQ -> {
                Value rhs = ((Operand.Scalar) operand).value();
                if (!sameKind(v, rhs)) return false;
                return (op == Op.EQ) == exactlyEqual(v, rhs);
            }
            case IN, NOT_IN -> {
                List<Value> list = ((Operand.Scalars) operand).values();
                if (!sameKind(v, list.get(0))) return false;
                boolean found = list.stream().anyMatch(x -> exactlyEqual(v, x));
                return (op == Op.IN) == found;
            }
            case CONTAINS, STARTS_WITH, ENDS_WITH -> {
                if (!(v instanceof Value.Text t)) return false;
                String a = t.value().toLowerCase(Locale.ROOT);
                String b = ((Value.Text) ((Operand.Scalar) operand).value()).value().toLowerCase(Locale.ROOT);
                return op == Op.CONTAINS ? a.contains(b) : op == Op.STARTS_WITH ? a.startsWith(b) : a.endsWith(b);
            }
            case GT, GTE, LT, LTE -> {
                Integer c = order(v, ((Operand.Scalar) operand).value());
                if (c == null) return false;
                return op == Op.GT ? c > 0 : op == Op.GTE ? c >= 0 : op == Op.LT ? c < 0 : c <= 0;
            }
            case BETWEEN -> {
                Operand.Range r = (Operand.Range) operand;
                Integer lo = order(v, r.low());
                Integer hi = order(v, r.high());
                return lo != null && hi != null && lo >= 0 && hi <= 0;
            }
            default -> {
                Optional<Instant> at = instant(v);
                return at.isPresent() && testDate(op, operand, at.get(), now);
            }
        }
    }

    /** The date operators on an instant. */
    boolean testDate(Op op, Operand operand, Instant at, Instant now) {
        return switch (op) {
            case BEFORE -> at.isBefore(instant(((Operand.At) operand).when()).orElseThrow());
            case AFTER -> at.isAfter(instant(((Operand.At) operand).when()).orElseThrow());
            case WITHIN_LAST -> {
                Duration d = ((Operand.Length) operand).duration();
                yield at.compareTo(now.minus(d)) >= 0 && at.compareTo(now) <= 0;
            }
            case OLDER_THAN -> at.isBefore(now.minus(((Operand.Length) operand).duration()));
            case IN_CURRENT -> period(((Operand.Period) operand).unit(), at).equals(period(((Operand.Period) operand).unit(), now));
            case IN_PREVIOUS -> {
                CalendarUnit unit = ((Operand.Period) operand).unit();
                yield period(unit, at).equals(previousPeriod(unit, now));
            }
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    /** The first local day of the calendar period (in the zone) that holds {@code at}; weeks start on Monday. */
    LocalDate period(CalendarUnit unit, Instant at) {
        LocalDate d = at.atZone(zone).toLocalDate();
        return switch (unit) {
            case DAY -> d;
            case WEEK -> d.minusDays(d.getDayOfWeek().getValue() - 1L);
            case MONTH -> LocalDate.of(d.getYear(), d.getMonth(), 1);
            case QUARTER -> LocalDate.of(d.getYear(), (d.get(IsoFields.QUARTER_OF_YEAR) - 1) * 3 + 1, 1);
            case YEAR -> LocalDate.of(d.getYear(), 1, 1);
        };
    }

    LocalDate previousPeriod(CalendarUnit unit, Instant now) {
        LocalDate start = period(unit, now);
        return period(unit, start.minusDays(1).atStartOfDay(zone).toInstant());
    }

    private static boolean sameKind(Value a, Value b) {
        return (a instanceof Value.Text && b instanceof Value.Text) || (a instanceof Value.Num && b instanceof Value.Num)
                || (a instanceof Value.Bool && b instanceof Value.Bool);
    }

    private static boolean exactlyEqual(Value a, Value b) {
        if (a instanceof Value.Num x && b instanceof Value.Num y) return x.value().compareTo(y.value()) == 0;
        if (a instanceof Value.Text x && b instanceof Value.Text y) return x.value().equals(y.value());
        if (a instanceof Value.Bool x && b instanceof Value.Bool y) return x.value() == y.value();
        return false;
    }

    /** "compare numbers, or instants when both sides are ISO dates/instants"; null when neither. */
    private Integer order(Value a, Value b) {
        if (a instanceof Value.Num x && b instanceof Value.Num y) return x.value().compareTo(y.value());
        Optional<Instant> x = instant(a);
        Optional<Instant> y = instant(b);
        return x.isPresent() && y.isPresent() ? x.get().compareTo(y.get()) : null;
    }

    /** An ISO instant or offset date-time, or a date alone as its start in the tenant's zone. */
    Optional<Instant> instant(Value v) {
        if (!(v instanceof Value.Text t)) return Optional.empty();
        String s = t.value();
        try {
            return Optional.of(Instant.parse(s));
        } catch (DateTimeException e) {
            // not an instant in UTC
        }
        try {
            return Optional.of(OffsetDateTime.parse(s).toInstant());
        } catch (DateTimeException e) {
            // not an offset date-time
        }
        try {
            return Optional.of(LocalDate.parse(s).atStartOfDay(zone).toInstant());
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    static BigDecimal number(Value v) {
        return v instanceof Value.Num n ? n.value() : null;
    }
}
