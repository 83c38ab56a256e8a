package io.segstream.contact;

import io.segstream.rules.Value;
import io.segstream.platform.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Reads what an event of a built-in type does to the profile from its {@code properties}, with a JSON
 * pointer (relative to the event) for every problem. Types without a built-in effect are behavioural.
 */
public final class EventEffects {

    public static final int MAX_KEY_LENGTH = 128;
    public static final int MAX_NAME_LENGTH = 256;
    public static final int MAX_TEXT_LENGTH = 4096;
    public static final int MAX_ATTRIBUTES = 200;
    /** Attributes the engine computes itself; events cannot set them. */
    public static final List<String> BUILT_IN_ATTRIBUTES = List.of("createdAt");

    private EventEffects() {}

    /** The effect, or the problems; {@code properties} is an object (possibly empty). */
    public record Parsed(ProfileEffect effect, List<FieldError> errors) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    public static Parsed parse(String type, JsonNode properties) {
        List<FieldError> errors = new ArrayList<>();
        ProfileEffect effect = switch (type) {
            case "contact.created" -> {
                JsonNode attrs = properties.get("attributes");
                Map<String, Optional<Value>> parsed =
                        attrs == null || attrs.isNull() ? Map.of() : attributes(attrs, errors);
                Map<String, Value> set = new LinkedHashMap<>();
                parsed.forEach((k, v) -> v.ifPresent(value -> set.put(k, value)));
                yield new ProfileEffect.Created(set);
            }
            case "contact.updated" -> {
                JsonNode attrs = properties.get("attributes");
                if (attrs == null || attrs.isNull()) {
                    errors.add(new FieldError("/properties/attributes", "is required for contact.updated"));
                    yield null;
                }
                yield new ProfileEffect.Updated(attributes(attrs, errors));
            }
            case "contact.tagged", "contact.untagged" -> {
                String tag = name(properties, "tag", errors);
                yield tag == null ? null : new ProfileEffect.Tagged(tag, type.equals("contact.tagged"));
            }
            case "audience.joined", "audience.left" -> {
                String audience = name(properties, "audience", errors);
                yield audience == null ? null : new ProfileEffect.AudienceMembership(audience, type.equals("audience.joined"));
            }
            case "contact.unsubscribed", "contact.resubscribed" -> {
                JsonNode ch = properties.get("channel");
                Optional<List<Channel>> channels =
                        ch != null && ch.isString() ? Channel.parseTarget(ch.stringValue()) : Optional.empty();
                if (channels.isEmpty()) {
                    errors.add(new FieldError("/properties/channel", "must be email, sms or all"));
                    yield null;
                }
                yield new ProfileEffect.Subscription(channels.get(), type.equals("contact.resubscribed"));
            }
            case "contact.deleted" -> new ProfileEffect.Deleted();
            default -> new ProfileEffect.Behavioural();
        };
        return new Parsed(errors.isEmpty() ? effect : null, List.copyOf(errors));
    }

    /**
     * The effect of an event read back from the log. Properties of erased events are gone; such events
     * precede a deletion and are ignored by the fold, so they count as behavioural.
     */
    public static ProfileEffect lenient(String type, JsonNode properties) {
        Parsed p = parse(type, properties);
        return p.valid() ? p.effect() : new ProfileEffect.Behavioural();
    }

    private static Map<String, Optional<Value>> attributes(JsonNode attrs, List<FieldError> errors) {
        String base = "/properties/attributes";
        if (!attrs.isObject()) {
            errors.add(new FieldError(base, "must be an object"));
            return Map.of();
        }
        if (attrs.size() > MAX_ATTRIBUTES) {
            errors.add(new FieldError(base, "must have at most " + MAX_ATTRIBUTES + " attributes"));
            return Map.of();
        }
        Map<String, Optional<Value>> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : attrs.properties()) {
            String key = e.getKey();
            String pointer = base + "/" + FieldError.token(key);
            if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
                errors.add(new FieldError(pointer, "attribute names are 1-" + MAX_KEY_LENGTH + " characters"));
                continue;
            }
            if (BUILT_IN_ATTRIBUTES.contains(key)) {
                errors.add(new FieldError(pointer, "'" + key + "' is computed by segstream and cannot be set"));
                continue;
            }
            JsonNode v = e.getValue();
            if (v.isNull()) {
                out.put(key, Optional.empty());
            } else if (v.isString()) {
                if (v.stringValue().length() > MAX_TEXT_LENGTH) {
                    errors.add(new FieldError(pointer, "must be at most " + MAX_TEXT_LENGTH + " characters"));
                } else {
                    out.put(key, Optional.of(new Value.Text(v.stringValue())));
                }
            } else if (v.isNumber()) {
                out.put(key, Optional.of(new Value.Num(v.decimalValue())));
            } else if (v.isBoolean()) {
                out.put(key, Optional.of(new Value.Bool(v.booleanValue())));
            } else {
                errors.add(new FieldError(pointer, "must be a string, number, boolean, ISO date or null"));
            }
        }
        return out;
    }

    private static String name(JsonNode properties, String field, List<FieldError> errors) {
        JsonNode v = properties.get(field);
        String pointer = "/properties/" + field;
        if (v == null || !v.isString()) {
            errors.add(new FieldError(pointer, "is required and must be a string"));
            return null;
        }
        String s = v.stringValue();
        if (s.isEmpty() || s.length() > MAX_NAME_LENGTH) {
            errors.add(new FieldError(pointer, "must be 1-" + MAX_NAME_LENGTH + " characters"));
            return null;
        }
        return s;
    }
}
