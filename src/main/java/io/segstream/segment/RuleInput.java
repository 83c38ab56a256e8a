package io.segstream.segment;

import io.segstream.platform.FieldError;
import io.segstream.platform.ProblemException;
import io.segstream.rules.Rule;
import io.segstream.rules.RuleLimits;
import io.segstream.rules.RuleReader;
import io.segstream.rules.RuleText;
import io.segstream.rules.RuleTextError;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rule of a request, given either as {@code rule} (the JSON tree) or as {@code ruleText} (the
 * readable syntax, docs/rule-text.md), never both. Either way the segment stores the JSON tree; a
 * rule given as text is stored as the tree it reads to.
 *
 * @param text the reading of {@code ruleText}, or null when the rule came as JSON
 */
public record RuleInput(Rule rule, String ruleJson, List<RuleReader.Reference> references, RuleText.Result text) {

    private static final RuleLimits STORED = new RuleLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
            Integer.MAX_VALUE);

    /**
     * Reads the rule of {@code body}, adding each problem to {@code errors} (text errors at
     * {@code /ruleText} with their line and column); null when there are any.
     */
    public static RuleInput read(JsonNode body, RuleLimits limits, JsonMapper json, List<FieldError> errors) {
        JsonNode ruleNode = present(body.get("rule"));
        JsonNode textNode = present(body.get("ruleText"));
        if ((ruleNode == null) == (textNode == null)) {
            String message = ruleNode == null ? "give the rule as rule (JSON) or as ruleText (readable text)"
                    : "give either rule or ruleText, not both";
            errors.add(new FieldError("/rule", message));
            errors.add(new FieldError("/ruleText", message));
            return null;
        }
        if (ruleNode != null) {
            RuleReader.Result rule = RuleReader.read(ruleNode, "/rule", limits);
            rule.problems().forEach(p -> errors.add(new FieldError(p.pointer(), p.message())));
            return rule.valid() ? new RuleInput(rule.rule(), json.writeValueAsString(ruleNode), rule.references(), null) : null;
        }
        if (!textNode.isString()) {
            errors.add(new FieldError("/ruleText", "must be a string"));
            return null;
        }
        RuleText.Result text = RuleText.read(textNode.stringValue(), "/rule", limits);
        text.errors().forEach(e -> errors.add(textError(e)));
        return text.valid() ? new RuleInput(text.rule(), json.writeValueAsString(text.json()), text.references(), text) : null;
    }

    /**
     * A failure of storing this rule, with its problems about the JSON tree (such as a reference to an
     * unknown segment, at {@code /rule/or/1/segment}) placed in the text when the rule came as text.
     */
    public Throwable placeInText(Throwable failure) {
        if (text == null || !(failure instanceof ProblemException p) || p.errors().isEmpty()) return failure;
        List<FieldError> placed = new ArrayList<>();
        for (FieldError e : p.errors()) {
            boolean aboutRule = e.pointer().equals("/rule") || e.pointer().startsWith("/rule/");
            placed.add(aboutRule ? textError(text.locate(e.pointer(), e.message())) : e);
        }
        return ProblemException.validation(placed);
    }

    /** The canonical text of a stored rule (JSON text), or null if it cannot be read (it was checked when stored). */
    public static String textOf(String ruleJson, JsonMapper json) {
        RuleReader.Result stored = RuleReader.read(json.readTree(ruleJson), "/rule", STORED);
        return stored.valid() ? RuleText.print(stored.rule()) : null;
    }

    private static FieldError textError(RuleTextError e) {
        return new FieldError("/ruleText", e.message(), e.line(), e.column());
    }

    private static JsonNode present(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }
}
