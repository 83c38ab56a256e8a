package io.segstream.contact;

import io.segstream.rules.EventTimes;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Stored form of {@link Behaviour} ({@code contacts.behaviour}): {@code {"<signature>": {"n": count, "t": [micros]}}}. */
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
            root.set(k, n);
        });
        return root;
    }

    static Behaviour read(JsonNode root) {
        if (root == null || root.isEmpty()) return Behaviour.EMPTY;
        Map<String, EventTimes> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            JsonNode t = e.getValue().get("t");
            long[] times = new long[t == null ? 0 : t.size()];
            for (int i = 0; i < times.length; i++) times[i] = t.get(i).longValue();
            out.put(e.getKey(), new EventTimes(e.getValue().get("n").longValue(), times));
        }
        return new Behaviour(out);
    }
}
