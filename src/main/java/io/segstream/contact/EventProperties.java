package io.segstream.contact;

import io.segstream.rules.Value;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/** An event's properties as rule values: strings, numbers and booleans; null is missing; the rest is {@link Value.Other}. */
public final class EventProperties {

    private EventProperties() {}

    public static Function<String, Optional<Value>> of(JsonNode properties) {
        return name -> {
            JsonNode v = properties == null ? null : properties.get(name);
            if (v == null || v.isNull()) return Optional.empty();
            if (v.isString()) return Optional.of(new Value.Text(v.stringValue()));
            if (v.isNumber()) return Optional.of(new Value.Num(v.decimalValue()));
            if (v.isBoolean()) return Optional.of(new Value.Bool(v.booleanValue()));
            return Optional.of(new Value.Other());
        };
    }
}
