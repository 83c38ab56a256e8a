package io.segstream.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rules in a readable syntax (docs/rule-text.md), for example
 * {@code createdAt in current month and review.left(rating >= 4)}: another reader and a printer of the
 * same tree as the JSON form. Text is read into the JSON tree of the rule, which {@link RuleReader}
 * then validates, so both forms accept exactly the same rules with the same limits.
 *
 * <p>Law: for every valid rule {@code r}, {@code read(print(r))} gives back a rule equal to {@code r};
 * {@link #print} depends on nothing but the rule. Reading never throws on any text: every mistake is a
 * {@link RuleTextError} with its line and column.
 */
public final class RuleText {

    /** The longest text read, in characters (the longest request body is 256 KiB as well). */
    public static final int MAX_LENGTH = 262_144;

    private RuleText() {}

    /** A place in the text, 1-based. */
    public record Position(int line, int column) {}

    /**
     * The rule when valid ({@code json} is then its JSON tree, and {@code references} point into it
     * under the reading's pointer), else the errors. {@link #locate} gives the place in the text of any
     * pointer into that tree, for problems found later (such as a reference to an unknown segment).
     */
    public record Result(Rule rule, ObjectNode json, List<RuleReader.Reference> references, List<RuleTextError> errors,
            Map<String, Position> positions) {

        public boolean valid() {
            return errors.isEmpty();
        }

        /** An error with {@code message} at the text that wrote the node at {@code pointer} (or its nearest parent). */
        public RuleTextError locate(String pointer, String message) {
            String p = pointer;
            while (true) {
                Position t = positions.get(p);
                if (t != null) return new RuleTextError(t.line(), t.column(), message);
                int slash = p.lastIndexOf('/');
                if (slash < 0) return new RuleTextError(1, 1, message);
                p = p.substring(0, slash);
            }
        }
    }

    /** Reads a rule as {@link #read(String, String, RuleLimits)} with pointers under {@code ""}. */
    public static Result read(String text, RuleLimits limits) {
        return read(text, "", limits);
    }

    /**
     * Reads {@code text}; the JSON pointers of the result (references, {@link Result#locate}) start with
     * {@code pointer}, the place of the rule's JSON form in a request (for example {@code /rule}).
     */
    public static Result read(String text, String pointer, RuleLimits limits) {
        if (text == null || text.isBlank()) return failed(new RuleTextError(1, 1, "the rule is empty: write a condition such as has tag vip"));
        if (text.length() > MAX_LENGTH) {
            return failed(new RuleTextError(1, 1, "a rule may be at most " + MAX_LENGTH + " characters long"));
        }
        RuleTextParser.Parsed parsed;
        try {
            parsed = RuleTextParser.parse(text, limits.maxDepth());
        } catch (RuleTextException e) {
            return failed(e.error);
        }
        Map<String, Position> positions = new java.util.LinkedHashMap<>();
        parsed.positions().forEach((p, t) -> positions.put(pointer + p, new Position(t.line(), t.column())));
        RuleReader.Result checked = RuleReader.read(parsed.json(), pointer, limits);
        Result located = new Result(null, parsed.json(), List.of(), List.of(), positions);
        List<RuleTextError> errors = new ArrayList<>();
        for (Problem p : checked.problems()) {
            errors.add(located.locate(p.pointer(), RuleTextMessages.describe(p.pointer(), p.message())));
        }
        if (!errors.isEmpty()) return new Result(null, parsed.json(), List.of(), List.copyOf(errors), positions);
        return new Result(checked.rule(), parsed.json(), checked.references(), List.of(), positions);
    }

    /** The canonical readable form of {@code rule}. */
    public static String print(Rule rule) {
        return RuleTextPrinter.print(rule);
    }

    private static Result failed(RuleTextError error) {
        return new Result(null, null, List.of(), List.of(error), Map.of());
    }
}
