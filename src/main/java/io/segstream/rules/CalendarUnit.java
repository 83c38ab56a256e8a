package io.segstream.rules;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;

/** Calendar periods, computed in the tenant's time zone. Weeks start on Monday (ISO 8601). */
public enum CalendarUnit {
    DAY,
    WEEK,
    MONTH,
    QUARTER,
    YEAR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<CalendarUnit> fromWire(String s) {
        for (CalendarUnit u : values()) if (u.wireName().equals(s)) return Optional.of(u);
        return Optional.empty();
    }

    /** The start of the period containing {@code at}. */
    public Instant start(Instant at, ZoneId zone) {
        ZonedDateTime day = at.atZone(zone).toLocalDate().atStartOfDay(zone);
        ZonedDateTime start = switch (this) {
            case DAY -> day;
            case WEEK -> day.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(zone);
            case MONTH -> day.toLocalDate().withDayOfMonth(1).atStartOfDay(zone);
            case QUARTER -> day.toLocalDate().withDayOfMonth(1)
                    .withMonth(((day.getMonthValue() - 1) / 3) * 3 + 1).atStartOfDay(zone);
            case YEAR -> day.toLocalDate().withDayOfYear(1).atStartOfDay(zone);
        };
        return start.toInstant();
    }

    /** The start of the period after the one containing {@code at}. */
    public Instant nextStart(Instant at, ZoneId zone) {
        ZonedDateTime start = start(at, zone).atZone(zone);
        ZonedDateTime next = switch (this) {
            case DAY -> start.toLocalDate().plusDays(1).atStartOfDay(zone);
            case WEEK -> start.toLocalDate().plusWeeks(1).atStartOfDay(zone);
            case MONTH -> start.toLocalDate().plusMonths(1).atStartOfDay(zone);
            case QUARTER -> start.toLocalDate().plusMonths(3).atStartOfDay(zone);
            case YEAR -> start.toLocalDate().plusYears(1).atStartOfDay(zone);
        };
        return next.toInstant();
    }

    /** The start of the period before the one containing {@code at}. */
    public Instant previousStart(Instant at, ZoneId zone) {
        return start(start(at, zone).minus(1, ChronoUnit.NANOS), zone);
    }
}
