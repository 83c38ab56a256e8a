package io.segstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.rules.Op;
import io.segstream.rules.Operand;
import io.segstream.rules.Rule;
import io.segstream.rules.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

class BitmapProgramTest {

    @Test
    void setRulesCompileToPostfixBitOperationsWithSharedSources() {
        Rule rule = new Rule.And(List.of(new Rule.HasTag("vip"), new Rule.Not(new Rule.InAudience("a")),
                new Rule.Or(List.of(new Rule.SegmentRef("s"), new Rule.HasTag("vip"))), new Rule.Subscribed("email")));
        BitmapProgram p = BitmapProgram.compile(rule).orElseThrow();
        assertThat(p.sources()).containsExactly("tag:vip", "aud:a", "seg:s", "unsub:email");
        assertThat(p.ops()).containsExactly("K", "0", "K", "1", "NOT", "0", "K", "2", "K", "0", "OR", "1", "2",
                "K", "3", "NOT", "2", "AND", "3", "4");
        assertThat(p.temps()).isEqualTo(4);
    }

    @Test
    void rulesThatReadContactStateAreNotBitmapRules() {
        Rule attribute = new Rule.AttributeTest(new io.segstream.rules.Test("city", Op.EQ, new Operand.Scalar(new Value.Text("Lyon"))));
        assertThat(BitmapProgram.compile(new Rule.Or(List.of(new Rule.HasTag("vip"), attribute)))).isEmpty();
    }
}
