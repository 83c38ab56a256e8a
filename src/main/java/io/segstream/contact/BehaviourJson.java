package io.segstream.contact;

import io.segstream.platform.Json;
import io.segstream.rules.EventTimes;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.ObjectMapper;

/**
 * Stored form of {@link Behaviour} ({@code contacts.behaviour}):
 * {@code {"<signature>": {"n": count, "t": [micros], "f": first, "l": last}}}, and for a signature
 * measuring a property also {@code "v": [number per kept time], "s": sum, "lo": min, "hi": max}.
 * Written and read without a tree of nodes, like {@link ProfileJson}.
 *
 * <p>State written before first and last were kept has no {@code f}/{@code l}: they are read from the
 * kept times. A segment whose rule needs them recomputes its signatures from the event log when it is
 * built, so no rule reads such a guess.
 */
final class BehaviourJson {

    private BehaviourJson() {}

    static String write(Behaviour b) {
        StringBuilder out = new StringBuilder(256).append('{');
        boolean first = true;
        for (Map.Entry<String, EventTimes> e : b.bySignature().entrySet()) {
            if (!first) out.append(',');
            first = false;
            EventTimes t = e.getValue();
            Json.quote(out, e.getKey());
            out.append(":{\"n\":").append(t.total()).append(",\"t\":[");
            long[] times = t.times();
            for (int i = 0; i < times.length; i++) {
                if (i > 0) out.append(',');
                out.append(times[i]);
            }
            out.append(']');
            if (t.total() > 0) out.append(",\"f\":").append(t.first()).append(",\"l\":").append(t.last());
            if (t.values().length > 0 || t.totals().sum() != null) {
                out.append(",\"v\":[");
                BigDecimal[] values = t.values();
                for (int i = 0; i < values.length; i++) {
                    if (i > 0) out.append(',');
                    out.append(values[i].toPlainString());
                }
                out.append(']');
                number(out.append(",\"s\":"), t.totals().sum());
                number(out.append(",\"lo\":"), t.totals().min());
                number(out.append(",\"hi\":"), t.totals().max());
            }
            out.append('}');
        }
        return out.append('}').toString();
    }

    private static void number(StringBuilder out, BigDecimal n) {
        out.append(n == null ? "null" : n.toPlainString());
    }

    /** The behaviour stored as {@code stored}; {@link Behaviour#EMPTY} for null or {@code {}}. */
    static Behaviour read(ObjectMapper json, String stored) {
        if (stored == null) return Behaviour.EMPTY;
        try (JsonParser p = json.createParser(stored)) {
            ProfileJson.expect(p, p.nextToken(), JsonToken.START_OBJECT);
            Map<String, EventTimes> out = new HashMap<>();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String signature = p.currentName();
                ProfileJson.expect(p, p.nextToken(), JsonToken.START_OBJECT);
                out.put(signature, times(p));
            }
            return out.isEmpty() ? Behaviour.EMPTY : new Behaviour(out);
        }
    }

    /** One signature's object, the parser on its start. */
    private static EventTimes times(JsonParser p) {
        long total = 0;
        long[] times = new long[0];
        Long first = null, last = null;
        BigDecimal[] values = new BigDecimal[0];
        BigDecimal sum = null, min = null, max = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "n" -> total = p.getLongValue();
                case "t" -> times = longs(p, t);
                case "f" -> first = t == JsonToken.VALUE_NULL ? null : p.getLongValue();
                case "l" -> last = t == JsonToken.VALUE_NULL ? null : p.getLongValue();
                case "v" -> values = decimals(p, t);
                case "s" -> sum = decimal(p, t);
                case "lo" -> min = decimal(p, t);
                case "hi" -> max = decimal(p, t);
                default -> p.skipChildren();
            }
        }
        EventTimes fromTimes = new EventTimes(total, times);
        EventTimes.Totals totals = sum == null ? EventTimes.Totals.NONE : new EventTimes.Totals(sum, min, max);
        return new EventTimes(total, times, first != null ? first : fromTimes.first(), last != null ? last : fromTimes.last(),
                values, totals);
    }

    private static long[] longs(JsonParser p, JsonToken start) {
        if (start == JsonToken.VALUE_NULL) return new long[0];
        ProfileJson.expect(p, start, JsonToken.START_ARRAY);
        long[] out = new long[16];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (n == out.length) out = Arrays.copyOf(out, n * 2);
            out[n++] = p.getLongValue();
        }
        return Arrays.copyOf(out, n);
    }

    private static BigDecimal[] decimals(JsonParser p, JsonToken start) {
        if (start == JsonToken.VALUE_NULL) return new BigDecimal[0];
        ProfileJson.expect(p, start, JsonToken.START_ARRAY);
        java.util.List<BigDecimal> out = new java.util.ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) out.add(p.getDecimalValue());
        return out.toArray(BigDecimal[]::new);
    }

    private static BigDecimal decimal(JsonParser p, JsonToken t) {
        return t == JsonToken.VALUE_NULL ? null : p.getDecimalValue();
    }
}
