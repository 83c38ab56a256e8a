package io.segstream.rules;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded generator of valid rules covering every node, operator and operand shape, with names and
 * texts chosen to stress quoting (keywords in any case, spaces, quotes, backslashes, control
 * characters, surrogates, date- and number-like text).
 */
final class RandomRules {

    private static final String[] NAMES = {"createdAt", "rating", "site", "a.b", "x_1", "plan-tier", "ns:key", "Zoë",
        "and", "OR", "Not", "has", "In", "subscribed", "all", "ANY", "true", "False", "tag", "count", "last", "first",
        "within", "sum", "of", "between", "is", "first name", "\"quoted\"", "back\\slash", "tab\there", "line\nbreak",
        "\u0001ctl", "emoji \uD83D\uDE00", "lone \uD800", "\uDC00lone", "2026-01-01", "42", "-5", "30d", "_", "a-", "é", "\u2028"};
    private static final String[] TEXTS = {"", "YES", "referral", "@gmail.com", "a\"b", "\\", "x y", "2026-11-28",
        "2026-11-28T10:00:00Z", "30d", "1e5", "-0", "true", "\u0000", "\uD83D\uDE00", "\uDFFF\uD800", "ünï", "'single'"};
    private static final String[] DATES = {"2026-11-28", "2000-01-01", "2026-11-28T10:00:00Z", "2026-11-28T10:00:00.123Z",
        "2026-11-28T10:00+01:00", "2026-11-28t10:00:00z", "1970-01-01T00:00:00Z", "2030-02-28T23:59:59.999999999Z"};
    private static final String[] EVENT_TYPES = {"review.left", "survey.answered", "2fa.enabled", "all", "not", "a:b-c_d",
        "X", "count", "in", "_.-:"};
    private static final String[] SEGMENT_IDS = {"other-1", "in", "and", "all", "123", "a", "vip-buyers", "z-"};
    private static final Op[] COUNT_OPS = {Op.EQ, Op.NEQ, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN};

    private final Random random;
    private int budget;

    RandomRules(long seed) {
        this.random = new Random(seed);
    }

    /** A valid rule of at most {@code maxDepth} levels and about {@code maxNodes} nodes. */
    Rule rule(int maxDepth, int maxNodes) {
        budget = maxNodes;
        return rule(maxDepth);
    }

    private Rule rule(int depth) {
        budget--;
        int kind = depth <= 1 || budget <= 0 ? 3 + random.nextInt(6) : random.nextInt(9);
        return switch (kind) {
            case 0 -> new Rule.And(children(depth));
            case 1 -> new Rule.Or(children(depth));
            case 2 -> new Rule.Not(rule(depth - 1));
            case 3 -> new Rule.AttributeTest(test(pick(NAMES), true));
            case 4 -> new Rule.HasTag(pick(NAMES));
            case 5 -> random.nextBoolean() ? new Rule.InAudience(pick(NAMES)) : new Rule.Subscribed(random.nextBoolean() ? "email" : "sms");
            case 6 -> new Rule.SegmentRef(pick(SEGMENT_IDS));
            default -> event();
        };
    }

    private List<Rule> children(int depth) {
        int n = random.nextInt(6) == 0 ? 1 : 2 + random.nextInt(3);
        List<Rule> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(rule(depth - 1));
        return out;
    }

