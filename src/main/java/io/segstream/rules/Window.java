package io.segstream.rules;

import java.time.Duration;

/** Which of a contact's matching events a behavioural condition counts. */
public sealed interface Window {

    /** Every matching event ever. */
    record AllTime() implements Window {
        @Override
        public String toString() {
            return "ever";
        }
    }

    /** Events with occurredAt in {@code [now - length, now]}. */
    record Last(Duration length, String text) implements Window {
        @Override
        public String toString() {
            return "within " + text;
        }
    }

    /** Events in the current calendar period (tenant time zone). */
    record Current(CalendarUnit unit) implements Window {
        @Override
        public String toString() {
            return "in current " + unit.wireName();
        }
    }

    /** Events in the previous calendar period (tenant time zone). */
    record Previous(CalendarUnit unit) implements Window {
        @Override
        public String toString() {
            return "in previous " + unit.wireName();
        }
    }

    /** How far back from now this window can reach, for keeping per-contact event timestamps. */
    default Duration reach() {
        return switch (this) {
            case AllTime a -> null;
            case Last l -> l.length();
            case Current c -> maxLength(c.unit());
            case Previous p -> maxLength(p.unit()).multipliedBy(2);
        };
    }

    private static Duration maxLength(CalendarUnit unit) {
        return switch (unit) {
            case DAY -> Duration.ofHours(26);
            case WEEK -> Duration.ofDays(7).plusHours(2);
            case MONTH -> Duration.ofDays(31).plusHours(2);
            case QUARTER -> Duration.ofDays(92).plusHours(2);
            case YEAR -> Duration.ofDays(366).plusHours(2);
        };
    }
}
