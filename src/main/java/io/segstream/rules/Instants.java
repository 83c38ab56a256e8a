package io.segstream.rules;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * Parsing UTC instants of the form {@code 2026-01-31T23:59:59[.fraction]Z}, the form the service writes
 * and nearly every client sends, without {@link java.time.format.DateTimeFormatter} (whose general
 * parser cost a sixth of ingest CPU: stored profiles hold many instants). Anything else, or anything
 * odd (leap seconds, years beyond four digits), goes to {@link Instant#parse}, so results never differ.
 */
public final class Instants {

    private Instants() {}

    /** Like {@link Instant#parse(CharSequence)}, and as strict. */
    public static Instant parse(String s) {
        Instant fast = parseFast(s);
        return fast != null ? fast : Instant.parse(s);
    }

    /** The instant, or null when {@code s} is not in the simple form (the caller falls back). */
    static Instant parseFast(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
        int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int fraction = n - 21; // characters between '.' and 'Z'
            if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) return null;
            int f = digits(s, 20, fraction);
            if (f < 0) return null;
            nanos = f;
            for (int i = fraction; i < 9; i++) nanos *= 10;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null; // let Instant.parse produce its own error
        }
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * Appends {@code t} exactly as {@link Instant#toString()} prints it, without its formatter for the years
     * 0 to 9999 (printing the stamps of stored contact states through it cost 4 % of the service's CPU while
     * ingesting, JFR); other years go through {@link Instant#toString()}.
     */
    public static StringBuilder append(StringBuilder out, Instant t) {
        long seconds = t.getEpochSecond();
        long epochDay = Math.floorDiv(seconds, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        if (epochDay < MIN_FAST_DAY || epochDay > MAX_FAST_DAY) return out.append(t);
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        pad(out, date.getYear(), 4).append('-');
        pad(out, date.getMonthValue(), 2).append('-');
        pad(out, date.getDayOfMonth(), 2).append('T');
        pad(out, secondOfDay / 3_600, 2).append(':');
        pad(out, secondOfDay / 60 % 60, 2).append(':');
        pad(out, secondOfDay % 60, 2);
        int nanos = t.getNano();
        if (nanos != 0) {
            out.append('.');
            if (nanos % 1_000_000 == 0) pad(out, nanos / 1_000_000, 3);
            else if (nanos % 1_000 == 0) pad(out, nanos / 1_000, 6);
            else pad(out, nanos, 9);
        }
        return out.append('Z');
    }

    private static final long MIN_FAST_DAY = LocalDate.of(0, 1, 1).toEpochDay();
    private static final long MAX_FAST_DAY = LocalDate.of(9999, 12, 31).toEpochDay();

    private static StringBuilder pad(StringBuilder out, int value, int width) {
        for (int d = width - 1, scale = pow10(d); d >= 0; d--, scale /= 10) out.append((char) ('0' + value / scale % 10));
        return out;
    }

    private static int pow10(int n) {
        int p = 1;
        for (int i = 0; i < n; i++) p *= 10;
        return p;
    }

    /** The instant {@code us} microseconds after the epoch (negative: before). */
    public static Instant ofEpochMicros(long us) {
        return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1_000L);
    }
}
