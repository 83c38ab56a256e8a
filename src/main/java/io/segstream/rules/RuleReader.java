package io.segstream.rules;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Reads a rule from JSON and validates it, reporting every problem with a JSON pointer (for example
 * {@code /rule/and/1/op}) rather than stopping at the first. Enforces {@link RuleLimits}.
 */
public final class RuleReader {

    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,8})([smhdw])");
    private static final Pattern SEGMENT_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
    private static final Set<String> CHANNELS = Set.of("email", "sms");
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "and", Set.of("and"),
            "or", Set.of("or"),
            "not", Set.of("not"),
            "attribute", Set.of("attribute", "op", "value"),
            "tag", Set.of("tag"),
            "audience", Set.of("audience"),
            "subscribed", Set.of("subscribed"),
            "event", Set.of("event", "where", "count", "within", "aggregate", "last", "first"),
            "segment", Set.of("segment"));
    private static final List<String> KINDS = List.of("and", "or", "not", "attribute", "tag", "audience", "subscribed",
            "event", "segment");

    /** A reference to another segment and where it appears in the request. */
    public record Reference(String segmentId, String pointer) {}

    /** The rule when valid, else every problem found. */
    public record Result(Rule rule, List<Reference> references, List<Problem> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    private final RuleLimits limits;
    private final List<Problem> problems = new ArrayList<>();
    private final List<Reference> references = new ArrayList<>();
    private int nodes;
    private boolean tooManyNodesReported;

    private RuleReader(RuleLimits limits) {
        this.limits = limits;
    }

    /** Reads the rule at {@code pointer} (the pointer of {@code node} in the request). */
    public static Result read(JsonNode node, String pointer, RuleLimits limits) {
        RuleReader reader = new RuleReader(limits);
        Rule rule = reader.rule(node, pointer, 1);
        boolean valid = reader.problems.isEmpty();
        return new Result(valid ? rule : null, List.copyOf(reader.references), List.copyOf(reader.problems));
    }

    private Rule rule(JsonNode node, String at, int depth) {
        if (depth > limits.maxDepth()) {
            problem(at, "rules may nest at most " + limits.maxDepth() + " levels deep");
            return null;
        }
        if (++nodes > limits.maxNodes()) {
            if (!tooManyNodesReported) problem(at, "a rule may have at most " + limits.maxNodes() + " nodes");
            tooManyNodesReported = true;
            return null;
        }
        if (node == null || node.isNull()) {
            problem(at, "a rule is required");
            return null;
        }
        if (!node.isObject()) {
            problem(at, "a rule must be an object such as {\"tag\": \"vip\"}");
            return null;
        }
        List<String> kinds = KINDS.stream().filter(node::has).toList();
        if (kinds.size() != 1) {
            problem(at, kinds.isEmpty()
                    ? "a rule needs exactly one of " + String.join(", ", KINDS)
                    : "a rule has exactly one of " + String.join(", ", KINDS) + "; found " + String.join(", ", kinds));
            return null;
        }
        String kind = kinds.get(0);
        for (String field : node.propertyNames()) {
            if (!FIELDS.get(kind).contains(field)) problem(at + "/" + token(field), "unknown field in a " + kind + " rule");
        }
        return switch (kind) {
            case "and", "or" -> {
                List<Rule> children = children(node.get(kind), at + "/" + kind, depth);
                if (children == null) yield null;
                yield kind.equals("and") ? new Rule.And(children) : new Rule.Or(children);
            }
            case "not" -> {
                Rule child = rule(node.get("not"), at + "/not", depth + 1);
                yield child == null ? null : new Rule.Not(child);
            }
            case "attribute" -> {
                String name = string(node.get("attribute"), at + "/attribute");
                Test test = test(name, node, at, true);
                yield test == null ? null : new Rule.AttributeTest(test);
            }
            case "tag" -> {
                String tag = string(node.get("tag"), at + "/tag");
                yield tag == null ? null : new Rule.HasTag(tag);
            }
            case "audience" -> {
                String audience = string(node.get("audience"), at + "/audience");
                yield audience == null ? null : new Rule.InAudience(audience);
            }
            case "subscribed" -> {
                String channel = string(node.get("subscribed"), at + "/subscribed");
                if (channel != null && !CHANNELS.contains(channel)) {
                    problem(at + "/subscribed", "must be email or sms");
                    yield null;
                }
                yield channel == null ? null : new Rule.Subscribed(channel);
            }
            case "event" -> event(node, at);
            case "segment" -> {
                String id = string(node.get("segment"), at + "/segment");
                if (id != null && !SEGMENT_ID.matcher(id).matches()) {
                    problem(at + "/segment", "must be a segment id ([a-z0-9][a-z0-9-]{0,62})");
                    yield null;
                }
                if (id == null) yield null;
                references.add(new Reference(id, at + "/segment"));
                yield new Rule.SegmentRef(id);
            }
            default -> throw new IllegalStateException(kind);
        };
    }

    private List<Rule> children(JsonNode array, String at, int depth) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            problem(at, "must be a non-empty array of rules");
            return null;
        }
        if (array.size() > limits.maxListItems()) {
            problem(at, "may have at most " + limits.maxListItems() + " rules");
            return null;
        }
        List<Rule> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < array.size(); i++) {
            Rule r = rule(array.get(i), at + "/" + i, depth + 1);
            if (r == null) ok = false;
            else out.add(r);
        }
        return ok ? out : null;
    }

    private Rule event(JsonNode node, String at) {
        String type = string(node.get("event"), at + "/event");
        if (type != null && !EVENT_TYPE.matcher(type).matches()) {
            problem(at + "/event", "must be an event type (letters, digits and _ . : -)");
            type = null;
        }
        List<Test> where = new ArrayList<>();
        boolean ok = type != null;
        JsonNode w = node.get("where");
        if (w != null) {
            if (!w.isArray()) {
                problem(at + "/where", "must be an array of property tests");
                ok = false;
            } else if (w.size() > limits.maxListItems()) {
                problem(at + "/where", "may have at most " + limits.maxListItems() + " tests");
                ok = false;
            } else {
                for (int i = 0; i < w.size(); i++) {
                    String tat = at + "/where/" + i;
                    JsonNode t = w.get(i);
                    if (!t.isObject()) {
                        problem(tat, "must be an object {\"property\", \"op\", \"value\"}");
                        ok = false;
                        continue;
                    }
                    for (String field : t.propertyNames()) {
                        if (!Set.of("property", "op", "value").contains(field)) {
                            problem(tat + "/" + token(field), "unknown field in a property test");
                            ok = false;
                        }
                    }
                    if (++nodes > limits.maxNodes() && !tooManyNodesReported) {
                        problem(tat, "a rule may have at most " + limits.maxNodes() + " nodes");
                        tooManyNodesReported = true;
                    }
                    String property = string(t.get("property"), tat + "/property");
                    Test test = test(property, t, tat, false);
                    if (test == null) ok = false;
                    else where.add(test);
                }
            }
        }
        List<String> measures = MEASURES.stream().filter(node::has).toList();
        if (measures.size() > 1) {
            for (String extra : measures.subList(1, measures.size())) {
                problem(at + "/" + extra, measures.get(0) + " and " + extra + " cannot be combined: an event rule tests one of "
                        + "count (how many events match), aggregate (a number they carry) or first/last (when one occurred)");
            }
            return null;
        }
        if (node.has("aggregate")) {
            AggregateTest aggregate = aggregate(node.get("aggregate"), at + "/aggregate");
            Window within = new Window.AllTime();
            if (node.get("within") != null) within = window(node.get("within"), at + "/within");
            if (aggregate == null || within == null || !ok) return null;
            return new Rule.EventAggregate(new Signature(type, where), aggregate, within);
        }
        if (node.has("last") || node.has("first")) {
            String edge = node.has("last") ? "last" : "first";
            if (node.has("within")) {
                problem(at + "/within", "within does not apply to " + edge + ": its date test says when, for example "
                        + "{\"op\": \"withinLast\", \"value\": \"30d\"}");
                ok = false;
            }
            RecencyTest recency = recency(node.get(edge), at + "/" + edge,
                    edge.equals("last") ? RecencyTest.Edge.LAST : RecencyTest.Edge.FIRST);
            if (recency == null || !ok) return null;
            return new Rule.EventRecency(new Signature(type, where), recency);
        }
        CountTest count = CountTest.AT_LEAST_ONE;
        JsonNode c = node.get("count");
        if (c != null) {
            count = count(c, at + "/count");
            if (count == null) ok = false;
        }
        Window within = new Window.AllTime();
        JsonNode win = node.get("within");
        if (win != null) {
            within = window(win, at + "/within");
            if (within == null) ok = false;
        }
        return ok ? new Rule.EventCondition(new Signature(type, where), count, within) : null;
    }

    private static final List<String> MEASURES = List.of("count", "aggregate", "last", "first");
    private static final Set<Op> NUMBER_OPS = Set.of(Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN);

    private AggregateTest aggregate(JsonNode a, String at) {
        if (a == null || !a.isObject()) {
            problem(at, "must be an object {\"fn\": \"sum\", \"property\": \"amount\", \"op\": \"gte\", \"value\": 100}");
            return null;
        }
        boolean ok = true;
        for (String field : a.propertyNames()) {
            if (!Set.of("fn", "property", "op", "value").contains(field)) {
                problem(at + "/" + token(field), "unknown field in an aggregate");
                ok = false;
            }
        }
        JsonNode fnNode = a.get("fn");
        Optional<AggregateTest.Fn> fn = fnNode != null && fnNode.isString()
                ? AggregateTest.Fn.fromWire(fnNode.stringValue()) : Optional.empty();
        if (fn.isEmpty()) {
            problem(at + "/fn", "must be sum, avg, min or max");
            ok = false;
        }
        String property = string(a.get("property"), at + "/property");
        JsonNode opNode = a.get("op");
        Optional<Op> op = opNode != null && opNode.isString() ? Op.fromWire(opNode.stringValue()) : Optional.empty();
        if (op.isEmpty() || !NUMBER_OPS.contains(op.get())) {
            problem(at + "/op", "must be one of gt, gte, lt, lte, between");
            return null;
        }
        JsonNode v = a.get("value");
        Operand operand;
        if (op.get() == Op.BETWEEN) {
            if (v == null || !v.isArray() || v.size() != 2 || !isFiniteNumber(v.get(0)) || !isFiniteNumber(v.get(1))) {
                problem(at + "/value", "must be [low, high], two numbers");
                return null;
            }
            Value.Num lo = new Value.Num(new BigDecimal(v.get(0).asString()));
            Value.Num hi = new Value.Num(new BigDecimal(v.get(1).asString()));
            if (lo.value().compareTo(hi.value()) > 0) {
                problem(at + "/value", "low must not be greater than high");
                return null;
            }
            operand = new Operand.Range(lo, hi);
        } else {
            if (v == null || !isFiniteNumber(v)) {
                problem(at + "/value", "must be a number");
                return null;
            }
            operand = new Operand.Scalar(new Value.Num(new BigDecimal(v.asString())));
        }
        return ok && property != null ? new AggregateTest(fn.get(), property, op.get(), operand) : null;
    }

    private RecencyTest recency(JsonNode r, String at, RecencyTest.Edge edge) {
        if (r == null || !r.isObject()) {
            problem(at, "must be an object {\"op\": \"olderThan\", \"value\": \"90d\"}");
            return null;
        }
        boolean ok = true;
        for (String field : r.propertyNames()) {
            if (!Set.of("op", "value").contains(field)) {
                problem(at + "/" + token(field), "unknown field in a " + edge.wireName() + " test");
                ok = false;
            }
        }
        JsonNode opNode = r.get("op");
        Optional<Op> op = opNode != null && opNode.isString() ? Op.fromWire(opNode.stringValue()) : Optional.empty();
        if (op.isEmpty() || !RecencyTest.dateOp(op.get())) {
            problem(at + "/op", "must be one of withinLast, olderThan, inCurrent, inPrevious, before, after");
            return null;
        }
        Operand operand = operand(op.get(), r.get("value"), at + "/value");
        return ok && operand != null ? new RecencyTest(edge, op.get(), operand) : null;
    }

    private CountTest count(JsonNode c, String at) {
        if (!c.isObject()) {
            problem(at, "must be an object {\"op\": \"gte\", \"value\": 1}");
            return null;
        }
        Optional<Op> op = c.get("op") != null && c.get("op").isString() ? Op.fromWire(c.get("op").stringValue()) : Optional.empty();
        if (op.isEmpty() || !Set.of(Op.EQ, Op.NEQ, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN).contains(op.get())) {
            problem(at + "/op", "must be one of eq, neq, gt, gte, lt, lte, between");
            return null;
        }
        JsonNode v = c.get("value");
        if (op.get() == Op.BETWEEN) {
            if (v == null || !v.isArray() || v.size() != 2 || !isCount(v.get(0)) || !isCount(v.get(1))
                    || v.get(0).longValue() > v.get(1).longValue()) {
                problem(at + "/value", "must be [low, high], whole numbers with 0 <= low <= high");
                return null;
            }
            return new CountTest(Op.BETWEEN, v.get(0).longValue(), v.get(1).longValue());
        }
        if (!isCount(v)) {
            problem(at + "/value", "must be a whole number >= 0");
            return null;
        }
        return new CountTest(op.get(), v.longValue(), 0);
    }

    private static boolean isCount(JsonNode v) {
        return v != null && v.isNumber() && v.canConvertToExactIntegral() && v.canConvertToLong() && v.longValue() >= 0;
    }

    private Window window(JsonNode w, String at) {
        if (w.isString()) {
            Duration d = duration(w.stringValue());
            if (d == null) {
                problem(at, "must be a duration such as 90s, 15m, 12h, 30d, 8w, or {\"inCurrent\": \"month\"}");
                return null;
            }
            return new Window.Last(d, w.stringValue());
        }
        if (w.isObject() && w.size() == 1 && (w.has("inCurrent") || w.has("inPrevious"))) {
            String key = w.has("inCurrent") ? "inCurrent" : "inPrevious";
            JsonNode u = w.get(key);
            Optional<CalendarUnit> unit = u.isString() ? CalendarUnit.fromWire(u.stringValue()) : Optional.empty();
            if (unit.isEmpty()) {
                problem(at + "/" + key, "must be day, week, month, quarter or year");
                return null;
            }
            return key.equals("inCurrent") ? new Window.Current(unit.get()) : new Window.Previous(unit.get());
        }
        problem(at, "must be a duration such as 30d, or {\"inCurrent\": unit} or {\"inPrevious\": unit}");
        return null;
    }

    /** An attribute test ({@code attribute} true) or a property test of a where filter. */
    private Test test(String name, JsonNode node, String at, boolean attribute) {
        JsonNode opNode = node.get("op");
        Optional<Op> op = opNode != null && opNode.isString() ? Op.fromWire(opNode.stringValue()) : Optional.empty();
        if (op.isEmpty()) {
            problem(at + "/op", "must be one of eq, neq, in, notIn, contains, startsWith, endsWith, gt, gte, lt, lte, "
                    + "between, exists, missing, withinLast, olderThan, inCurrent, inPrevious, before, after");
            return null;
        }
        if (!attribute && op.get().timeRelative()) {
            problem(at + "/op", "time-relative operators are not available on event properties; use the event's within");
            return null;
        }
        Operand operand = operand(op.get(), node.get("value"), at + "/value");
        if (name == null || operand == null) return null;
        return new Test(name, op.get(), operand);
    }

    private Operand operand(Op op, JsonNode v, String at) {
        switch (op.kind()) {
            case NONE -> {
                if (v != null) {
                    problem(at, op.wireName() + " takes no value");
                    return null;
                }
                return new Operand.None();
            }
            case SCALAR -> {
                Value value = scalar(v, at);
                return value == null ? null : new Operand.Scalar(value);
            }
            case LIST -> {
                if (v == null || !v.isArray() || v.isEmpty()) {
                    problem(at, "must be a non-empty array");
                    return null;
                }
                if (v.size() > limits.maxListItems()) {
                    problem(at, "may have at most " + limits.maxListItems() + " items");
                    return null;
                }
                List<Value> values = new ArrayList<>();
                boolean ok = true;
                for (int i = 0; i < v.size(); i++) {
                    Value item = scalar(v.get(i), at + "/" + i);
                    if (item == null) {
                        ok = false;
                    } else if (!values.isEmpty() && !Comparisons.sameType(values.get(0), item)) {
                        problem(at + "/" + i, "all items must have the same type");
                        ok = false;
                    } else {
                        values.add(item);
                    }
                }
                return ok ? new Operand.Scalars(values) : null;
            }
            case TEXT -> {
                String s = string(v, at);
                return s == null ? null : new Operand.Scalar(new Value.Text(s));
            }
            case ORDERED -> {
                Value value = orderable(v, at);
                return value == null ? null : new Operand.Scalar(value);
            }
            case RANGE -> {
                if (v == null || !v.isArray() || v.size() != 2) {
                    problem(at, "must be [low, high]");
                    return null;
                }
                Value lo = orderable(v.get(0), at + "/0");
                Value hi = orderable(v.get(1), at + "/1");
                if (lo == null || hi == null) return null;
                Integer c = Comparisons.compare(lo, hi, ZoneOffset.UTC);
                if (c == null) {
                    problem(at, "low and high must both be numbers or both be dates");
                    return null;
                }
                if (c > 0) {
                    problem(at, "low must not be greater than high");
                    return null;
                }
                return new Operand.Range(lo, hi);
            }
            case LENGTH -> {
                String s = string(v, at);
                Duration d = s == null ? null : duration(s);
                if (s != null && d == null) problem(at, "must be a duration such as 90s, 15m, 12h, 30d or 8w");
                return d == null ? null : new Operand.Length(d, s);
            }
            case PERIOD -> {
                String s = string(v, at);
                Optional<CalendarUnit> unit = s == null ? Optional.empty() : CalendarUnit.fromWire(s);
                if (s != null && unit.isEmpty()) problem(at, "must be day, week, month, quarter or year");
                return unit.<Operand>map(Operand.Period::new).orElse(null);
            }
            case INSTANT -> {
                String s = string(v, at);
                if (s == null) return null;
                if (Value.parseInstant(s, ZoneOffset.UTC).isEmpty()) {
                    problem(at, "must be an ISO date or instant such as 2026-11-28 or 2026-11-28T10:00:00Z");
                    return null;
                }
                return new Operand.At(new Value.Text(s));
            }
        }
        throw new IllegalStateException(op.toString());
    }

    private Value scalar(JsonNode v, String at) {
        if (v == null || v.isNull()) {
            problem(at, "a value is required");
            return null;
        }
        if (v.isString()) {
            String s = v.stringValue();
            if (s.length() > limits.maxStringLength()) {
                problem(at, "must be at most " + limits.maxStringLength() + " characters");
                return null;
            }
            return new Value.Text(s);
        }
        if (v.isNumber()) return finiteNumber(v, at);
        if (v.isBoolean()) return new Value.Bool(v.booleanValue());
        problem(at, "must be a string, number or boolean");
        return null;
    }

    /**
     * A JSON number as a value. A literal beyond a double's range (such as {@code 1e400}) reads as an
     * infinite double, which has no decimal value: it is a problem at its pointer, not a failure.
     */
    private Value finiteNumber(JsonNode v, String at) {
        if (isFiniteNumber(v)) return new Value.Num(new BigDecimal(v.asString()));
        problem(at, "must be a finite number");
        return null;
    }

    private static boolean isFiniteNumber(JsonNode v) {
        return v != null && v.isNumber() && (!(v.isDouble() || v.isFloat()) || Double.isFinite(v.doubleValue()));
    }

    private Value orderable(JsonNode v, String at) {
        if (v != null && v.isNumber()) return finiteNumber(v, at);
        if (v != null && v.isString() && Value.parseInstant(v.stringValue(), ZoneOffset.UTC).isPresent()) {
            return new Value.Text(v.stringValue());
        }
        problem(at, "must be a number or an ISO date/instant");
        return null;
    }

    private String string(JsonNode v, String at) {
        if (v == null || v.isNull()) {
            problem(at, "is required");
            return null;
        }
        if (!v.isString()) {
            problem(at, "must be a string");
            return null;
        }
        String s = v.stringValue();
        if (s.isEmpty() || s.length() > limits.maxStringLength()) {
            problem(at, "must be 1-" + limits.maxStringLength() + " characters");
            return null;
        }
        return s;
    }

    static Duration duration(String s) {
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) return null;
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            case "w" -> Duration.ofDays(7 * n);
            default -> null;
        };
    }

    private void problem(String pointer, String message) {
        problems.add(new Problem(pointer, message));
    }

    private static String token(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
