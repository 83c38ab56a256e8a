package io.segstream.rules;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which events a behavioural condition counts: a type and property filters. Contacts keep per-signature
 * state (a count, the first and last occurredAt and recent timestamps), so that conditions are answered
 * without reading history. {@link #key()} is stable: equal signatures have equal keys.
 *
 * <p>A signature {@linkplain #measuring measuring} a property (used by aggregate rules) takes only the
 * matching events that hold a number in that property, and its state keeps those numbers as well.
 */
public final class Signature {

    private final String type;
    private final List<Test> where;
    private final String measured;
    /** Computed once: behaviour lookups ask for it for every evaluated contact. */
    private final String key;

    public Signature(String type, List<Test> where) {
        this(type, where, null);
    }

    private Signature(String type, List<Test> where, String measured) {
        this.type = Objects.requireNonNull(type, "type");
        this.where = List.copyOf(where);
        this.measured = measured;
        String events = this.where.isEmpty() ? type
                : type + this.where.stream().map(Test::toString).sorted().collect(Collectors.joining(" && ", "[", "]"));
        this.key = measured == null ? events : events + "#" + measured;
    }

    /** The same events, restricted to those holding a number in {@code property}, whose values are kept. */
    public Signature measuring(String property) {
        return new Signature(type, where, Objects.requireNonNull(property, "property"));
    }

    public String type() {
        return type;
    }

    public List<Test> where() {
        return where;
    }

    /** The property whose numbers this signature keeps, if it measures one. */
    public Optional<String> measured() {
        return Optional.ofNullable(measured);
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

    /**
     * Whether an event of {@code eventType} with these properties is counted (for a measuring signature:
     * and holds a number in the measured property).
     */
    public boolean matches(String eventType, Function<String, Optional<Value>> properties, java.time.ZoneId zone) {
        if (!type.equals(eventType)) return false;
        for (Test t : where) {
            if (!Comparisons.test(t.op(), t.operand(), properties.apply(t.name()), zone)) return false;
        }
        return measured == null || properties.apply(measured).orElse(null) instanceof Value.Num;
    }

    @Override
    public String toString() {
        return key();
    }
}
