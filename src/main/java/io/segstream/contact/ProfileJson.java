package io.segstream.contact;

import io.segstream.rules.Value;
import io.segstream.rules.Instants;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stored form of a {@link Profile} ({@code contacts.state}, json). Short keys, since every contact
 * row carries them: {@code a} attributes, {@code tg} tags, {@code au} audiences, {@code ch} channels,
 * each {@code {"v": value|null, "t": occurredAt, "e": eventId}}; stamps {@code cr}, {@code fi},
 * {@code la}, {@code de} for created, first, latest and deleted.
 */
final class ProfileJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ProfileJson() {}

    /**
     * How the stored forms (state and behaviour) are printed: numbers in plain notation ({@code 1000}, never
     * {@code 1E+3}), as PostgreSQL printed them back when the columns were jsonb, so that a value reads back
     * exactly as it did then, whatever its scale.
     */
    static ObjectWriter storedForm(ObjectMapper json) {
        return json.writer().with(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN);
    }

    static ObjectNode write(Profile p) {
        ObjectNode root = NODES.objectNode();
        root.set("a", facts(p.attributes(), ProfileJson::valueNode));
        root.set("tg", facts(p.tags(), NODES::booleanNode));
        root.set("au", facts(p.audiences(), NODES::booleanNode));
        Map<String, Fact<Boolean>> channels = new HashMap<>();
        p.subscriptions().forEach((c, f) -> channels.put(c.wireName(), f));
        root.set("ch", facts(channels, NODES::booleanNode));
        stamp(root, "cr", p.created());
        stamp(root, "fi", p.first());
        stamp(root, "la", p.latest());
        stamp(root, "de", p.deleted());
        return root;
    }

    static Profile read(JsonNode root) {
        if (root == null || root.isEmpty()) return Profile.EMPTY;
        Map<String, Fact<Value>> attributes = readFacts(root.get("a"), ProfileJson::value);
        Map<String, Fact<Boolean>> tags = readFacts(root.get("tg"), JsonNode::booleanValue);
        Map<String, Fact<Boolean>> audiences = readFacts(root.get("au"), JsonNode::booleanValue);
        Map<Channel, Fact<Boolean>> subscriptions = new EnumMap<>(Channel.class);
        readFacts(root.get("ch"), JsonNode::booleanValue)
                .forEach((k, f) -> Channel.fromWire(k).ifPresent(c -> subscriptions.put(c, f)));
        return new Profile(attributes, tags, audiences, subscriptions,
                stamp(root.get("cr")), stamp(root.get("fi")), stamp(root.get("la")), stamp(root.get("de")));
    }

    private static <T> ObjectNode facts(Map<String, Fact<T>> facts, Function<T, JsonNode> values) {
        ObjectNode out = NODES.objectNode();
        facts.forEach((k, f) -> {
            ObjectNode n = NODES.objectNode();
            n.set("v", f.value() == null ? NODES.nullNode() : values.apply(f.value()));
            n.put("t", f.stamp().at().toString());
            n.put("e", f.stamp().eventId());
            out.set(k, n);
        });
        return out;
    }

    private static <T> Map<String, Fact<T>> readFacts(JsonNode node, Function<JsonNode, T> values) {
        Map<String, Fact<T>> out = new HashMap<>();
        if (node == null) return out;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            JsonNode n = e.getValue();
            JsonNode v = n.get("v");
            T value = v == null || v.isNull() ? null : values.apply(v);
            out.put(e.getKey(), new Fact<>(value, new Stamp(Instants.parse(n.get("t").stringValue()), n.get("e").stringValue())));
        }
        return out;
    }

    private static JsonNode valueNode(Value v) {
        return switch (v) {
            case Value.Text t -> NODES.stringNode(t.value());
            case Value.Num n -> NODES.numberNode(n.value());
            case Value.Bool b -> NODES.booleanNode(b.value());
            case Value.Other o -> throw new IllegalStateException("attributes are scalars");
        };
    }

    private static Value value(JsonNode n) {
        if (n.isString()) return new Value.Text(n.stringValue());
        if (n.isBoolean()) return new Value.Bool(n.booleanValue());
        return new Value.Num(n.decimalValue());
    }

    private static void stamp(ObjectNode root, String key, Stamp s) {
        if (s == null) return;
        ObjectNode n = NODES.objectNode();
        n.put("t", s.at().toString());
        n.put("e", s.eventId());
        root.set(key, n);
    }

    private static Stamp stamp(JsonNode n) {
        if (n == null || n.isNull()) return null;
        return new Stamp(Instants.parse(n.get("t").stringValue()), n.get("e").stringValue());
    }
}
