package io.segstream.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * The annotated evaluation that explanations use: the same answer as {@link Evaluator#matches}, every node
 * reported once with a result consistent with its children's, over seeded random rules and contacts.
 */
class AnnotatedEvaluationTest {

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Rule OTHER = new Rule.Or(List.of(new Rule.HasTag("t0"), new Rule.InAudience("a1")));

    record Outcome(boolean result, Seen saw) {}

    @RepeatedTest(200)
    void annotatedEvaluationAgreesWithMatchesNodeByNode(RepetitionInfo repetition) {
        long seed = 7919L * repetition.getCurrentRepetition();
        Random random = new Random(seed);
        Rule rule = rule(random, 0);
        TestContact contact = contact(random);
        Evaluator e = Evaluator.compile(rule, Map.of("other", OTHER), UTC);

        Map<Rule, Outcome> outcomes = new IdentityHashMap<>();
        List<Rule> order = new ArrayList<>();
        boolean result = e.matches(contact, NOW, (node, r, saw) -> {
            assertThat(outcomes.put(node, new Outcome(r, saw))).as("seed %d: %s reported once", seed, node).isNull();
            order.add(node);
        });

        String why = "seed " + seed + ": " + rule;
        assertThat(result).as(why).isEqualTo(e.matches(contact, NOW));
        assertThat(order.getLast()).as(why).isSameAs(rule);
        assertThat(outcomes.get(rule).result()).as(why).isEqualTo(result);
        check(rule, contact, outcomes, order, why);
    }

    private static void check(Rule node, TestContact contact, Map<Rule, Outcome> outcomes, List<Rule> order, String why) {
        Outcome o = outcomes.get(node);
        assertThat(o).as(why + ": every node is reported, " + node).isNotNull();
        List<Boolean> children = node.children().stream().map(c -> outcomes.get(c).result()).toList();
        for (Rule child : node.children()) {
            assertThat(order.indexOf(child)).as(why + ": children before their parent").isLessThan(order.indexOf(node));
            check(child, contact, outcomes, order, why);
        }
        switch (node) {
            case Rule.And and -> assertThat(o.result()).as(why).isEqualTo(!children.contains(false));
            case Rule.Or or -> assertThat(o.result()).as(why).isEqualTo(children.contains(true));
            case Rule.Not not -> assertThat(o.result()).as(why).isEqualTo(!children.getFirst());
            // A leaf's result is its evaluation alone.
            default -> assertThat(o.result()).as(why + ": " + node)
                    .isEqualTo(Evaluator.compile(node, Map.of("other", OTHER), UTC).matches(contact, NOW));
        }
    }

    @Test
    void leavesReportWhatTheyObserved() {
        TestContact c = new TestContact().attr("city", new Value.Text("Lyon"))
                .event("review.left", NOW.minus(Duration.ofDays(2)), Map.of())
                .event("review.left", NOW.minus(Duration.ofDays(40)), Map.of());
        c.tags.add("t0");
        Rule city = new Rule.AttributeTest(new io.segstream.rules.Test("city", Op.EQ, new Operand.Scalar(new Value.Text("Paris"))));
        Rule age = new Rule.AttributeTest(new io.segstream.rules.Test("age", Op.EXISTS, new Operand.None()));
        Rule reviews = new Rule.EventCondition(new Signature("review.left", List.of()), new CountTest(Op.GTE, 2, 0),
                new Window.Last(Duration.ofDays(30), "30d"));
        Rule tagged = new Rule.HasTag("t0");
        Rule other = new Rule.SegmentRef("other");
        Rule sms = new Rule.Subscribed("sms");
        Map<Rule, Outcome> outcomes = new IdentityHashMap<>();
        Evaluator.compile(new Rule.Or(List.of(city, age, reviews, tagged, other, sms)), Map.of("other", OTHER), UTC)
                .matches(c, NOW, (node, r, saw) -> outcomes.put(node, new Outcome(r, saw)));
        assertThat(outcomes.get(city)).isEqualTo(new Outcome(false, new Seen.Attribute(java.util.Optional.of(new Value.Text("Lyon")))));
        assertThat(outcomes.get(age)).isEqualTo(new Outcome(false, new Seen.Attribute(java.util.Optional.empty())));
        assertThat(outcomes.get(reviews)).isEqualTo(new Outcome(false, new Seen.Count(1)));
        assertThat(outcomes.get(tagged)).isEqualTo(new Outcome(true, new Seen.Flag(true)));
        assertThat(outcomes.get(other)).isEqualTo(new Outcome(true, new Seen.Flag(true)));
        assertThat(outcomes.get(sms)).isEqualTo(new Outcome(true, new Seen.Flag(true)));
    }

    @Test
    void aggregateAndRecencyNodesReportTheirValueAndInstant() {
        Instant recent = NOW.minus(Duration.ofDays(2));
        TestContact c = new TestContact()
                .event("purchase.made", recent, Map.of("amount", new Value.Num(BigDecimal.valueOf(30))))
                .event("purchase.made", NOW.minus(Duration.ofDays(3)), Map.of("amount", new Value.Num(BigDecimal.valueOf(50))))
                .event("purchase.made", NOW.minus(Duration.ofDays(40)), Map.of("amount", new Value.Num(BigDecimal.valueOf(100))));
        Rule sum = RuleReaderTest.rule("{\"event\":\"purchase.made\",\"aggregate\":{\"fn\":\"sum\",\"property\":\"amount\","
                + "\"op\":\"gte\",\"value\":100},\"within\":\"30d\"}");
        Rule avg = RuleReaderTest.rule("{\"event\":\"purchase.made\",\"aggregate\":{\"fn\":\"avg\",\"property\":\"amount\","
                + "\"op\":\"gt\",\"value\":50}}");
        Rule last = RuleReaderTest.rule("{\"event\":\"purchase.made\",\"last\":{\"op\":\"withinLast\",\"value\":\"7d\"}}");
        Rule never = RuleReaderTest.rule("{\"event\":\"review.left\",\"first\":{\"op\":\"olderThan\",\"value\":\"7d\"}}");
        Map<Rule, Outcome> outcomes = new IdentityHashMap<>();
        boolean any = Evaluator.compile(new Rule.Or(List.of(sum, avg, last, never)), Map.of(), UTC)
                .matches(c, NOW, (node, r, saw) -> outcomes.put(node, new Outcome(r, saw)));
        assertThat(any).isTrue();
        assertThat(outcomes.get(sum)).isEqualTo(new Outcome(false, new Seen.Aggregate(java.util.Optional.of(BigDecimal.valueOf(80)))));
        assertThat(outcomes.get(avg).result()).isTrue();
        assertThat(((Seen.Aggregate) outcomes.get(avg).saw()).value().orElseThrow()).isEqualByComparingTo("60");
        assertThat(outcomes.get(last)).isEqualTo(new Outcome(true, new Seen.Occurred(java.util.Optional.of(recent))));
        assertThat(outcomes.get(never)).isEqualTo(new Outcome(false, new Seen.Occurred(java.util.Optional.empty())));
    }

    static Rule rule(Random r, int depth) {
        int kind = r.nextInt(depth >= 4 ? 6 : 9);
        return switch (kind) {
            case 0 -> new Rule.HasTag("t" + r.nextInt(3));
            case 1 -> new Rule.InAudience("a" + r.nextInt(2));
            case 2 -> new Rule.Subscribed(r.nextBoolean() ? "email" : "sms");
            case 3 -> new Rule.AttributeTest(new io.segstream.rules.Test("score", Op.GTE, new Operand.Scalar(new Value.Num(BigDecimal.valueOf(r.nextInt(10))))));
            case 4 -> new Rule.EventCondition(new Signature("review.left", List.of()), new CountTest(Op.GTE, 1 + r.nextInt(3), 0),
                    r.nextBoolean() ? new Window.AllTime() : new Window.Last(Duration.ofDays(30), "30d"));
            case 5 -> new Rule.SegmentRef("other");
            case 6 -> new Rule.Not(rule(r, depth + 1));
            default -> {
                List<Rule> children = new ArrayList<>();
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) children.add(rule(r, depth + 1));
                yield kind == 7 ? new Rule.And(children) : new Rule.Or(children);
            }
        };
    }

    static TestContact contact(Random r) {
        TestContact c = new TestContact();
        for (int i = 0; i < 3; i++) if (r.nextBoolean()) c.tags.add("t" + i);
        for (int i = 0; i < 2; i++) if (r.nextBoolean()) c.audiences.add("a" + i);
        if (r.nextBoolean()) c.unsubscribed.add("sms");
        if (r.nextInt(4) > 0) c.attr("score", new Value.Num(BigDecimal.valueOf(r.nextInt(10))));
        for (int i = 0, n = r.nextInt(4); i < n; i++) c.event("review.left", NOW.minus(Duration.ofDays(r.nextInt(60))), Map.of());
        return c;
    }
}
