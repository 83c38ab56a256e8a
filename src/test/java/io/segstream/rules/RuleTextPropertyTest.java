package io.segstream.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The laws of readable rules over seeded random rules (the seed is the repetition number, printed with
 * any failing case, shrunk to a smallest failing sub-rule first): reading the printed text gives the
 * same rule; printing is deterministic; the JSON writer round-trips too; and no text, however broken,
 * makes reading throw: it answers a rule or errors placed inside the text.
 */
class RuleTextPropertyTest {

    private static final String[] PIECES = {"(", ")", "[", "]", ",", "\"", "\\", "and ", " or ", "not ", "=", ">=", "=>",
        "!", "\n", "\r\n", "\t", " ", "30d", "0d", "2026-01-01", "-", "1e99999", "1.5", "in ", "current ", "month", "count ",
        "within ", "last ", "sum of ", "x", "é", "\uD800", "\u0000", "'", "#", "all(", "any(", "has tag ", "in segment "};

    @RepeatedTest(300)
    void readingThePrintedTextGivesTheSameRule(RepetitionInfo repetition) {
        long seed = repetition.getCurrentRepetition();
        Rule rule = new RandomRules(seed).rule(6, 60);
        assertThat(RuleReader.read(RuleJson.write(rule), "/rule", RuleLimits.DEFAULT).rule())
                .as("seed %d: the generated rule is valid and the JSON writer round-trips", seed).isEqualTo(rule);
        Predicate<Rule> roundTrips = r -> {
            try {
                String text = RuleText.print(r);
                RuleText.Result back = RuleText.read(text, RuleLimits.DEFAULT);
                return back.valid() && back.rule().equals(r) && RuleText.print(back.rule()).equals(text)
                        && RuleText.print(r).equals(text);
            } catch (RuntimeException e) {
                return false;
            }
        };
        if (!roundTrips.test(rule)) {
            Rule small = shrink(rule, roundTrips.negate());
            String text = RuleText.print(small);
            fail("seed %d: read(print(r)) != r for r = %s%ntext: %s%nread: %s", seed, RuleJson.write(small), text,
                    RuleText.read(text, RuleLimits.DEFAULT).errors());
        }
    }

    @RepeatedTest(300)
    void mutatedTextsAnswerARuleOrPlacedErrors(RepetitionInfo repetition) {
        long seed = repetition.getCurrentRepetition();
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(RuleText.print(new RandomRules(seed).rule(4, 20)));
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(4)) {
                case 0 -> text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(6)));
                case 1 -> text.insert(at, PIECES[random.nextInt(PIECES.length)]);
                case 2 -> text.insert(at, (char) random.nextInt(0x3000));
                default -> text.setLength(at);
            }
        }
        checkAnswer(seed, text.toString());
    }

    @RepeatedTest(300)
    void garbageAnswersPlacedErrors(RepetitionInfo repetition) {
        long seed = repetition.getCurrentRepetition();
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        int pieces = random.nextInt(30);
        for (int i = 0; i < pieces; i++) {
            if (random.nextBoolean()) text.append(PIECES[random.nextInt(PIECES.length)]);
            else text.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0x10000)));
        }
        checkAnswer(seed, text.toString());
    }

    private static void checkAnswer(long seed, String text) {
        RuleText.Result result;
        try {
            result = RuleText.read(text, RuleLimits.DEFAULT);
        } catch (RuntimeException e) {
            throw new AssertionError("seed " + seed + ": reading threw on text: " + text, e);
        }
        if (result.valid()) {
            String printed = RuleText.print(result.rule());
            assertThat(RuleText.read(printed, RuleLimits.DEFAULT).rule()).as("seed %d: %s", seed, text).isEqualTo(result.rule());
            return;
        }
        assertThat(result.errors()).as("seed %d: %s", seed, text).isNotEmpty();
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (RuleTextError e : result.errors()) {
            assertThat(e.line()).as("seed %d: %s -> %s", seed, text, e).isBetween(1, lines.length);
            assertThat(e.column()).as("seed %d: %s -> %s", seed, text, e).isBetween(1, lines[e.line() - 1].length() + 1);
            assertThat(e.message()).isNotBlank();
        }
    }

    /** A smallest sub-rule (greedily: a child, or the group without one child) that still fails. */
    static Rule shrink(Rule rule, Predicate<Rule> fails) {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Rule candidate : smaller(rule)) {
                if (fails.test(candidate)) {
                    rule = candidate;
                    progress = true;
                    break;
                }
            }
        }
        return rule;
    }

    private static List<Rule> smaller(Rule rule) {
        List<Rule> out = new ArrayList<>(rule.children());
        List<Rule> children = rule.children();
        if ((rule instanceof Rule.And || rule instanceof Rule.Or) && children.size() > 1) {
            for (int i = 0; i < children.size(); i++) {
                List<Rule> fewer = new ArrayList<>(children);
                fewer.remove(i);
                out.add(rule instanceof Rule.And ? new Rule.And(fewer) : new Rule.Or(fewer));
            }
        }
        for (int i = 0; i < children.size(); i++) {
            for (Rule smallerChild : smaller(children.get(i))) {
                List<Rule> replaced = new ArrayList<>(children);
                replaced.set(i, smallerChild);
                out.add(switch (rule) {
                    case Rule.And a -> new Rule.And(replaced);
                    case Rule.Or o -> new Rule.Or(replaced);
                    default -> new Rule.Not(smallerChild);
                });
            }
        }
        return out;
    }
}
