package io.segstream.rules;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a rule as the JSON tree {@link RuleReader} reads (API.md), leaving defaults out
 * ({@code count} at least one, {@code within} all time). Law: reading what this writes gives back an
 * equal rule.
 */
public final class RuleJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RuleJson() {}

    public static ObjectNode write(Rule rule) {
        ObjectNode node = NODES.objectNode();
        switch (rule) {
            case Rule.And and -> node.set("and", rules(and.rules()));
            case Rule.Or or -> node.set("or", rules(or.rules()));
            case Rule.Not not -> node.set("not", write(not.rule()));
            case Rule.AttributeTest a -> {
                node.put("attribute", a.test().name());
                test(node, a.test());
            }
            case Rule.HasTag t -> node.put("tag", t.tag());
            case Rule.InAudience a -> node.put("audience", a.audience());
            case Rule.Subscribed s -> node.put("subscribed", s.channel());
            case Rule.SegmentRef s -> node.put("segment", s.segmentId());
            case Rule.EventCondition e -> event(node, e);
            case Rule.EventAggregate e -> {
                events(node, e.signature());
                AggregateTest a = e.aggregate();
                ObjectNode aggregate = node.putObject("aggregate");
                aggregate.put("fn", a.fn().wireName());
                aggregate.put("property", a.property());
                test(aggregate, a.op(), a.operand());
                window(node, e.within());
            }
            case Rule.EventRecency e -> {
                events(node, e.signature());
                test(node.putObject(e.recency().edge().wireName()), e.recency().op(), e.recency().operand());
            }
        }
        return node;
    }

    private static ArrayNode rules(java.util.List<Rule> rules) {
        ArrayNode array = NODES.arrayNode();
        rules.forEach(r -> array.add(write(r)));
        return array;
    }

    private static void events(ObjectNode node, Signature signature) {
        node.put("event", signature.type());
        if (!signature.where().isEmpty()) {
            ArrayNode where = node.putArray("where");
            for (Test t : signature.where()) {
                ObjectNode test = where.addObject();
                test.put("property", t.name());
                test(test, t);
            }
        }
    }

    private static void event(ObjectNode node, Rule.EventCondition e) {
        events(node, e.signature());
        CountTest count = e.count();
        if (!count.equals(CountTest.AT_LEAST_ONE)) {
            ObjectNode c = node.putObject("count");
            c.put("op", count.op().wireName());
            if (count.op() == Op.BETWEEN) c.putArray("value").add(count.value()).add(count.high());
            else c.put("value", count.value());
        }
        window(node, e.within());
    }

    private static void window(ObjectNode node, Window within) {
        switch (within) {
            case Window.AllTime a -> { }
            case Window.Last l -> node.put("within", l.text());
            case Window.Current c -> node.putObject("within").put("inCurrent", c.unit().wireName());
            case Window.Previous p -> node.putObject("within").put("inPrevious", p.unit().wireName());
        }
    }

    private static void test(ObjectNode node, Test test) {
        test(node, test.op(), test.operand());
    }

    private static void test(ObjectNode node, Op op, Operand operand) {
        node.put("op", op.wireName());
        switch (operand) {
            case Operand.None n -> { }
            case Operand.Scalar s -> node.set("value", value(s.value()));
            case Operand.Scalars s -> {
                ArrayNode values = node.putArray("value");
                s.values().forEach(v -> values.add(value(v)));
            }
            case Operand.Range r -> node.putArray("value").add(value(r.low())).add(value(r.high()));
            case Operand.Length l -> node.put("value", l.text());
            case Operand.Period p -> node.put("value", p.unit().wireName());
            case Operand.At a -> node.put("value", a.when().value());
        }
    }

    private static JsonNode value(Value value) {
        return switch (value) {
            case Value.Text t -> NODES.stringNode(t.value());
            case Value.Num n -> NODES.numberNode(n.value());
            case Value.Bool b -> NODES.booleanNode(b.value());
            case Value.Other o -> throw new IllegalArgumentException("a rule holds no object values");
        };
    }
}
