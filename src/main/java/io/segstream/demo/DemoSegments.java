package io.segstream.demo;

import io.segstream.platform.ProblemException;
import io.segstream.rules.RuleReader;
import io.segstream.segment.SegmentBuilder;
import io.segstream.segment.SegmentDefinition;
import io.segstream.segment.SegmentLimits;
import io.segstream.segment.SegmentStore;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo's example segments, created through the segment store (as {@code POST /v1/segments} does)
 * when the tenant has none of them: at the first start, and again only if every one was deleted.
 */
@Component
@ConditionalOnProperty(name = "segstream.demo.enabled", havingValue = "true")
class DemoSegments {

    private static final Logger log = LoggerFactory.getLogger(DemoSegments.class);

    /** A segment of the demo: a stable id, a readable name and its rule as the API's JSON. */
    record Definition(String id, String name, String rule) {}

    static final List<Definition> ALL = List.of(
            new Definition("new-happy-referrers", "New this month, rated us 4+ and would refer us", """
                    {"and":[{"attribute":"createdAt","op":"inCurrent","value":"month"},
                     {"event":"review.left","where":[{"property":"rating","op":"gte","value":4}]},
                     {"event":"survey.answered","where":[{"property":"survey","op":"eq","value":"referral"},
                       {"property":"answer","op":"eq","value":"YES"}]}]}"""),
            new Definition("happy-reviewers-7d", "Happy reviewers (4+ stars, last 7 days)", """
                    {"event":"review.left","where":[{"property":"rating","op":"gte","value":4}],"within":"7d"}"""),
            new Definition("unhappy-reviewers-30d", "Unhappy reviewers (1-2 stars, last 30 days)", """
                    {"event":"review.left","where":[{"property":"rating","op":"lte","value":2}],"within":"30d"}"""),
            new Definition("vip-email", "VIPs reachable by email", """
                    {"and":[{"tag":"vip"},{"attribute":"email","op":"exists"},{"subscribed":"email"}]}"""),
            new Definition("loyal-referrers", "Loyal customers who referred a friend", """
                    {"and":[{"audience":"loyal-customers"},{"event":"referral.sent"}]}"""),
            new Definition("nps-promoters-30d", "NPS promoters (9-10, last 30 days)", """
                    {"event":"survey.answered","where":[{"property":"survey","op":"eq","value":"nps"},
                     {"property":"score","op":"gte","value":9}],"within":"30d"}"""),
            new Definition("new-this-week", "New this week", """
                    {"attribute":"createdAt","op":"inCurrent","value":"week"}"""));

    private final SegmentStore store;
    private final SegmentBuilder builder;
    private final SegmentLimits limits;
    private final JsonMapper json;

    DemoSegments(SegmentStore store, SegmentBuilder builder, SegmentLimits limits, JsonMapper json) {
        this.store = store;
        this.builder = builder;
        this.limits = limits;
        this.json = json;
    }

    /** Creates the demo's segments unless the tenant has one of them; emits how many were created. */
    Mono<Integer> createIfAbsent(String tenantId) {
        Set<String> ids = ALL.stream().map(Definition::id).collect(Collectors.toSet());
        return store.list(tenantId)
                .map(SegmentDefinition::id)
                .filter(ids::contains)
                .hasElements()
                .flatMap(some -> some ? Mono.just(0)
                        : Flux.fromIterable(ALL).concatMap(d -> create(tenantId, d)).count().map(Long::intValue))
                .doOnNext(created -> {
                    if (created == 0) return;
                    builder.wake();
                    log.info("Demo: created {} segments for tenant '{}': {}", created, tenantId, ids.stream().sorted().toList());
                });
    }

    private Mono<SegmentDefinition> create(String tenantId, Definition d) {
        String ruleJson = json.writeValueAsString(json.readTree(d.rule()));
        RuleReader.Result rule = RuleReader.read(json.readTree(ruleJson), "/rule", limits.rules());
        if (!rule.valid()) return Mono.error(new IllegalStateException("Demo segment " + d.id() + " is invalid: " + rule.problems()));
        return store.create(tenantId, d.id(), d.name(), ruleJson, rule.rule(), rule.references())
                // Created meanwhile by another instance: nothing to do.
                .onErrorResume(e -> e instanceof ProblemException p && p.status() == HttpStatus.CONFLICT, e -> Mono.empty());
    }
}
