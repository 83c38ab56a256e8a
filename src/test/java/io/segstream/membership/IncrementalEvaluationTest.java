package io.segstream.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.contact.Behaviour;
import io.segstream.contact.ContactEvent;
import io.segstream.contact.EventProperties;
import io.segstream.contact.Profile;
import io.segstream.contact.ProfileEffect;
import io.segstream.contact.ProfileFacts;
import io.segstream.rules.Evaluator;
import io.segstream.rules.RecencyTest;
import io.segstream.rules.Rule;
import io.segstream.rules.RuleLimits;
import io.segstream.rules.RuleReader;
import io.segstream.rules.Signature;
import io.segstream.rules.Value;
import io.segstream.rules.Window;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Invariant: incremental evaluation (profiles folded and behaviour recorded event by event, in random
 * arrival order, then the compiled rule) equals a brute-force oracle that recomputes every rule from the
 * contact's full event list at the same {@code now}, and {@code nextChange} is never late: the oracle's
 * answer stays the current one at every sampled instant before it. Random contacts, event streams and
 * rules from the whole language (aggregates and first/last included, composed under and/or/not); a
 * failure prints its seed, rule and events.
 */
class IncrementalEvaluationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ZoneId ZONE = ZoneId.of("Europe/Paris");
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final String[] TYPES = {"review.left", "survey.answered", "message.opened"};

    record Ev(String id, String type, Instant at, ObjectNode properties) {}

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void incrementalEqualsRecomputation(long seed) {
        Random r = new Random(seed);
        List<String> rules = new ArrayList<>();
        for (int i = 0; i < 8; i++) rules.add(randomRule(r, 3));
        Map<String, Rule> parsed = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            RuleReader.Result res = RuleReader.read(JSON.readTree(rules.get(i)), "/rule", RuleLimits.DEFAULT);
            assertThat(res.problems()).as(rules.get(i)).isEmpty();
            parsed.put("s" + i, res.rule());
        }
        // One segment references another, to cover segments of segments.
        Rule withRef = new Rule.And(List.of(new Rule.SegmentRef("s0"), parsed.get("s1")));
        parsed.put("ref", withRef);
        Map<String, Evaluator> evaluators = new HashMap<>();
        Map<Signature, Duration> signatures = new HashMap<>();
        parsed.forEach((id, rule) -> {
            Evaluator e = Evaluator.compile(rule, parsed, ZONE);
            evaluators.put(id, e);
            e.inputs().signatures().forEach((s, d) -> signatures.merge(s, d, (a, b) -> a.compareTo(b) >= 0 ? a : b));
        });

        for (int contact = 0; contact < 10; contact++) {
            List<Ev> events = randomEvents(r, 1 + r.nextInt(14));
            List<Ev> arrival = new ArrayList<>(events);
            Collections.shuffle(arrival, r);
            // Incremental: as ingest does, one event at a time in arrival order, at increasing instants.
            Profile p = Profile.EMPTY;
            Behaviour b = Behaviour.EMPTY;
            List<Ev> seen = new ArrayList<>();
            for (int i = 0; i < arrival.size(); i++) {
                Ev e = arrival.get(i);
                Instant arrivalNow = NOW.minusSeconds(arrival.size() - i);
                seen.add(e);
                ContactEvent ce = contactEvent(e);
                if (p.canApplyWithoutHistory(ce) && !(ce.effect() instanceof ProfileEffect.Deleted)) {
                    p = p.apply(ce);
                    if (p.deleted() == null || ce.stamp().isAfter(p.deleted())) {
                        b = b.record(e.type(), e.at(), EventProperties.of(e.properties()), signatures, ZONE, arrivalNow);
                    }
                } else {
                    p = Profile.replay(seen.stream().map(IncrementalEvaluationTest::contactEvent).toList());
                    b = Behaviour.EMPTY;
                    for (Ev x : seen) {
                        if (p.deleted() == null || contactEvent(x).stamp().isAfter(p.deleted())) {
                            b = b.record(x.type(), x.at(), EventProperties.of(x.properties()), signatures, ZONE, arrivalNow);
                        }
                    }
                }
                b = b.prune(signatures, arrivalNow);
            }
            Oracle oracle = new Oracle(events);
            for (var entry : evaluators.entrySet()) {
                Rule rule = parsed.get(entry.getKey());
                Evaluator evaluator = entry.getValue();
                // From NOW on, as the timer worker does: prune, evaluate, ask for the next change, and jump
                // there. At every sampled instant before that next change the oracle's answer is the
                // current one (nextChange is never late), and at each jump incremental equals the oracle.
                Instant now = NOW;
                Behaviour state = b;
                for (int step = 0; step < 5; step++) {
                    state = state.prune(signatures, now);
                    ProfileFacts facts = new ProfileFacts(p, state);
                    boolean incremental = p.live() && evaluator.matches(facts, now);
                    boolean expected = oracle.live() && oracle.matches(rule, parsed, now);
                    assertThat(incremental).as("seed %d, segment %s = %s, now %s, events %s", seed, entry.getKey(), rule,
                            now, events).isEqualTo(expected);
                    Optional<Instant> next = evaluator.nextChange(facts, now);
                    Instant horizon = next.orElse(now.plus(Duration.ofDays(400)));
                    assertThat(horizon).as("seed %d, %s: nextChange after now", seed, rule).isAfter(now);
                    for (Instant t : samples(now, horizon, r)) {
                        assertThat(oracle.live() && oracle.matches(rule, parsed, t)).as(
                                "seed %d, segment %s = %s, answer at %s, predicted next change %s, sample %s, events %s",
                                seed, entry.getKey(), rule, now, next, t, events).isEqualTo(incremental);
                    }
                    if (next.isEmpty()) break;
                    now = next.get();
                }
            }
        }
    }

    /** {@code from}, the last microsecond before {@code toExclusive}, and random microseconds between. */
    private static List<Instant> samples(Instant from, Instant toExclusive, Random random) {
        List<Instant> out = new ArrayList<>();
        long span = Duration.between(from, toExclusive).toNanos() / 1000;
        out.add(from);
        if (span > 1) out.add(toExclusive.minusNanos(1000));
        for (int i = 0; i < 10 && span > 2; i++) out.add(from.plusNanos(1000 * (1 + (long) (random.nextDouble() * (span - 2)))));
        return out;
    }

    /**
     * Recomputes everything from the full event list, with none of the incremental code and none of the
     * production comparison code ({@link RuleSemantics} is the oracle's own reading of API.md).
     */
    static final class Oracle {
        final List<Ev> alive;
        final RuleSemantics semantics = new RuleSemantics(ZONE);

        Oracle(List<Ev> all) {
            Comparator<Ev> byStamp = Comparator.comparing(Ev::at).thenComparing(Ev::id);
            Ev lastDeletion = all.stream().filter(e -> e.type().equals("contact.deleted")).max(byStamp).orElse(null);
            alive = all.stream().filter(e -> lastDeletion == null || byStamp.compare(e, lastDeletion) > 0)
                    .sorted(byStamp).toList();
        }

        boolean live() {
            return !alive.isEmpty();
        }

        boolean matches(Rule rule, Map<String, Rule> segments) {
            return matches(rule, segments, NOW);
        }

        boolean matches(Rule rule, Map<String, Rule> segments, Instant now) {
            return switch (rule) {
                case Rule.And a -> a.rules().stream().allMatch(x -> matches(x, segments, now));
                case Rule.Or o -> o.rules().stream().anyMatch(x -> matches(x, segments, now));
                case Rule.Not n -> !matches(n.rule(), segments, now);
                case Rule.AttributeTest t -> semantics.test(t.test().op(), t.test().operand(), attribute(t.test().name()), now);
                case Rule.HasTag t -> latest("contact.tagged", "contact.untagged", "tag", t.tag());
                case Rule.InAudience a -> latest("audience.joined", "audience.left", "audience", a.audience());
                case Rule.Subscribed s -> {
                    Ev last = null;
                    for (Ev e : alive) {
                        if (!e.type().equals("contact.unsubscribed") && !e.type().equals("contact.resubscribed")) continue;
                        String ch = e.properties().get("channel").stringValue();
                        if (ch.equals("all") || ch.equals(s.channel())) last = e;
                    }
                    yield last == null || last.type().equals("contact.resubscribed");
                }
                case Rule.EventCondition c -> c.count().test(matching(c.signature(), c.within(), now).size());
                case Rule.EventAggregate a -> aggregate(a, now);
                case Rule.EventRecency r -> {
                    List<Ev> m = matching(r.signature(), new Window.AllTime(), now);
                    if (m.isEmpty()) yield false;
                    Instant at = r.recency().edge() == RecencyTest.Edge.LAST
                            ? m.stream().map(Ev::at).max(Comparator.naturalOrder()).orElseThrow()
                            : m.stream().map(Ev::at).min(Comparator.naturalOrder()).orElseThrow();
                    yield semantics.testDate(r.recency().op(), r.recency().operand(), at, now);
                }
                case Rule.SegmentRef ref -> matches(segments.get(ref.segmentId()), segments, now);
            };
        }

        private boolean aggregate(Rule.EventAggregate a, Instant now) {
            List<BigDecimal> values = new ArrayList<>();
            for (Ev e : matching(a.signature(), a.within(), now)) {
                JsonNode v = e.properties().get(a.aggregate().property());
                if (v != null && v.isNumber()) values.add(v.decimalValue());
            }
            if (values.isEmpty()) return false;
            BigDecimal sum = values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal x = switch (a.aggregate().fn()) {
                case SUM -> sum;
                case AVG -> sum.divide(BigDecimal.valueOf(values.size()), MathContext.DECIMAL128);
                case MIN -> values.stream().min(Comparator.naturalOrder()).orElseThrow();
                case MAX -> values.stream().max(Comparator.naturalOrder()).orElseThrow();
            };
            return semantics.test(a.aggregate().op(), a.aggregate().operand(), Optional.of(new Value.Num(x)), now);
        }

        /** The alive events of the signature's type that pass its filters and fall in the window at {@code now}. */
        private List<Ev> matching(Signature signature, Window window, Instant now) {
            List<Ev> out = new ArrayList<>();
            for (Ev e : alive) {
                if (!e.type().equals(signature.type())) continue;
                boolean ok = signature.where().stream()
                        .allMatch(t -> semantics.test(t.op(), t.operand(), property(e, t.name()), now));
                if (!ok) continue;
                boolean inWindow = switch (window) {
                    case Window.AllTime all -> true;
                    case Window.Last l -> !e.at().isBefore(now.minus(l.length())) && !e.at().isAfter(now);
                    case Window.Current cur -> semantics.period(cur.unit(), e.at()).equals(semantics.period(cur.unit(), now));
                    case Window.Previous prev ->
                            semantics.period(prev.unit(), e.at()).equals(semantics.previousPeriod(prev.unit(), now));
                };
                if (inWindow) out.add(e);
            }
            return out;
        }

        private static Optional<Value> property(Ev e, String name) {
            JsonNode v = e.properties().get(name);
            if (v == null || v.isNull()) return Optional.empty();
            if (v.isString()) return Optional.of(new Value.Text(v.stringValue()));
            if (v.isNumber()) return Optional.of(new Value.Num(v.decimalValue()));
            if (v.isBoolean()) return Optional.of(new Value.Bool(v.booleanValue()));
            return Optional.of(new Value.Other());
        }

        private boolean latest(String on, String off, String property, String name) {
            Ev last = null;
            for (Ev e : alive) {
                if ((e.type().equals(on) || e.type().equals(off)) && e.properties().get(property).stringValue().equals(name)) last = e;
            }
            return last != null && last.type().equals(on);
        }

        private Optional<Value> attribute(String name) {
            if (name.equals("createdAt")) {
                Ev created = alive.stream().filter(e -> e.type().equals("contact.created")).findFirst().orElse(alive.get(0));
                return Optional.of(new Value.Text(created.at().toString()));
            }
            Ev last = null;
            for (Ev e : alive) {
                if ((e.type().equals("contact.created") || e.type().equals("contact.updated"))
                        && e.properties().get("attributes").has(name)) last = e;
            }
            if (last == null) return Optional.empty();
            JsonNode v = last.properties().get("attributes").get(name);
            if (v.isNull()) return Optional.empty();
            if (v.isString()) return Optional.of(new Value.Text(v.stringValue()));
            if (v.isBoolean()) return Optional.of(new Value.Bool(v.booleanValue()));
            return Optional.of(new Value.Num(v.decimalValue()));
        }
    }

    static ContactEvent contactEvent(Ev e) {
        ProfileEffect effect = io.segstream.contact.EventEffects.parse(e.type(), e.properties()).effect();
        return new ContactEvent(e.id(), "c", e.type(), e.at(), effect);
    }

    static List<Ev> randomEvents(Random r, int n) {
        List<Ev> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant at = r.nextInt(10) == 0 ? NOW.plusSeconds(1 + r.nextInt(10 * 86400))
                    : NOW.minus(Duration.ofHours(r.nextInt(24 * 120))).plusSeconds(r.nextInt(3600));
            ObjectNode props = NODES.objectNode();
            String type;
            switch (r.nextInt(12)) {
                case 0 -> {
                    type = "contact.created";
                    props.set("attributes", randomAttributes(r, false));
                }
                case 1 -> {
                    type = "contact.updated";
                    props.set("attributes", randomAttributes(r, true));
                }
                case 2 -> {
                    type = r.nextBoolean() ? "contact.tagged" : "contact.untagged";
                    props.put("tag", "t" + r.nextInt(3));
                }
                case 3 -> {
                    type = r.nextBoolean() ? "audience.joined" : "audience.left";
                    props.put("audience", "a" + r.nextInt(2));
                }
                case 4 -> {
                    type = r.nextBoolean() ? "contact.unsubscribed" : "contact.resubscribed";
                    props.put("channel", List.of("email", "sms", "all").get(r.nextInt(3)));
                }
                case 5 -> type = r.nextInt(3) == 0 ? "contact.deleted" : "message.opened";
                default -> {
                    type = TYPES[r.nextInt(TYPES.length)];
                    props.put("rating", r.nextInt(6));
                    props.put("answer", r.nextBoolean() ? "YES" : "no");
                    switch (r.nextInt(6)) {
                        case 0 -> props.put("amount", "12"); // a string: not a number
                        case 1 -> {} // no amount
                        case 2 -> props.put("amount", BigDecimal.valueOf(r.nextInt(400), 1));
                        default -> props.put("amount", r.nextInt(120));
                    }
                }
            }
            out.add(new Ev("e" + i, type, at, props));
        }
        return out;
    }

    static ObjectNode randomAttributes(Random r, boolean nulls) {
        ObjectNode a = NODES.objectNode();
        for (int k = r.nextInt(3); k >= 0; k--) {
            switch (r.nextInt(nulls ? 5 : 4)) {
                case 0 -> a.put("plan", List.of("gold", "Silver", "bronze").get(r.nextInt(3)));
                case 1 -> a.put("score", BigDecimal.valueOf(r.nextInt(100), 1));
                case 2 -> a.put("vip", r.nextBoolean());
                case 3 -> a.put("seen", NOW.minus(Duration.ofDays(r.nextInt(60))).toString());
                default -> a.putNull(List.of("plan", "score", "vip", "seen").get(r.nextInt(4)));
            }
        }
        return a;
    }

    static String randomRule(Random r, int depth) {
        int kind = depth == 0 ? 3 + r.nextInt(7) : r.nextInt(10);
        if (kind < 8 && r.nextInt(3) == 0) kind = 8 + r.nextInt(2); // behavioural leaves more often
        return switch (kind) {
            case 0 -> "{\"and\":[" + randomRule(r, depth - 1) + "," + randomRule(r, depth - 1) + "]}";
            case 1 -> "{\"or\":[" + randomRule(r, depth - 1) + "," + randomRule(r, depth - 1) + "]}";
            case 2 -> "{\"not\":" + randomRule(r, depth - 1) + "}";
            case 3 -> "{\"tag\":\"t" + r.nextInt(3) + "\"}";
            case 4 -> "{\"audience\":\"a" + r.nextInt(2) + "\"}";
            case 5 -> "{\"subscribed\":\"" + (r.nextBoolean() ? "email" : "sms") + "\"}";
            case 6, 7 -> randomAttributeTest(r);
            case 8 -> randomEventCondition(r);
            case 9 -> r.nextBoolean() ? randomAggregate(r) : randomRecency(r);
            default -> throw new IllegalStateException();
        };
    }

    static String randomAttributeTest(Random r) {
        return switch (r.nextInt(12)) {
            case 0 -> "{\"attribute\":\"plan\",\"op\":\"eq\",\"value\":\"gold\"}";
            case 1 -> "{\"attribute\":\"plan\",\"op\":\"in\",\"value\":[\"gold\",\"bronze\"]}";
            case 2 -> "{\"attribute\":\"plan\",\"op\":\"startsWith\",\"value\":\"SIL\"}";
            case 3 -> "{\"attribute\":\"score\",\"op\":\"gte\",\"value\":" + r.nextInt(10) + "}";
            case 4 -> "{\"attribute\":\"score\",\"op\":\"between\",\"value\":[2,7.5]}";
            case 5 -> "{\"attribute\":\"vip\",\"op\":\"eq\",\"value\":true}";
            case 6 -> "{\"attribute\":\"seen\",\"op\":\"withinLast\",\"value\":\"" + (1 + r.nextInt(40)) + "d\"}";
            case 7 -> "{\"attribute\":\"createdAt\",\"op\":\"inCurrent\",\"value\":\""
                    + List.of("day", "week", "month", "quarter", "year").get(r.nextInt(5)) + "\"}";
            case 8 -> "{\"attribute\":\"createdAt\",\"op\":\"olderThan\",\"value\":\"" + (1 + r.nextInt(12)) + "w\"}";
            case 9 -> "{\"attribute\":\"phone\",\"op\":\"missing\"}";
            case 10 -> "{\"attribute\":\"createdAt\",\"op\":\"inPrevious\",\"value\":\"month\"}";
            default -> "{\"attribute\":\"plan\",\"op\":\"neq\",\"value\":\"gold\"}";
        };
    }

    static String randomEventCondition(Random r) {
        StringBuilder sb = new StringBuilder("{\"event\":\"").append(TYPES[r.nextInt(TYPES.length)]).append('"');
        if (r.nextBoolean()) sb.append(",\"where\":[{\"property\":\"rating\",\"op\":\"gte\",\"value\":").append(r.nextInt(6)).append("}]");
        if (r.nextBoolean()) sb.append(",\"count\":{\"op\":\"").append(List.of("gte", "lt", "eq").get(r.nextInt(3)))
                .append("\",\"value\":").append(r.nextInt(3)).append('}');
        switch (r.nextInt(4)) {
            case 0 -> sb.append(",\"within\":\"").append(1 + r.nextInt(60)).append("d\"");
            case 1 -> sb.append(",\"within\":{\"inCurrent\":\"").append(List.of("week", "month").get(r.nextInt(2))).append("\"}");
            case 2 -> sb.append(",\"within\":{\"inPrevious\":\"month\"}");
            default -> {}
        }
        return sb.append('}').toString();
    }

    static String randomFilter(Random r) {
        return r.nextBoolean() ? "" : ",\"where\":[{\"property\":\"rating\",\"op\":\"gte\",\"value\":" + r.nextInt(6) + "}]";
    }

    static String randomWithin(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> ",\"within\":\"" + (1 + r.nextInt(60)) + "d\"";
            case 1 -> ",\"within\":\"" + (1 + r.nextInt(48)) + "h\"";
            case 2 -> ",\"within\":{\"inCurrent\":\"" + List.of("day", "week", "month").get(r.nextInt(3)) + "\"}";
            case 3 -> ",\"within\":{\"inPrevious\":\"" + List.of("week", "month").get(r.nextInt(2)) + "\"}";
            default -> "";
        };
    }

    static String randomAggregate(Random r) {
        String fn = List.of("sum", "avg", "min", "max").get(r.nextInt(4));
        String test = switch (r.nextInt(5)) {
            case 0 -> "\"op\":\"gt\",\"value\":" + r.nextInt(150);
            case 1 -> "\"op\":\"gte\",\"value\":" + r.nextInt(150);
            case 2 -> "\"op\":\"lt\",\"value\":" + r.nextInt(100) + ".5";
            case 3 -> "\"op\":\"lte\",\"value\":" + r.nextInt(150);
            default -> {
                int lo = r.nextInt(100);
                yield "\"op\":\"between\",\"value\":[" + lo + "," + (lo + r.nextInt(100)) + "]";
            }
        };
        return "{\"event\":\"" + TYPES[r.nextInt(TYPES.length)] + "\"" + randomFilter(r)
                + ",\"aggregate\":{\"fn\":\"" + fn + "\",\"property\":\"amount\"," + test + "}" + randomWithin(r) + "}";
    }

    static String randomRecency(Random r) {
        String test = switch (r.nextInt(6)) {
            case 0 -> "\"op\":\"withinLast\",\"value\":\"" + (1 + r.nextInt(60)) + (r.nextBoolean() ? "d" : "h") + "\"";
            case 1 -> "\"op\":\"olderThan\",\"value\":\"" + (1 + r.nextInt(60)) + (r.nextBoolean() ? "d" : "h") + "\"";
            case 2 -> "\"op\":\"inCurrent\",\"value\":\"" + List.of("day", "week", "month", "quarter").get(r.nextInt(4)) + "\"";
            case 3 -> "\"op\":\"inPrevious\",\"value\":\"" + List.of("day", "week", "month").get(r.nextInt(3)) + "\"";
            case 4 -> "\"op\":\"before\",\"value\":\"" + NOW.minus(Duration.ofDays(r.nextInt(90))).atZone(ZONE).toLocalDate() + "\"";
            default -> "\"op\":\"after\",\"value\":\"" + NOW.minus(Duration.ofHours(r.nextInt(90 * 24))) + "\"";
        };
        return "{\"event\":\"" + TYPES[r.nextInt(TYPES.length)] + "\"" + randomFilter(r) + ",\""
                + (r.nextBoolean() ? "last" : "first") + "\":{" + test + "}}";
    }

    static List<Long> seeds() {
        List<Long> s = new ArrayList<>();
        for (long i = 1; i <= 150; i++) s.add(i * 15485863L);
        return s;
    }


}
