package io.segstream.rules;

import io.segstream.rules.RuleTextLexer.Kind;
import io.segstream.rules.RuleTextLexer.Token;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the tokens of a readable rule into the JSON tree of the same rule (the form {@link RuleReader}
 * validates), remembering where each node and field was written. Only the syntax is checked here:
 * what a node means, and every limit but nesting, is {@link RuleReader}'s.
 */
final class RuleTextParser {

    /** Words that cannot be bare names (quote them): they start or join conditions. */
    static final Set<String> RESERVED = Set.of("and", "or", "not", "has", "in", "subscribed", "all", "any", "true", "false");

    private static final List<String> OPERATOR_WORDS = List.of("in", "not", "contains", "starts", "ends", "between", "exists",
            "is", "missing", "within", "older", "before", "after");
    private static final List<String> SUFFIX_WORDS = List.of("count", "within", "in", "sum", "avg", "min", "max", "last", "first");
    private static final Map<String, String> COMPARISONS = Map.of("=", "eq", "!=", "neq", ">", "gt", ">=", "gte", "<", "lt",
            "<=", "lte");
    private static final int MAX_NUMBER_LENGTH = 1_100;
    private static final int MAX_EXPONENT = 10_000;

    private final List<Token> tokens;
    private final int maxNesting;
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;
    /** Per container node (by identity): where each of its fields was written; key "" is the node itself. */
    private final Map<JsonNode, Map<String, Token>> written = new IdentityHashMap<>();
    private int next;
    private int nesting;

    private RuleTextParser(List<Token> tokens, int maxNesting) {
        this.tokens = tokens;
        this.maxNesting = maxNesting;
    }

    /** The parsed tree and the position of each of its JSON pointers (relative to the rule's root, "" = root). */
    record Parsed(ObjectNode json, Map<String, Token> positions) {}

    static Parsed parse(String text, int maxNesting) {
        RuleTextParser parser = new RuleTextParser(RuleTextLexer.tokens(text), maxNesting);
        ObjectNode root = parser.rule();
        Map<String, Token> positions = new LinkedHashMap<>();
        parser.collect(root, "", positions);
        return new Parsed(root, positions);
    }

    // ---- rules: or > and > not > primary ----

    private ObjectNode rule() {
        if (peek().kind() == Kind.END) throw error(peek(), "the rule is empty: write a condition such as has tag vip");
        ObjectNode rule = or();
        Token t = peek();
        if (t.kind() != Kind.END) throw afterCondition(t, t.is(")") ? "unexpected `)`: no `(` is open here" : null, false);
        return rule;
    }

    private ObjectNode or() {
        ObjectNode first = and();
        if (!peek().is("or")) return first;
        ArrayNode list = nodes.arrayNode().add(first);
        while (peek().is("or")) {
            take();
            list.add(and());
        }
        return group("or", list, first);
    }

    private ObjectNode and() {
        ObjectNode first = unary();
        if (!peek().is("and")) return first;
        ArrayNode list = nodes.arrayNode().add(first);
        while (peek().is("and")) {
            take();
            list.add(unary());
        }
        return group("and", list, first);
    }

    private ObjectNode group(String kind, ArrayNode list, ObjectNode first) {
        ObjectNode node = nodes.objectNode();
        node.set(kind, list);
        at(node, "", written.get(first).get(""));
        return node;
    }

    private ObjectNode unary() {
        Token t = peek();
        if (!t.is("not")) return primary();
        take();
        enter(t);
        ObjectNode child = unary();
        nesting--;
        ObjectNode node = nodes.objectNode();
        node.set("not", child);
        return at(node, "", t);
    }

