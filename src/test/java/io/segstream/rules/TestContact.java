package io.segstream.rules;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A contact for rule tests: plain fields, and event times computed by scanning its full event list. */
final class TestContact implements ContactFacts {

    record Event(String type, Instant at, Map<String, Value> properties) {}

    final Map<String, Value> attributes = new HashMap<>();
    final Set<String> tags = new HashSet<>();
    final Set<String> audiences = new HashSet<>();
    final Set<String> unsubscribed = new HashSet<>();
    final List<Event> events = new ArrayList<>();
    Instant createdAt;
    ZoneId zone = ZoneId.of("UTC");

    TestContact attr(String name, Value v) {
        attributes.put(name, v);
        return this;
    }

    TestContact created(Instant at) {
        createdAt = at;
        return this;
    }

    TestContact event(String type, Instant at, Map<String, Value> properties) {
        events.add(new Event(type, at, properties));
        return this;
    }

    @Override
    public Optional<Value> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    @Override
    public Optional<Instant> createdAt() {
        return Optional.ofNullable(createdAt);
    }

    @Override
    public boolean hasTag(String tag) {
        return tags.contains(tag);
    }

    @Override
    public boolean inAudience(String audience) {
        return audiences.contains(audience);
    }

    @Override
    public boolean subscribed(String channel) {
        return !unsubscribed.contains(channel);
    }

    @Override
    public EventTimes events(Signature signature) {
        List<Event> matching = new ArrayList<>();
        for (Event e : events) {
            if (signature.matches(e.type(), p -> Optional.ofNullable(e.properties().get(p)), zone)) matching.add(e);
        }
        matching.sort(java.util.Comparator.comparing(Event::at));
        long[] times = matching.stream().mapToLong(e -> EventTimes.micros(e.at())).toArray();
        if (signature.measured().isEmpty()) return new EventTimes(times.length, times);
        java.math.BigDecimal[] values = new java.math.BigDecimal[times.length];
        EventTimes.Totals totals = EventTimes.Totals.NONE;
        for (int i = 0; i < values.length; i++) {
            values[i] = ((Value.Num) matching.get(i).properties().get(signature.measured().get())).value();
            totals = totals.plus(values[i]);
        }
        return new EventTimes(times.length, times, times.length == 0 ? EventTimes.NO_TIME : times[0],
                times.length == 0 ? EventTimes.NO_TIME : times[times.length - 1], values, totals);
    }
}
