package io.segstream.contact;

import io.segstream.rules.EventTimes;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stored form of {@link Behaviour} ({@code contacts.behaviour}):
 * {@code {"<signature>": {"n": count, "t": [micros], "f": first, "l": last}}}, and for a signature
 * measuring a property also {@code "v": [number per kept time], "s": sum, "lo": min, "hi": max}.
 *
 * <p>State written before first and last were kept has no {@code f}/{@code l}: they are read from the
 * kept times. A segment whose rule needs them recomputes its signatures from the event log when it is
 * built, so no rule reads such a guess.
 */
final class BehaviourJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private BehaviourJson() {}

    static ObjectNode write(Behaviour b) {
        ObjectNode root = NODES.objectNode();
        b.bySignature().forEach((k, t) -> {
            ObjectNode n = NODES.objectNode();
            n.put("n", t.total());
            ArrayNode times = NODES.arrayNode();
            for (long x : t.times()) times.add(x);
            n.set("t", times);
            if (t.total() > 0) {
                n.put("f", t.first());
                n.put("l", t.last());
            }
            if (t.values().length > 0 || t.totals().sum() != null) {
                ArrayNode values = NODES.arrayNode();
                for (BigDecimal v : t.values()) values.add(v);
                n.set("v", values);
                n.put("s", t.totals().sum());
                n.put("lo", t.totals().min());
                n.put("hi", t.totals().max());
            }
            root.set(k, n);
        });
        return root;
    }

    static Behaviour read(JsonNode root) {
        if (root == null || root.isEmpty()) return Behaviour.EMPTY;
        Map<String, EventTimes> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            JsonNode node = e.getValue();
            JsonNode t = node.get("t");
            long[] times = new long[t == null ? 0 : t.size()];
            for (int i = 0; i < times.length; i++) times[i] = t.get(i).longValue();
            long total = node.get("n").longValue();
            EventTimes fromTimes = new EventTimes(total, times);
            long first = node.has("f") ? node.get("f").longValue() : fromTimes.first();
            long last = node.has("l") ? node.get("l").longValue() : fromTimes.last();
            JsonNode v = node.get("v");
            BigDecimal[] values = new BigDecimal[v == null ? 0 : v.size()];
            for (int i = 0; i < values.length; i++) values[i] = v.get(i).decimalValue();
            EventTimes.Totals totals = node.has("s") && !node.get("s").isNull()
                    ? new EventTimes.Totals(node.get("s").decimalValue(), node.get("lo").decimalValue(), node.get("hi").decimalValue())
                    : EventTimes.Totals.NONE;
            out.put(e.getKey(), new EventTimes(total, times, first, last, values, totals));
        }
        return new Behaviour(out);
    }
}