    private ObjectNode primary() {
        Token t = peek();
        if (t.is("(")) {
            take();
            enter(t);
            if (peek().is(")")) throw error(peek(), "expected a condition inside `( )`");
            ObjectNode inner = or();
            close(t);
            nesting--;
            return inner;
        }
        if (t.kind() == Kind.STRING) return named(take());
        if (t.kind() != Kind.WORD) throw expected("a condition", t);
        return switch (t.keyword()) {
            case "has" -> {
                take();
                Token tag = peek();
                if (!tag.is("tag")) throw wrongWord(tag, "`tag` after `has`", List.of("tag"));
                take();
                yield leaf("tag", t, name("a tag after `has tag`"));
            }
            case "in" -> {
                take();
                Token what = peek();
                if (what.is("segment")) {
                    take();
                    yield leaf("segment", t, name("a segment id after `in segment`"));
                }
                if (what.is("audience")) {
                    take();
                    yield leaf("audience", t, name("an audience after `in audience`"));
                }
                throw wrongWord(what, "`segment` or `audience` after `in`", List.of("segment", "audience"));
            }
            case "subscribed" -> {
                take();
                Token to = peek();
                if (!to.is("to")) throw wrongWord(to, "`to` after `subscribed`, as in subscribed to email", List.of("to"));
                take();
                yield leaf("subscribed", t, name("a channel (email or sms) after `subscribed to`"));
            }
            case "all", "any" -> {
                take();
                Token open = peek();
                if (!open.is("(")) throw expected("`(` after `" + t.text() + "`", open);
                take();
                enter(open);
                ArrayNode list = nodes.arrayNode().add(or());
                while (peek().is(",")) {
                    take();
                    list.add(or());
                }
                close(open);
                nesting--;
                ObjectNode node = nodes.objectNode();
                node.set(t.keyword().equals("all") ? "and" : "or", list);
                yield at(node, "", t);
            }
            case "and", "or" -> throw error(t, "expected a condition before `" + t.text() + "`");
            case "true", "false" -> throw error(t, "expected a condition, found " + t.shown());
            default -> named(take());
        };
    }

    private ObjectNode leaf(String kind, Token start, Token name) {
        ObjectNode node = nodes.objectNode();
        node.put(kind, name.value());
        at(node, "", start);
        return at(node, kind, name);
    }

    /** A condition that starts with a name: an event ({@code name(...)}) or an attribute test. */
    private ObjectNode named(Token name) {
        if (peek().is("(")) return event(name);
        Token op = peek();
        if (name.kind() == Kind.WORD && (op.kind() == Kind.WORD || op.kind() == Kind.STRING)
                && !OPERATOR_WORDS.contains(op.keyword() == null ? "" : op.keyword())) {
            switch (name.keyword()) {
                case "tag" -> throw error(name, "to test a tag write `has tag " + op.text() + "`");
                case "audience" -> throw error(name, "to test an audience write `in audience " + op.text() + "`");
                case "segment" -> throw error(name, "to test a segment write `in segment " + op.text() + "`");
                default -> { }
            }
        }
        ObjectNode node = nodes.objectNode();
        node.put("attribute", name.value());
        at(node, "", name);
        at(node, "attribute", name);
        test(node, name, true);
        return node;
    }

    // ---- tests: name op value ----

    /** Reads the operator and operand after {@code name} into {@code node} ({@code op}, {@code value}). */
    private void test(ObjectNode node, Token name, boolean attribute) {
        Token op = peek();
        String after = "after " + name.shown();
        if (op.kind() == Kind.SYMBOL && COMPARISONS.containsKey(op.text())) {
            take();
            op(node, COMPARISONS.get(op.text()), op);
            node.set("value", value(node, "value", op));
            return;
        }
        if (op.kind() != Kind.WORD) {
            throw expected("an operator " + after + " (such as =, >=, in, contains, exists" + (attribute ? ", within last" : "")
                    + ")", op);
        }
        take();
        switch (op.keyword()) {
            case "in" -> {
                Token t = peek();
                if (t.is("[")) {
                    op(node, "in", op);
                    node.set("value", list(node, op));
                } else if (t.is("current") || t.is("previous")) {
                    take();
                    op(node, t.is("current") ? "inCurrent" : "inPrevious", op);
                    node.set("value", unit(node, "value", t));
                } else {
                    throw wrongWord(t, "a list such as [\"a\", \"b\"], or `current` or `previous`, after `in`",
                            List.of("current", "previous"));
                }
            }
            case "not" -> {
                Token in = peek();
                if (!in.is("in")) throw wrongWord(in, "`in` after `not`, as in plan not in [\"a\", \"b\"]", List.of("in"));
                take();
                op(node, "notIn", op);
                node.set("value", list(node, in));
            }
            case "contains" -> {
                op(node, "contains", op);
                node.set("value", value(node, "value", op));
            }
            case "starts", "ends" -> {
                Token with = word("with", op);
                op(node, op.keyword().equals("starts") ? "startsWith" : "endsWith", op);
                node.set("value", value(node, "value", with));
            }
            case "between" -> {
                op(node, "between", op);
                node.set("value", range(node, op));
            }
            case "exists" -> op(node, "exists", op);
            case "missing" -> op(node, "missing", op);
            case "is" -> {
                word("missing", op);
                op(node, "missing", op);
            }
            case "within" -> {
                Token last = peek();
                if (last.is("last")) take();
                op(node, "withinLast", op);
                node.set("value", duration(node, "value", last.is("last") ? last : op));
            }
            case "older" -> {
                Token than = word("than", op);
                op(node, "olderThan", op);
                node.set("value", duration(node, "value", than));
            }
            case "before", "after" -> {
                op(node, op.keyword(), op);
                node.set("value", value(node, "value", op));
            }
            default -> throw unknownOperator(op);
        }
    }

