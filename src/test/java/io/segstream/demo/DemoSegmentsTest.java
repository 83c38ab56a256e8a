package io.segstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.rules.RuleLimits;
import io.segstream.rules.RuleReader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class DemoSegmentsTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void everySegmentHasAUniqueValidIdANameAndAValidRule() {
        assertThat(DemoSegments.ALL.stream().map(DemoSegments.Definition::id).collect(Collectors.toSet()))
                .hasSize(DemoSegments.ALL.size());
        for (DemoSegments.Definition d : DemoSegments.ALL) {
            assertThat(d.id()).matches("[a-z0-9][a-z0-9-]{0,62}");
            assertThat(d.name()).isNotBlank().hasSizeLessThanOrEqualTo(200);
            RuleReader.Result rule = RuleReader.read(json.readTree(d.rule()), "/rule", RuleLimits.DEFAULT);
            assertThat(rule.problems()).as(d.id()).isEmpty();
        }
    }

    @Test
    void theSeedsExampleIsAmongThem() {
        String example = """
                {"and":[{"attribute":"createdAt","op":"inCurrent","value":"month"},{"event":"review.left","where":[{"property":"rating","op":"gte","value":4}]},{"event":"survey.answered","where":[{"property":"survey","op":"eq","value":"referral"},{"property":"answer","op":"eq","value":"YES"}]}]}""";
        assertThat(DemoSegments.ALL).anySatisfy(d -> assertThat(json.readTree(d.rule())).isEqualTo(json.readTree(example)));
    }
}
