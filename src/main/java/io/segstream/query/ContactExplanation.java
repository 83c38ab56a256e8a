package io.segstream.query;

import io.segstream.contact.ContactStore;
import io.segstream.contact.ProfileFacts;
import io.segstream.platform.ProblemException;
import io.segstream.rules.Evaluator;
import io.segstream.rules.Rule;
import io.segstream.rules.RuleLimits;
import io.segstream.rules.RuleReader;
import io.segstream.rules.Seen;
import io.segstream.rules.Value;
import io.segstream.segment.CompiledSegment;
import io.segstream.segment.SegmentCatalog;
import io.segstream.segment.SegmentDefinition;
import io.segstream.segment.SegmentStore;
import io.segstream.segment.TenantSegments;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Why a contact is in or out of a segment: the segment's rule evaluated over the contact's stored state
 * with the evaluator's annotated evaluation, every node of the rule as submitted carrying its result and
 * what it saw.
 *
 * <p>Design note: {@code member} is the stored membership. The rule is evaluated at the instant the
 * stored state still describes: now, or, when the contact's time-driven re-evaluation is due and not yet
 * done ({@code next_due} at or before now), just before that instant, when nothing can have changed
 * since the stored evaluation. So the rule's result equals {@code member} except while the segment is
 * being built or rebuilt ({@code status: building}), which the answer says, with {@code evaluatedAt}.
 */
@Component
class ContactExplanation {

    /** The explanation of one contact's membership of one segment. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "Explanation")
    record Explanation(String segment, String contactId, boolean member,
            @io.swagger.v3.oas.annotations.media.Schema(types = "object", description = "The rule tree, every node with its own "
                    + "fields plus result (true/false) and saw (what it observed: {value} for an attribute, {count}, {aggregate} "
                    + "or {last} for an event node)") JsonNode rule,
            @io.swagger.v3.oas.annotations.media.Schema(nullable = true, description = "The earliest instant membership can "
                    + "change with no new event; null when time alone cannot change it") Instant nextChange,
            Instant evaluatedAt, String status) {}

    private final ContactStore contacts;
    private final SegmentStore segments;
    private final SegmentCatalog catalog;
    private final JsonMapper json;
    private final Clock clock;

    ContactExplanation(ContactStore contacts, SegmentStore segments, SegmentCatalog catalog, JsonMapper json, Clock clock) {
        this.contacts = contacts;
        this.segments = segments;
        this.catalog = catalog;
        this.json = json;
        this.clock = clock;
    }

    Mono<Explanation> explain(String tenantId, String segmentId, String contactId) {
        Mono<SegmentDefinition> definition = segments.find(tenantId, segmentId)
                .switchIfEmpty(Mono.error(() -> ProblemException.notFound("Segment '" + segmentId + "'")));
        Mono<ContactStore.StoredContact> contact = contacts.find(tenantId, contactId)
                .switchIfEmpty(Mono.error(() -> ProblemException.notFound("Contact '" + contactId + "'")));
        return definition.flatMap(d -> contact.flatMap(c -> catalog.current(tenantId).map(all -> explain(d, c, all))));
    }

    private Explanation explain(SegmentDefinition d, ContactStore.StoredContact c, TenantSegments all) {
        JsonNode ruleJson = json.readTree(d.ruleJson());
        Rule rule = RuleReader.read(ruleJson, "/rule", RuleLimits.DEFAULT).rule();
        Map<String, Rule> rules = new LinkedHashMap<>();
        for (CompiledSegment s : all.segments()) rules.put(s.id(), s.evaluator().rule());
        Evaluator evaluator;
        try {
            evaluator = Evaluator.compile(rule, rules, all.zone());
        } catch (IllegalArgumentException e) {
            // A referenced segment changed between the two reads.
            throw ProblemException.unavailable("The tenant's segments changed while explaining; retry", Duration.ofSeconds(1));
        }
        Instant now = clock.instant();
        Instant at = c.nextDue().filter(due -> !due.isAfter(now)).map(due -> due.minus(1, java.time.temporal.ChronoUnit.MICROS)).orElse(now);
        ProfileFacts facts = new ProfileFacts(c.profile(), c.behaviour());
        Map<Rule, Outcome> outcomes = new IdentityHashMap<>();
        evaluator.matches(facts, at, (node, result, saw) -> outcomes.put(node, new Outcome(result, saw)));
        return new Explanation(d.id(), c.contactId(), c.segments().contains(d.id()), annotate(ruleJson, rule, outcomes),
                evaluator.nextChange(facts, at).orElse(null), at, d.status());
    }

    private record Outcome(boolean result, Seen saw) {}

    /** The rule's JSON with each node's result and observation added (the JSON and the tree have one shape). */
    private JsonNode annotate(JsonNode node, Rule rule, Map<Rule, Outcome> outcomes) {
        ObjectNode out = ((ObjectNode) node).deepCopy();
        switch (rule) {
            case Rule.And and -> out.set("and", children(node.get("and"), and.rules(), outcomes));
            case Rule.Or or -> out.set("or", children(node.get("or"), or.rules(), outcomes));
            case Rule.Not not -> out.set("not", annotate(node.get("not"), not.rule(), outcomes));
            default -> {}
        }
        Outcome o = outcomes.get(rule);
        out.put("result", o.result());
        ObjectNode saw = saw(rule, o.saw());
        if (saw != null) out.set("saw", saw);
        return out;
    }

    private ArrayNode children(JsonNode nodes, java.util.List<Rule> rules, Map<Rule, Outcome> outcomes) {
        ArrayNode out = json.createArrayNode();
        for (int i = 0; i < rules.size(); i++) out.add(annotate(nodes.get(i), rules.get(i), outcomes));
        return out;
    }

    /**
     * {"value": v} for an attribute, {"count": n}, {"aggregate": x} or {"last"|"first": instant} for an event
     * condition (null when there is nothing to aggregate or no matching event), {"tagged"|"inAudience"|
     * "subscribed"|"member": b} for the others.
     */
    private ObjectNode saw(Rule rule, Seen seen) {
        ObjectNode out = json.createObjectNode();
        switch (seen) {
            case Seen.Nothing n -> {
                return null;
            }
            case Seen.Attribute a -> {
                if (a.value().isEmpty()) out.putNull("value");
                else switch (a.value().get()) {
                    case Value.Text t -> out.put("value", t.value());
                    case Value.Num n -> out.put("value", n.value());
                    case Value.Bool b -> out.put("value", b.value());
                    case Value.Other o -> out.putNull("value");
                }
            }
            case Seen.Count n -> out.put("count", n.count());
            case Seen.Aggregate a -> {
                if (a.value().isEmpty()) out.putNull("aggregate");
                else out.put("aggregate", a.value().get());
            }
            case Seen.Occurred o -> {
                String field = rule instanceof Rule.EventRecency r ? r.recency().edge().wireName() : "last";
                if (o.at().isEmpty()) out.putNull(field);
                else out.put(field, o.at().get().toString());
            }
            case Seen.Flag f -> out.put(switch (rule) {
                case Rule.HasTag t -> "tagged";
                case Rule.InAudience a -> "inAudience";
                case Rule.Subscribed s -> "subscribed";
                default -> "member";
            }, f.present());
        }
        return out;
    }
}