    private void op(ObjectNode node, String wireName, Token at) {
        node.put("op", wireName);
        at(node, "op", at);
    }

    private RuleTextException unknownOperator(Token op) {
        for (Op o : Op.values()) {
            if (RuleTextLexer.keyword(o.wireName()).equals(op.keyword())) {
                return error(op, "unknown operator " + op.shown() + ", did you mean `" + RuleTextPrinter.operator(o) + "`?");
            }
        }
        String near = nearest(op.keyword(), OPERATOR_WORDS);
        return error(op, "unknown operator " + op.shown() + (near != null ? ", did you mean `" + near + "`?"
                : "; use =, !=, >, >=, <, <=, in, not in, contains, starts with, ends with, between, exists, is missing,"
                        + " within last, older than, in current, in previous, before or after"));
    }

    private JsonNode value(JsonNode container, String key, Token after) {
        Token t = peek();
        JsonNode value = switch (t.kind()) {
            case STRING, DATE -> nodes.stringNode(t.value());
            case NUMBER -> number(t);
            case WORD -> switch (t.keyword()) {
                case "true" -> nodes.booleanNode(true);
                case "false" -> nodes.booleanNode(false);
                default -> throw RESERVED.contains(t.keyword()) || OPERATOR_WORDS.contains(t.keyword())
                        ? expected("a value after " + after.shown(), t)
                        : error(t, "write text between double quotes: \"" + t.text() + "\"");
            };
            case DURATION -> throw error(t, "a duration such as " + t.text() + " only follows `within` or `older than`;"
                    + " write text between double quotes");
            case SYMBOL, END -> throw expected("a value after " + after.shown(), t);
        };
        take();
        at(container, key, t);
        return value;
    }

    private JsonNode number(Token t) {
        if (t.text().length() > MAX_NUMBER_LENGTH) throw error(t, "this number is too long");
        BigDecimal n;
        try {
            n = new BigDecimal(t.text());
        } catch (NumberFormatException e) {
            throw error(t, "this number is too large");
        }
        long exponent = (long) n.precision() - n.scale() - 1;
        if (Math.abs(exponent) > MAX_EXPONENT) throw error(t, "this number is too large or too small");
        return nodes.numberNode(n);
    }

    private ArrayNode list(ObjectNode node, Token after) {
        Token open = peek();
        if (!open.is("[")) throw expected("a list such as [\"a\", \"b\"] after " + after.shown(), open);
        take();
        ArrayNode list = nodes.arrayNode();
        at(node, "value", open);
        at(list, "", open);
        if (peek().is("]")) {
            take();
            return list;
        }
        while (true) {
            list.add(value(list, Integer.toString(list.size()), list.isEmpty() ? open : tokens.get(next - 1)));
            Token t = peek();
            if (t.is("]")) {
                take();
                return list;
            }
            if (t.kind() == Kind.END) throw error(open, "this `[` is never closed");
            if (!t.is(",")) throw expected("`,` or `]` in the list", t);
            take();
        }
    }

    private ArrayNode range(JsonNode container, Token between) {
        ArrayNode range = nodes.arrayNode();
        at(container, "value", between);
        range.add(value(range, "0", between));
        Token and = word("and", tokens.get(next - 1));
        range.add(value(range, "1", and));
        return range;
    }

    private JsonNode duration(JsonNode container, String key, Token after) {
        Token t = peek();
        if (t.kind() == Kind.NUMBER && tokens.get(next + 1).kind() == Kind.WORD) {
            throw error(t, "write the duration as one word, such as " + t.text() + "d: a number then s, m, h, d or w");
        }
        if (t.kind() != Kind.DURATION) throw expected("a duration such as 30d after " + after.shown(), t);
        take();
        at(container, key, t);
        return nodes.stringNode(t.text());
    }

    private JsonNode unit(JsonNode container, String key, Token after) {
        Token t = peek();
        if (t.kind() != Kind.WORD) throw expected("a period (day, week, month, quarter or year) after " + after.shown(), t);
        List<String> units = Arrays.stream(CalendarUnit.values()).map(CalendarUnit::wireName).toList();
        if (!units.contains(t.keyword())) {
            String near = nearest(t.keyword(), units);
            throw error(t, "unknown period " + t.shown() + (near != null ? ", did you mean `" + near + "`?"
                    : "; use day, week, month, quarter or year"));
        }
        take();
        at(container, key, t);
        return nodes.stringNode(t.keyword());
    }

