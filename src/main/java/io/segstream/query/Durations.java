package io.segstream.query;

import io.segstream.platform.ProblemException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations in query parameters: {@code 90s}, {@code 15m}, {@code 12h}, {@code 30d}, {@code 8w}, or ISO-8601 ({@code PT1H}). */
final class Durations {

    private static final Pattern SHORT = Pattern.compile("([1-9][0-9]{0,8})([smhdw])");

    private Durations() {}

    /** A whole number of seconds, at least one; else 400 at {@code pointer}. */
    static Duration parse(String s, String pointer) {
        Duration d = null;
        Matcher m = SHORT.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
        } else {
            try {
                d = Duration.parse(s);
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        if (d == null || d.getNano() != 0 || d.getSeconds() < 1) {
            throw ProblemException.validation(pointer, "must be a whole number of seconds such as 90s, 15m, 1h, 1d or PT1H");
        }
        return d;
    }

    static String format(Duration d) {
        long s = d.getSeconds();
        if (s % 86400 == 0) return s / 86400 + "d";
        if (s % 3600 == 0) return s / 3600 + "h";
        if (s % 60 == 0) return s / 60 + "m";
        return s + "s";
    }
}
