package io.segstream.rules;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which events a behavioural condition counts: a type and property filters. Contacts keep per-signature
 * state (a count and recent timestamps), so that conditions are answered without reading history.
 * {@link #key()} is stable: equal signatures have equal keys.
 */
public record Signature(String type, List<Test> where) {

    public Signature {
        Objects.requireNonNull(type, "type");
        where = List.copyOf(where);
    }

    public String key() {
        return where.isEmpty() ? type
                : type + where.stream().map(Test::toString).sorted().collect(Collectors.joining(" && ", "[", "]"));
    }

    /** Whether an event of {@code eventType} with these properties is counted. */
    public boolean matches(String eventType, java.util.function.Function<String, java.util.Optional<Value>> properties,
            java.time.ZoneId zone) {
        if (!type.equals(eventType)) return false;
        for (Test t : where) {
            if (!Comparisons.test(t.op(), t.operand(), properties.apply(t.name()), zone)) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return key();
    }
}
