package io.segstream.rules;

import java.math.BigDecimal;

/**
 * Prints a rule in its canonical readable form: one space between words, parentheses only where the
 * precedence of {@code not} over {@code and} over {@code or} needs them, names bare unless they must
 * be quoted, defaults ({@code count >= 1}, all time) left out. Filters keep the order they were written in.
 */
final class RuleTextPrinter {

    private static final int TOP = 0;
    private static final int OR_OPERAND = 1;
    private static final int AND_OPERAND = 2;

    private final StringBuilder out = new StringBuilder();

    private RuleTextPrinter() {}

    static String print(Rule rule) {
        RuleTextPrinter printer = new RuleTextPrinter();
        printer.rule(rule, TOP);
        return printer.out.toString();
    }

    private void rule(Rule rule, int level) {
        switch (rule) {
            case Rule.And and -> group(and.rules(), "all", " and ", level >= AND_OPERAND, AND_OPERAND);
            case Rule.Or or -> group(or.rules(), "any", " or ", level >= OR_OPERAND, OR_OPERAND);
            case Rule.Not not -> {
                out.append("not ");
                rule(not.rule(), AND_OPERAND);
            }
            case Rule.AttributeTest a -> test(a.test());
            case Rule.HasTag t -> name(out.append("has tag "), t.tag());
            case Rule.InAudience a -> name(out.append("in audience "), a.audience());
            case Rule.Subscribed s -> name(out.append("subscribed to "), s.channel());
            case Rule.SegmentRef s -> name(out.append("in segment "), s.segmentId());
            case Rule.EventCondition e -> event(e);
            case Rule.EventAggregate e -> {
                events(e.signature());
                AggregateTest a = e.aggregate();
                name(out.append(' ').append(a.fn().wireName()).append(" of "), a.property()).append(' ');
                operation(a.op(), a.operand());
                window(e.within());
            }
            case Rule.EventRecency e -> {
                events(e.signature());
                out.append(' ').append(e.recency().edge().wireName()).append(' ');
                operation(e.recency().op(), e.recency().operand());
            }
        }
    }

    private void group(java.util.List<Rule> rules, String single, String joiner, boolean parenthesize, int operandLevel) {
        if (rules.size() == 1) {
            out.append(single).append('(');
            rule(rules.get(0), TOP);
            out.append(')');
            return;
        }
        if (parenthesize) out.append('(');
        for (int i = 0; i < rules.size(); i++) {
            if (i > 0) out.append(joiner);
            rule(rules.get(i), operandLevel);
        }
        if (parenthesize) out.append(')');
    }

    private void events(Signature signature) {
        name(out, signature.type());
        out.append('(');
        for (int i = 0; i < signature.where().size(); i++) {
            if (i > 0) out.append(", ");
            test(signature.where().get(i));
        }
        out.append(')');
    }

    private void event(Rule.EventCondition e) {
        events(e.signature());
        CountTest count = e.count();
        if (!count.equals(CountTest.AT_LEAST_ONE)) {
            out.append(" count ");
            if (count.op() == Op.BETWEEN) out.append("between ").append(count.value()).append(" and ").append(count.high());
            else out.append(operator(count.op())).append(' ').append(count.value());
        }
        window(e.within());
    }

    private void window(Window within) {
        switch (within) {
            case Window.AllTime a -> { }
            case Window.Last l -> out.append(" within ").append(l.text());
            case Window.Current c -> out.append(" in current ").append(c.unit().wireName());
            case Window.Previous p -> out.append(" in previous ").append(p.unit().wireName());
        }
    }

    private void test(Test test) {
        name(out, test.name());
        out.append(' ');
        operation(test.op(), test.operand());
    }

    /** An operator and its operand: {@code >= 4}, {@code between 1 and 3}, {@code older than 90d}. */
    private void operation(Op op, Operand operand) {
        out.append(operator(op));
        switch (operand) {
            case Operand.None n -> { }
            case Operand.Scalar s -> value(out.append(' '), s.value());
            case Operand.Scalars s -> {
                out.append(" [");
                for (int i = 0; i < s.values().size(); i++) {
                    if (i > 0) out.append(", ");
                    value(out, s.values().get(i));
                }
                out.append(']');
            }
            case Operand.Range r -> value(value(out.append(' '), r.low()).append(" and "), r.high());
            case Operand.Length l -> out.append(' ').append(l.text());
            case Operand.Period p -> out.append(' ').append(p.unit().wireName());
            case Operand.At a -> value(out.append(' '), a.when());
        }
    }

    /** How an operator is written (also used in "did you mean" suggestions). */
    static String operator(Op op) {
        return switch (op) {
            case EQ -> "=";
            case NEQ -> "!=";
            case IN -> "in";
            case NOT_IN -> "not in";
            case CONTAINS -> "contains";
            case STARTS_WITH -> "starts with";
            case ENDS_WITH -> "ends with";
            case GT -> ">";
            case GTE -> ">=";
            case LT -> "<";
            case LTE -> "<=";
            case BETWEEN -> "between";
            case EXISTS -> "exists";
            case MISSING -> "is missing";
            case WITHIN_LAST -> "within last";
            case OLDER_THAN -> "older than";
            case IN_CURRENT -> "in current";
            case IN_PREVIOUS -> "in previous";
            case BEFORE -> "before";
            case AFTER -> "after";
        };
    }

    static StringBuilder value(StringBuilder out, Value value) {
        return switch (value) {
            case Value.Text t -> RuleTextLexer.classify(t.value()) == RuleTextLexer.Kind.DATE ? out.append(t.value())
                    : quote(out, t.value());
            case Value.Num n -> out.append(number(n.value()));
            case Value.Bool b -> out.append(b.value());
            case Value.Other o -> throw new IllegalArgumentException("a rule holds no object values");
        };
    }

    /**
     * The number with its scale, as {@link BigDecimal#toString()} writes it (plain, or with an exponent
     * when far from zero): reading it gives back the same digits and scale. Design note: the scale is
     * kept because event filters compare by their printed form ({@link Signature#key()}), where
     * {@code 4.0} and {@code 4} differ.
     */
    static String number(BigDecimal n) {
        return n.toString();
    }

    static StringBuilder name(StringBuilder out, String name) {
        return bare(name) ? out.append(name) : quote(out, name);
    }

    /** Whether {@code name} can be written without quotes. */
    static boolean bare(String name) {
        if (name.isEmpty() || !RuleTextLexer.identifierStart(name.charAt(0))) return false;
        for (int i = 1; i < name.length(); i++) if (!RuleTextLexer.identifierPart(name.charAt(i))) return false;
        return !RuleTextParser.RESERVED.contains(RuleTextLexer.keyword(name));
    }

    static StringBuilder quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    boolean loneSurrogate = Character.isHighSurrogate(c)
                            ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                            : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
                    if (Character.isISOControl(c) || loneSurrogate || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
