package io.segstream.contact;

import io.segstream.platform.Json;
import io.segstream.rules.Instants;
import io.segstream.rules.Value;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.ObjectMapper;

/**
 * The stored form of a {@link Profile} ({@code contacts.state}, json). Short keys, since every contact
 * row carries them: {@code a} attributes, {@code tg} tags, {@code au} audiences, {@code ch} channels,
 * each {@code {"v": value|null, "t": occurredAt, "e": eventId}}; stamps {@code cr}, {@code fi},
 * {@code la}, {@code de} for created, first, latest and deleted.
 *
 * <p>Design note: written straight into text and read with a streaming parser, without a tree of nodes in
 * between: every contact a batch touches is read and written once, and building and printing those trees was
 * about a tenth of the service's CPU while ingesting (JFR). Numbers are printed in plain notation
 * ({@code 1000}, never {@code 1E+3}), as PostgreSQL printed them back when the column was jsonb, and read
 * back exactly as written.
 */
final class ProfileJson {

    private ProfileJson() {}

    static String write(Profile p) {
        StringBuilder out = new StringBuilder(256);
        out.append("{\"a\":");
        facts(out, p.attributes());
        out.append(",\"tg\":");
        facts(out, p.tags());
        out.append(",\"au\":");
        facts(out, p.audiences());
        out.append(",\"ch\":{");
        boolean first = true;
        for (Map.Entry<Channel, Fact<Boolean>> e : p.subscriptions().entrySet()) {
            if (!first) out.append(',');
            first = false;
            fact(out, e.getKey().wireName(), e.getValue());
        }
        out.append('}');
        stamp(out, "cr", p.created());
        stamp(out, "fi", p.first());
        stamp(out, "la", p.latest());
        stamp(out, "de", p.deleted());
        return out.append('}').toString();
    }

    /** The profile stored as {@code stored}; {@link Profile#EMPTY} for null or {@code {}}. */
    static Profile read(ObjectMapper json, String stored) {
        if (stored == null) return Profile.EMPTY;
        try (JsonParser p = json.createParser(stored)) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT);
            Map<String, Fact<Value>> attributes = Map.of();
            Map<String, Fact<Boolean>> tags = Map.of();
            Map<String, Fact<Boolean>> audiences = Map.of();
            Map<Channel, Fact<Boolean>> subscriptions = Map.of();
            Stamp created = null, first = null, latest = null, deleted = null;
            boolean any = false;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                any = true;
                switch (name) {
                    case "a" -> attributes = readFacts(p, value, false);
                    case "tg" -> tags = readFacts(p, value, true);
                    case "au" -> audiences = readFacts(p, value, true);
                    case "ch" -> {
                        Map<Channel, Fact<Boolean>> channels = new EnumMap<>(Channel.class);
                        ProfileJson.<Boolean>readFacts(p, value, true)
                                .forEach((k, f) -> Channel.fromWire(k).ifPresent(c -> channels.put(c, f)));
                        subscriptions = channels;
                    }
                    case "cr" -> created = stamp(p, value);
                    case "fi" -> first = stamp(p, value);
                    case "la" -> latest = stamp(p, value);
                    case "de" -> deleted = stamp(p, value);
                    default -> p.skipChildren();
                }
            }
            if (!any) return Profile.EMPTY;
            return new Profile(attributes, tags, audiences, subscriptions, created, first, latest, deleted);
        }
    }

    private static <T> void facts(StringBuilder out, Map<String, Fact<T>> facts) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Fact<T>> e : facts.entrySet()) {
            if (!first) out.append(',');
            first = false;
            fact(out, e.getKey(), e.getValue());
        }
        out.append('}');
    }

    private static void fact(StringBuilder out, String key, Fact<?> f) {
        Json.quote(out, key);
        out.append(":{\"v\":");
        switch (f.value()) {
            case null -> out.append("null");
            case Boolean b -> out.append(b.booleanValue());
            case Value.Text t -> Json.quote(out, t.value());
            case Value.Num n -> out.append(n.value().toPlainString());
            case Value.Bool b -> out.append(b.value());
            default -> throw new IllegalStateException("attributes are scalars");
        }
        Instants.append(out.append(",\"t\":\""), f.stamp().at()).append("\",\"e\":");
        Json.quote(out, f.stamp().eventId());
        out.append('}');
    }

    private static void stamp(StringBuilder out, String key, Stamp s) {
        if (s == null) return;
        Instants.append(out.append(",\"").append(key).append("\":{\"t\":\""), s.at()).append("\",\"e\":");
        Json.quote(out, s.eventId());
        out.append('}');
    }

    /** The facts of an object of them (the parser on its start); {@code flags} for tags, audiences and channels. */
    @SuppressWarnings("unchecked")
    private static <T> Map<String, Fact<T>> readFacts(JsonParser p, JsonToken start, boolean flags) {
        if (start == JsonToken.VALUE_NULL) return Map.of();
        expect(p, start, JsonToken.START_OBJECT);
        Map<String, Fact<T>> out = new HashMap<>();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String key = p.currentName();
            expect(p, p.nextToken(), JsonToken.START_OBJECT);
            Object value = null;
            String at = null, eventId = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "v" -> value = flags ? flag(p, t) : value(p, t);
                    case "t" -> at = p.getString();
                    case "e" -> eventId = p.getString();
                    default -> p.skipChildren();
                }
            }
            out.put(key, new Fact<>((T) value, new Stamp(Instants.parse(at), eventId)));
        }
        return out;
    }

    private static Boolean flag(JsonParser p, JsonToken t) {
        return switch (t) {
            case VALUE_NULL -> null;
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            default -> throw new IllegalStateException("Stored flag is not a boolean: " + t);
        };
    }

    private static Value value(JsonParser p, JsonToken t) {
        return switch (t) {
            case VALUE_NULL -> null;
            case VALUE_STRING -> new Value.Text(p.getString());
            case VALUE_TRUE -> new Value.Bool(true);
            case VALUE_FALSE -> new Value.Bool(false);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Value.Num(p.getDecimalValue());
            default -> throw new IllegalStateException("Stored attribute is not a scalar: " + t);
        };
    }

    private static Stamp stamp(JsonParser p, JsonToken start) {
        if (start == JsonToken.VALUE_NULL) return null;
        expect(p, start, JsonToken.START_OBJECT);
        String at = null, eventId = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "t" -> at = p.getString();
                case "e" -> eventId = p.getString();
                default -> p.skipChildren();
            }
        }
        return new Stamp(Instants.parse(at), eventId);
    }

    static void expect(JsonParser p, JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new IllegalStateException("Stored contact state: expected " + expected + " but found " + actual
                    + " at " + p.currentLocation());
        }
    }
}
