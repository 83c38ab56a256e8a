package io.segstream.rules;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which events a behavioural condition counts: a type and property filters. Contacts keep per-signature
 * state (a count and recent timestamps), so that conditions are answered without reading history.
 * {@link #key()} is stable: equal signatures have equal keys.
 */
public final class Signature {

    private final String type;
    private final List<Test> where;
    /** Computed once: behaviour lookups ask for it for every evaluated contact. */
    private final String key;

    public Signature(String type, List<Test> where) {
        this.type = Objects.requireNonNull(type, "type");
        this.where = List.copyOf(where);
        this.key = this.where.isEmpty() ? type
                : type + this.where.stream().map(Test::toString).sorted().collect(Collectors.joining(" && ", "[", "]"));
    }

    public String type() {
        return type;
    }

    public List<Test> where() {
        return where;
    }

    public String key() {
        return key;
    }

    /** Equal when they count the same events, whatever the order of their filters. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Signature other && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
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