    // ---- events ----

    private ObjectNode event(Token type) {
        ObjectNode node = nodes.objectNode();
        node.put("event", type.value());
        at(node, "", type);
        at(node, "event", type);
        Token open = take();
        ArrayNode where = nodes.arrayNode();
        if (!peek().is(")")) {
            while (true) {
                Token property = peek();
                if (property.kind() == Kind.END) throw error(open, "this `(` is never closed");
                if (property.kind() != Kind.STRING && (property.kind() != Kind.WORD || RESERVED.contains(property.keyword()))) {
                    throw expected("a property test such as rating >= 4 in the event's ( )", property);
                }
                take();
                ObjectNode test = nodes.objectNode();
                test.put("property", property.value());
                at(test, "", property);
                at(test, "property", property);
                test(test, property, false);
                where.add(test);
                Token t = peek();
                if (t.is(")")) break;
                if (t.is(",")) {
                    take();
                    continue;
                }
                if (t.is("and")) {
                    throw error(t, "separate an event's property tests with commas, as in review.left(rating >= 4, site = \"google\")");
                }
                if (t.is("or")) {
                    throw error(t, "an event's property tests must all hold; for either of two, write two conditions joined by or");
                }
                if (t.kind() == Kind.END) throw error(open, "this `(` is never closed");
                throw expected("`,` or `)` after the property test", t);
            }
        }
        take();
        if (!where.isEmpty()) node.set("where", where);
        while (true) {
            Token t = peek();
            if (t.kind() != Kind.WORD) break;
            String k = t.keyword();
            if (k.equals("count")) {
                once(node, "count", t);
                take();
                node.set("count", numberTest(nodes.objectNode(), t, "a comparison such as >= 2 after `count`"));
            } else if (k.equals("within") || k.equals("in")) {
                once(node, "within", t);
                take();
                node.set("within", window(node, t));
            } else if (k.equals("sum") || k.equals("avg") || k.equals("min") || k.equals("max")) {
                once(node, "aggregate", t);
                take();
                word("of", t);
                Token property = name("a property after `" + t.text() + " of`");
                ObjectNode aggregate = nodes.objectNode();
                aggregate.put("fn", k);
                aggregate.put("property", property.value());
                at(aggregate, "fn", t);
                at(aggregate, "property", property);
                numberTest(aggregate, t, "a comparison such as >= 100 after `" + t.text() + " of " + property.text() + "`");
                node.set("aggregate", aggregate);
            } else if (k.equals("last") || k.equals("first")) {
                once(node, k, t);
                take();
                ObjectNode test = nodes.objectNode();
                at(test, "", t);
                dateTest(test, t);
                node.set(k, test);
            } else {
                break;
            }
        }
        return node;
    }

    private void once(ObjectNode node, String field, Token t) {
        if (node.has(field) || (field.equals("last") && node.has("first")) || (field.equals("first") && node.has("last"))) {
            throw error(t, "this event already has its " + (field.equals("within") ? "window" : field.equals("aggregate")
                    ? "aggregate" : field.equals("count") ? "count" : "first or last test"));
        }
    }

    /** {@code op value} or {@code between lo and hi}: a count or an aggregate's test. */
    private ObjectNode numberTest(ObjectNode test, Token after, String expectation) {
        at(test, "", after);
        Token op = peek();
        if (op.kind() == Kind.SYMBOL && COMPARISONS.containsKey(op.text())) {
            take();
            op(test, COMPARISONS.get(op.text()), op);
            test.set("value", value(test, "value", op));
        } else if (op.is("between")) {
            take();
            op(test, "between", op);
            test.set("value", range(test, op));
        } else {
            throw expected(expectation, op);
        }
        return test;
    }

    private JsonNode window(ObjectNode event, Token t) {
        if (t.is("within")) {
            Token last = peek();
            if (last.is("last")) take();
            return duration(event, "within", last.is("last") ? last : t);
        }
        Token which = peek();
        if (!which.is("current") && !which.is("previous")) {
            throw wrongWord(which, "`current` or `previous` after `in`, as in in current month", List.of("current", "previous"));
        }
        take();
        ObjectNode window = nodes.objectNode();
        String key = which.is("current") ? "inCurrent" : "inPrevious";
        at(event, "within", t);
        window.set(key, unit(window, key, which));
        return window;
    }

