package io.segstream.rules;

import static io.segstream.rules.RuleReaderTest.rule;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SegmentGraphTest {

    private final Map<String, Rule> tenant = Map.of(
            "a", rule("{\"segment\":\"b\"}"),
            "b", rule("{\"and\":[{\"segment\":\"c\"},{\"tag\":\"x\"}]}"),
            "c", rule("{\"tag\":\"y\"}"));

    @Test
    void unknownReferencesArePointedAt() {
        var refs = List.of(new RuleReader.Reference("nope", "/rule/or/1/segment"));
        assertThat(SegmentGraph.check("new", refs, tenant))
                .containsExactly(new Problem("/rule/or/1/segment", "no segment 'nope' in this tenant"));
    }

    @Test
    void selfReferenceIsRejected() {
        assertThat(SegmentGraph.check("a", List.of(new RuleReader.Reference("a", "/rule/segment")), tenant))
                .extracting(Problem::message).containsExactly("a segment cannot reference itself");
    }

    @Test
    void aReferenceClosingACycleIsRejectedWithItsPath() {
        // c -> a would close c -> a -> b -> c
        assertThat(SegmentGraph.check("c", List.of(new RuleReader.Reference("a", "/rule/segment")), tenant))
                .extracting(Problem::message).containsExactly("creates a cycle: c -> a -> b -> c");
    }

    @Test
    void acyclicReferencesPass() {
        assertThat(SegmentGraph.check("d", List.of(new RuleReader.Reference("a", "/rule/segment")), tenant)).isEmpty();
    }

    @Test
    void dependentsAreTransitive() {
        assertThat(SegmentGraph.dependents("c", tenant)).containsExactlyInAnyOrder("a", "b");
        assertThat(SegmentGraph.dependents("a", tenant)).isEmpty();
    }
}
