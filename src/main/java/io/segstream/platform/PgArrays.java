package io.segstream.platform;

/**
 * PostgreSQL array literals ({@code {"a","b",NULL}}), to bind as one text parameter cast in SQL
 * ({@code :nos::bigint[]}), or as an element of a text array that SQL casts on (a contact's segments).
 * Design note: the driver's array codec escapes element by element, one character at a time; at 5,000
 * events/s it was about a tenth of the service's CPU (JFR). Text arrays bound as parameters go in
 * PostgreSQL's binary format instead ({@link TextArray}), which neither side escapes or parses.
 */
public final class PgArrays {

    private PgArrays() {}

    /** A {@code text[]} literal; null elements are SQL NULL. */
    public static String text(String[] values) {
        int size = 2;
        for (String v : values) size += v == null ? 5 : v.length() + (v.length() >> 3) + 3; // room for some escapes
        StringBuilder sb = new StringBuilder(size + 16).append('{');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(',');
            String v = values[i];
            if (v == null) {
                sb.append("NULL");
                continue;
            }
            sb.append('"');
            // Quotes and backslashes found with indexOf (vectorized), the runs between them copied whole. When
            // every text array went through this method (before TextArray) it was 5.5% of the service's CPU
            // while ingesting with 10 segments (async-profiler); on 1,000 real contact states (JSON, ~536
            // characters, a quote every ~8) one literal took 1,373 us with a loop over charAt, 1,125 us this
            // way (median of 6 rounds, one JVM; String.replace: 1,358 us). It now writes the segment lists.
            int from = 0;
            int quote = v.indexOf('"');
            int backslash = v.indexOf('\\');
            while (quote >= 0 || backslash >= 0) {
                int at = quote < 0 ? backslash : backslash < 0 ? quote : Math.min(quote, backslash);
                sb.append(v, from, at).append('\\').append(v.charAt(at));
                from = at + 1;
                if (at == quote) quote = v.indexOf('"', from);
                else backslash = v.indexOf('\\', from);
            }
            sb.append(v, from, v.length()).append('"');
        }
        return sb.append('}').toString();
    }

    /** A {@code bigint[]} literal; null elements are SQL NULL. */
    public static String bigints(Long[] values) {
        StringBuilder sb = new StringBuilder(values.length * 8 + 2).append('{');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(values[i] == null ? "NULL" : Long.toString(values[i]));
        }
        return sb.append('}').toString();
    }

    /** A {@code boolean[]} literal; null elements are SQL NULL. */
    public static String booleans(Boolean[] values) {
        StringBuilder sb = new StringBuilder(values.length * 2 + 2).append('{');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(values[i] == null ? "NULL" : values[i] ? "t" : "f");
        }
        return sb.append('}').toString();
    }
}