    private Rule event() {
        List<Test> where = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) where.add(test(pick(NAMES), false));
        Signature signature = new Signature(pick(EVENT_TYPES), where);
        switch (random.nextInt(4)) {
            case 0 -> {
                AggregateTest.Fn fn = AggregateTest.Fn.values()[random.nextInt(AggregateTest.Fn.values().length)];
                Op op = new Op[] {Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN}[random.nextInt(5)];
                Operand operand;
                if (op == Op.BETWEEN) {
                    Value.Num a = number(), b = number();
                    operand = a.value().compareTo(b.value()) <= 0 ? new Operand.Range(a, b) : new Operand.Range(b, a);
                } else {
                    operand = new Operand.Scalar(number());
                }
                return new Rule.EventAggregate(signature, new AggregateTest(fn, pick(NAMES), op, operand), window());
            }
            case 1 -> {
                Op op;
                do {
                    op = Op.values()[random.nextInt(Op.values().length)];
                } while (!RecencyTest.dateOp(op));
                Test dated = test("at", true, op);
                RecencyTest.Edge edge = random.nextBoolean() ? RecencyTest.Edge.LAST : RecencyTest.Edge.FIRST;
                return new Rule.EventRecency(signature, new RecencyTest(edge, op, dated.operand()));
            }
            default -> { }
        }
        CountTest count = CountTest.AT_LEAST_ONE;
        if (random.nextBoolean()) {
            Op op = COUNT_OPS[random.nextInt(COUNT_OPS.length)];
            long a = count(), b = count();
            count = op == Op.BETWEEN ? new CountTest(op, Math.min(a, b), Math.max(a, b)) : new CountTest(op, a, 0);
        }
        return new Rule.EventCondition(signature, count, window());
    }

    private Window window() {
        return switch (random.nextInt(4)) {
            case 0 -> new Window.AllTime();
            case 1 -> {
                String d = duration();
                yield new Window.Last(RuleReader.duration(d), d);
            }
            case 2 -> new Window.Current(unit());
            default -> new Window.Previous(unit());
        };
    }

    private long count() {
        return switch (random.nextInt(3)) {
            case 0 -> random.nextInt(5);
            case 1 -> random.nextInt(1000);
            default -> random.nextLong(Long.MAX_VALUE);
        };
    }

    private Test test(String name, boolean attribute) {
        Op op;
        do {
            op = Op.values()[random.nextInt(Op.values().length)];
        } while (!attribute && op.timeRelative());
        return test(name, attribute, op);
    }

    private Test test(String name, boolean attribute, Op op) {
        Operand operand = switch (op.kind()) {
            case NONE -> new Operand.None();
            case SCALAR -> new Operand.Scalar(scalar());
            case LIST -> {
                int kind = random.nextInt(3);
                List<Value> values = new ArrayList<>();
                int n = 1 + random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    values.add(kind == 0 ? new Value.Text(pick(TEXTS)) : kind == 1 ? number() : new Value.Bool(random.nextBoolean()));
                }
                yield new Operand.Scalars(values);
            }
            case TEXT -> new Operand.Scalar(new Value.Text(nonEmptyText()));
            case ORDERED -> new Operand.Scalar(random.nextBoolean() ? number() : new Value.Text(pick(DATES)));
            case RANGE -> {
                if (random.nextBoolean()) {
                    Value.Num a = number(), b = number();
                    yield a.value().compareTo(b.value()) <= 0 ? new Operand.Range(a, b) : new Operand.Range(b, a);
                }
                yield new Operand.Range(new Value.Text("2000-01-01"), new Value.Text(pick(new String[] {"2026-11-28", "2026-11-28T10:00:00Z"})));
            }
            case LENGTH -> {
                String d = duration();
                yield new Operand.Length(RuleReader.duration(d), d);
            }
            case PERIOD -> new Operand.Period(unit());
            case INSTANT -> new Operand.At(new Value.Text(pick(DATES)));
        };
        return new Test(name, op, operand);
    }

    private Value scalar() {
        return switch (random.nextInt(4)) {
            case 0 -> new Value.Text(pick(TEXTS));
            case 1 -> number();
            case 2 -> new Value.Bool(random.nextBoolean());
            default -> new Value.Text(pick(DATES));
        };
    }

    private String nonEmptyText() {
        String s = pick(TEXTS);
        return s.isEmpty() ? "x" : s;
    }

    private Value.Num number() {
        BigInteger unscaled = switch (random.nextInt(3)) {
            case 0 -> BigInteger.valueOf(random.nextInt(100) - 20);
            case 1 -> BigInteger.valueOf(random.nextLong());
            default -> new BigInteger(200, random).negate();
        };
        int scale = random.nextInt(4) == 0 ? random.nextInt(80) - 40 : random.nextInt(4);
        return new Value.Num(new BigDecimal(unscaled, scale));
    }

    private String duration() {
        String n = Integer.toString(1 + random.nextInt(random.nextBoolean() ? 100 : 999_999_999));
        return n + "smhdw".charAt(random.nextInt(5));
    }

    private CalendarUnit unit() {
        return CalendarUnit.values()[random.nextInt(CalendarUnit.values().length)];
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }
}
