package io.segstream.rules;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A rule compiled for one tenant (its time zone) with its segment references resolved. Answers
 * {@link #matches} and {@link #nextChange} for a contact at a given instant; never reads a clock.
 * Immutable and thread-safe.
 */
public final class Evaluator {

    private final Rule rule;
    private final Map<String, Rule> segments;
    private final ZoneId zone;
    private final Inputs inputs;
    private final Aggregates aggregates;

    private Evaluator(Rule rule, Map<String, Rule> segments, ZoneId zone) {
        this.rule = rule;
        this.segments = segments;
        this.zone = zone;
        this.aggregates = new Aggregates(zone);
        this.inputs = collectInputs();
    }

    /**
     * Compiles {@code rule}. {@code segmentRules} must hold every segment it references, directly or
     * transitively, and they must not form a cycle ({@link SegmentGraph#check}).
     */
    public static Evaluator compile(Rule rule, Map<String, Rule> segmentRules, ZoneId zone) {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(zone, "zone");
        Map<String, Rule> needed = new LinkedHashMap<>();
        collectReferenced(rule, segmentRules, needed, new HashSet<>());
        return new Evaluator(rule, Map.copyOf(needed), zone);
    }

    private static void collectReferenced(Rule rule, Map<String, Rule> all, Map<String, Rule> out, Set<String> path) {
        for (String id : SegmentGraph.references(rule)) {
            if (!path.add(id)) throw new IllegalArgumentException("segment references form a cycle through " + id);
            Rule r = all.get(id);
            if (r == null) throw new IllegalArgumentException("unknown segment " + id);
            out.put(id, r);
            collectReferenced(r, all, out, path);
            path.remove(id);
        }
    }

    public Rule rule() {
        return rule;
    }

    public Inputs inputs() {
        return inputs;
    }

    public boolean matches(ContactFacts contact, Instant now) {
        return matches(rule, contact, now);
    }

    /** Receives every node of an annotated evaluation ({@link #matches(ContactFacts, Instant, Listener)}). */
    @FunctionalInterface
    public interface Listener {
        /** One node's result and what it observed; called for children before their parent. */
        void evaluated(Rule node, boolean result, Seen saw);
    }

    /**
     * {@link #matches}, reporting every node of the rule to {@code listener}: and/or evaluate all their
     * children instead of stopping at the first that decides, so that each node has a result. Leaves are
     * answered by the same evaluation as {@link #matches}; a segment reference is one node (its segment's
     * rule is not reported).
     */
    public boolean matches(ContactFacts contact, Instant now, Listener listener) {
        return annotated(rule, contact, now, Objects.requireNonNull(listener, "listener"));
    }

    private boolean annotated(Rule r, ContactFacts c, Instant now, Listener listener) {
        boolean result;
        if (r instanceof Rule.And and) {
            result = true;
            for (Rule child : and.rules()) result &= annotated(child, c, now, listener);
        } else if (r instanceof Rule.Or or) {
            result = false;
            for (Rule child : or.rules()) result |= annotated(child, c, now, listener);
        } else if (r instanceof Rule.Not not) {
            result = !annotated(not.rule(), c, now, listener);
        } else {
            result = matches(r, c, now);
        }
        listener.evaluated(r, result, seen(r, c, now));
        return result;
    }

    /** What a node reads of the contact, for explanations. */
    private Seen seen(Rule r, ContactFacts c, Instant now) {
        return switch (r) {
            case Rule.And and -> Seen.NOTHING;
            case Rule.Or or -> Seen.NOTHING;
            case Rule.Not not -> Seen.NOTHING;
            case Rule.AttributeTest a -> new Seen.Attribute(attribute(a.test().name(), c));
            case Rule.HasTag t -> new Seen.Flag(c.hasTag(t.tag()));
            case Rule.InAudience a -> new Seen.Flag(c.inAudience(a.audience()));
            case Rule.Subscribed s -> new Seen.Flag(c.subscribed(s.channel()));
            case Rule.EventCondition e -> new Seen.Count(count(c.events(e.signature()), e.within(), now));
            case Rule.EventAggregate e -> new Seen.Aggregate(aggregates.value(e.aggregate(), c.events(measuring(e)), e.within(), now));
            case Rule.EventRecency e -> {
                long at = edge(c.events(e.signature()), e.recency());
                yield new Seen.Occurred(at == EventTimes.NO_TIME ? Optional.empty() : Optional.of(EventTimes.instant(at)));
            }
            case Rule.SegmentRef s -> new Seen.Flag(matches(segments.get(s.segmentId()), c, now));
        };
    }

    /**
     * The earliest instant after {@code now} at which {@link #matches} may answer differently with no
     * new event, or empty if it cannot. It may be earlier than the actual change (re-evaluating then
     * finds no change and asks again), never later.
     */
    public Optional<Instant> nextChange(ContactFacts contact, Instant now) {
        return nextChange(rule, contact, now);
    }

    private boolean matches(Rule r, ContactFacts c, Instant now) {
        return switch (r) {
            case Rule.And and -> {
                for (Rule child : and.rules()) if (!matches(child, c, now)) yield false;
                yield true;
            }
            case Rule.Or or -> {
                for (Rule child : or.rules()) if (matches(child, c, now)) yield true;
                yield false;
            }
            case Rule.Not not -> !matches(not.rule(), c, now);
            case Rule.AttributeTest a -> Comparisons.test(a.test().op(), a.test().operand(), attribute(a.test().name(), c), zone, now);
            case Rule.HasTag t -> c.hasTag(t.tag());
            case Rule.InAudience a -> c.inAudience(a.audience());
            case Rule.Subscribed s -> c.subscribed(s.channel());
            case Rule.EventCondition e -> e.count().test(count(c.events(e.signature()), e.within(), now));
            case Rule.EventAggregate e -> aggregates.matches(e.aggregate(), c.events(measuring(e)), e.within(), now);
            case Rule.EventRecency e -> {
                long at = edge(c.events(e.signature()), e.recency());
                yield at != EventTimes.NO_TIME
                        && Comparisons.testInstant(e.recency().op(), e.recency().operand(), EventTimes.instant(at), zone, now);
            }
            case Rule.SegmentRef s -> matches(segments.get(s.segmentId()), c, now);
        };
    }

    private Optional<Instant> nextChange(Rule r, ContactFacts c, Instant now) {
        return switch (r) {
            case Rule.And and -> earliest(and.rules(), c, now);
            case Rule.Or or -> earliest(or.rules(), c, now);
            case Rule.Not not -> nextChange(not.rule(), c, now);
            case Rule.AttributeTest a ->
                    Comparisons.nextChange(a.test().op(), a.test().operand(), attribute(a.test().name(), c), zone, now);
            case Rule.HasTag t -> Optional.empty();
            case Rule.InAudience a -> Optional.empty();
            case Rule.Subscribed s -> Optional.empty();
            case Rule.EventCondition e -> nextCountChange(c.events(e.signature()), e.within(), now);
            case Rule.EventAggregate e -> aggregates.nextChange(e.aggregate(), c.events(measuring(e)), e.within(), now);
            case Rule.EventRecency e -> {
                long at = edge(c.events(e.signature()), e.recency());
                yield at == EventTimes.NO_TIME ? Optional.empty()
                        : Comparisons.nextChangeAt(e.recency().op(), e.recency().operand(), EventTimes.instant(at), zone, now);
            }
            case Rule.SegmentRef s -> nextChange(segments.get(s.segmentId()), c, now);
        };
    }

    private Optional<Instant> earliest(Iterable<Rule> rules, ContactFacts c, Instant now) {
        Instant best = null;
        for (Rule child : rules) {
            Optional<Instant> n = nextChange(child, c, now);
            if (n.isPresent() && (best == null || n.get().isBefore(best))) best = n.get();
        }
        return Optional.ofNullable(best);
    }

    /** The state an aggregate rule reads: its events' signature measuring the aggregated property. */
    private static Signature measuring(Rule.EventAggregate e) {
        return e.signature().measuring(e.aggregate().property());
    }

    /** Micros of the first or last matching event, or {@link EventTimes#NO_TIME}. */
    private static long edge(EventTimes events, RecencyTest recency) {
        if (events.total() == 0) return EventTimes.NO_TIME;
        return recency.edge() == RecencyTest.Edge.LAST ? events.last() : events.first();
    }

    private static Optional<Value> attribute(String name, ContactFacts c) {
        if (name.equals("createdAt")) return c.createdAt().map(t -> new Value.Text(Instants.append(new StringBuilder(32), t).toString()));
        return c.attribute(name);
    }

    /** How many of the events fall in the window at {@code now}. */
    long count(EventTimes events, Window window, Instant now) {
        long nowMicros = EventTimes.micros(now);
        return switch (window) {
            case Window.AllTime a -> events.total();
            case Window.Last l -> events.countBetween(EventTimes.micros(now.minus(l.length())), nowMicros);
            case Window.Current cur -> events.countBetween(
                    EventTimes.micros(cur.unit().start(now, zone)), EventTimes.micros(cur.unit().nextStart(now, zone)) - 1);
            case Window.Previous p -> events.countBetween(
                    EventTimes.micros(p.unit().previousStart(now, zone)), EventTimes.micros(p.unit().start(now, zone)) - 1);
        };
    }

    private Optional<Instant> nextCountChange(EventTimes events, Window window, Instant now) {
        long nowMicros = EventTimes.micros(now);
        long[] times = events.times();
        return switch (window) {
            case Window.AllTime a -> Optional.empty();
            case Window.Last l -> {
                long reach = EventTimes.micros(now.minus(l.length()));
                int firstInWindow = events.lowerBound(reach);
                Instant best = null;
                if (firstInWindow < times.length && times[firstInWindow] <= nowMicros) {
                    // The oldest event in the window leaves first.
                    best = EventTimes.instant(times[firstInWindow]).plus(l.length()).plus(Comparisons.STEP);
                }
                int firstFuture = events.lowerBound(nowMicros + 1);
                if (firstFuture < times.length) {
                    Instant enters = EventTimes.instant(times[firstFuture]);
                    if (best == null || enters.isBefore(best)) best = enters;
                }
                yield Optional.ofNullable(best);
            }
            case Window.Current cur -> {
                // Events of this period leave at the boundary; a later event enters when its period starts.
                Instant boundary = cur.unit().nextStart(now, zone);
                long from = EventTimes.micros(cur.unit().start(now, zone));
                if (events.countBetween(from, EventTimes.micros(boundary) - 1) > 0) yield Optional.of(boundary);
                yield firstFrom(events, boundary).map(t -> cur.unit().start(t, zone));
            }
            case Window.Previous p -> {
                // Events of the previous period leave and those of this one arrive at the boundary; a later
                // event arrives when the period after its own starts.
                Instant boundary = p.unit().nextStart(now, zone);
                long from = EventTimes.micros(p.unit().previousStart(now, zone));
                if (events.countBetween(from, EventTimes.micros(boundary) - 1) > 0) yield Optional.of(boundary);
                yield firstFrom(events, boundary).map(t -> p.unit().nextStart(t, zone));
            }
        };
    }

    /** The first kept event time at or after {@code from}. */
    private static Optional<Instant> firstFrom(EventTimes events, Instant from) {
        int i = events.lowerBound(EventTimes.micros(from));
        return i < events.times().length ? Optional.of(EventTimes.instant(events.times()[i])) : Optional.empty();
    }

    private Inputs collectInputs() {
        Set<String> attributes = new HashSet<>();
        boolean[] createdAt = {false};
        Set<String> tags = new HashSet<>();
        Set<String> audiences = new HashSet<>();
        Set<String> channels = new HashSet<>();
        Map<Signature, Duration> signatures = new HashMap<>();
        boolean[] time = {false};
        Set<String> seen = new HashSet<>();
        java.util.ArrayDeque<Rule> todo = new java.util.ArrayDeque<>();
        todo.add(rule);
        while (!todo.isEmpty()) {
            Rule node = todo.pop();
            todo.addAll(node.children());
            switch (node) {
                case Rule.And and -> {}
                case Rule.Or or -> {}
                case Rule.Not not -> {}
                case Rule.AttributeTest a -> {
                    if (a.test().name().equals("createdAt")) createdAt[0] = true;
                    else attributes.add(a.test().name());
                    if (a.test().op().timeRelative()) time[0] = true;
                }
                case Rule.HasTag t -> tags.add(t.tag());
                case Rule.InAudience a -> audiences.add(a.audience());
                case Rule.Subscribed s -> channels.add(s.channel());
                case Rule.EventCondition e -> {
                    Duration reach = e.within().reach();
                    if (reach != null) time[0] = true;
                    Duration r = reach == null ? Duration.ZERO : reach;
                    signatures.merge(e.signature(), r, (x, y) -> x.compareTo(y) >= 0 ? x : y);
                }
                case Rule.EventAggregate e -> {
                    Duration reach = e.within().reach();
                    if (reach != null) time[0] = true;
                    signatures.merge(measuring(e), reach == null ? Duration.ZERO : reach,
                            (x, y) -> x.compareTo(y) >= 0 ? x : y);
                }
                case Rule.EventRecency e -> {
                    if (e.recency().op().timeRelative()) time[0] = true;
                    // first and last are kept whatever the reach; no timestamps are needed.
                    signatures.merge(e.signature(), Duration.ZERO, (x, y) -> x.compareTo(y) >= 0 ? x : y);
                }
                case Rule.SegmentRef s -> {
                    if (seen.add(s.segmentId())) todo.add(segments.get(s.segmentId()));
                }
            }
        }
        return new Inputs(attributes, createdAt[0], tags, audiences, channels, signatures, seen, time[0]);
    }

    @Override
    public String toString() {
        return rule.toString();
    }
}