    /** The date tests of {@code last}/{@code first}. */
    private void dateTest(ObjectNode test, Token after) {
        Token op = peek();
        String k = op.keyword() == null ? "" : op.keyword();
        switch (k) {
            case "within" -> {
                take();
                Token last = peek();
                if (last.is("last")) take();
                op(test, "withinLast", op);
                test.set("value", duration(test, "value", last.is("last") ? last : op));
            }
            case "older" -> {
                take();
                Token than = word("than", op);
                op(test, "olderThan", op);
                test.set("value", duration(test, "value", than));
            }
            case "in" -> {
                take();
                Token which = peek();
                if (!which.is("current") && !which.is("previous")) {
                    throw wrongWord(which, "`current` or `previous` after `in`", List.of("current", "previous"));
                }
                take();
                op(test, which.is("current") ? "inCurrent" : "inPrevious", op);
                test.set("value", unit(test, "value", which));
            }
            case "before", "after" -> {
                take();
                op(test, k, op);
                test.set("value", value(test, "value", op));
            }
            default -> throw expected("a date test after " + after.shown()
                    + " (within last, older than, in current, in previous, before or after)", op);
        }
    }

    // ---- small pieces ----

    /** A name: a bare word that is not reserved, or quoted text. */
    private Token name(String expectation) {
        Token t = peek();
        if (t.kind() == Kind.STRING || (t.kind() == Kind.WORD && !RESERVED.contains(t.keyword()))) return take();
        if (t.kind() == Kind.WORD) throw error(t, "`" + t.text() + "` is a keyword; to use it as a name, quote it: \"" + t.text() + "\"");
        throw expected(expectation, t);
    }

    private Token word(String keyword, Token after) {
        Token t = peek();
        if (!t.is(keyword)) throw wrongWord(t, "`" + keyword + "` after " + after.shown(), List.of(keyword));
        return take();
    }

    private void close(Token open) {
        Token t = peek();
        if (t.is(")")) {
            take();
            return;
        }
        if (t.kind() == Kind.END) throw error(open, "this `(` is never closed");
        throw afterCondition(t, null, true);
    }

    private RuleTextException afterCondition(Token t, String message, boolean inParentheses) {
        if (message != null) return error(t, message);
        List<String> candidates = new ArrayList<>(List.of("and", "or"));
        candidates.addAll(SUFFIX_WORDS);
        String near = t.kind() == Kind.WORD ? nearest(t.keyword(), candidates) : null;
        if (near != null) return error(t, "unknown keyword " + t.shown() + ", did you mean `" + near + "`?");
        return error(t, "expected `and`, `or`" + (inParentheses ? " or `)`" : " or the end of the rule")
                + " after the condition, found " + t.shown());
    }

    private RuleTextException wrongWord(Token t, String expectation, List<String> candidates) {
        String near = t.kind() == Kind.WORD ? nearest(t.keyword(), candidates) : null;
        if (near != null) return error(t, "expected " + expectation + ", found " + t.shown() + "; did you mean `" + near + "`?");
        return expected(expectation, t);
    }

    private RuleTextException expected(String what, Token found) {
        if (found.kind() == Kind.END) return error(found, "expected " + what + ", but the rule ends here");
        return error(found, "expected " + what + ", found " + found.shown());
    }

    private void enter(Token t) {
        if (++nesting > maxNesting) {
            throw error(t, "too deeply nested: at most " + maxNesting + " levels of parentheses, not, all and any");
        }
    }

    private Token peek() {
        return tokens.get(next);
    }

    private Token take() {
        Token t = tokens.get(next);
        if (t.kind() != Kind.END) next++;
        return t;
    }

    private <T extends JsonNode> T at(T container, String key, Token t) {
        written.computeIfAbsent(container, k -> new LinkedHashMap<>()).put(key, t);
        return container;
    }

    private void collect(JsonNode node, String pointer, Map<String, Token> out) {
        Map<String, Token> here = written.get(node);
        if (here != null) here.forEach((key, t) -> out.put(key.isEmpty() ? pointer : pointer + "/" + key, t));
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                collect(field.getValue(), pointer + "/" + field.getKey(), out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) collect(node.get(i), pointer + "/" + i, out);
        }
    }

    static RuleTextException error(Token t, String message) {
        return new RuleTextException(t.line(), t.column(), message);
    }

    /** The candidate closest to {@code word} when it is close enough to be a likely typo, else null. */
    static String nearest(String word, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        int allowed = Math.max(word.length(), best == null ? 0 : best.length()) <= 4 ? 1 : 2;
        return best != null && bestDistance > 0 && bestDistance <= allowed ? best : null;
    }

    /** Edit distance with adjacent transpositions (optimal string alignment). */
    static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 3) return Integer.MAX_VALUE;
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
