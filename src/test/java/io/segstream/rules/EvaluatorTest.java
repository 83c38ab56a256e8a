package io.segstream.rules;

import static io.segstream.rules.RuleReaderTest.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EvaluatorTest {

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        // exact comparisons, same type only
        "{\"attribute\":\"a\",\"op\":\"eq\",\"value\":\"Gold\"}|\"Gold\"|true",
        "{\"attribute\":\"a\",\"op\":\"eq\",\"value\":\"Gold\"}|\"gold\"|false",
        "{\"attribute\":\"a\",\"op\":\"eq\",\"value\":5}|5.0|true",
        "{\"attribute\":\"a\",\"op\":\"eq\",\"value\":5}|\"5\"|false",
        "{\"attribute\":\"a\",\"op\":\"neq\",\"value\":5}|\"5\"|false",
        "{\"attribute\":\"a\",\"op\":\"neq\",\"value\":5}|6|true",
        "{\"attribute\":\"a\",\"op\":\"neq\",\"value\":5}||false",
        "{\"attribute\":\"a\",\"op\":\"eq\",\"value\":true}|true|true",
        "{\"attribute\":\"a\",\"op\":\"in\",\"value\":[\"x\",\"y\"]}|\"y\"|true",
        "{\"attribute\":\"a\",\"op\":\"notIn\",\"value\":[\"x\",\"y\"]}|\"z\"|true",
        "{\"attribute\":\"a\",\"op\":\"notIn\",\"value\":[\"x\",\"y\"]}|3|false",
        "{\"attribute\":\"a\",\"op\":\"notIn\",\"value\":[\"x\",\"y\"]}||false",
        // strings ignore case
        "{\"attribute\":\"a\",\"op\":\"endsWith\",\"value\":\"@GMAIL.com\"}|\"Ada@Gmail.COM\"|true",
        "{\"attribute\":\"a\",\"op\":\"startsWith\",\"value\":\"ad\"}|\"Ada\"|true",
        "{\"attribute\":\"a\",\"op\":\"contains\",\"value\":\"DA@\"}|\"ada@x\"|true",
        "{\"attribute\":\"a\",\"op\":\"contains\",\"value\":\"1\"}|10|false",
        // ordered: numbers with numbers, dates with dates
        "{\"attribute\":\"a\",\"op\":\"gt\",\"value\":4}|4.5|true",
        "{\"attribute\":\"a\",\"op\":\"gte\",\"value\":4}|4|true",
        "{\"attribute\":\"a\",\"op\":\"lt\",\"value\":4}|\"3\"|false",
        "{\"attribute\":\"a\",\"op\":\"between\",\"value\":[1,3]}|3|true",
        "{\"attribute\":\"a\",\"op\":\"between\",\"value\":[1,3]}|3.01|false",
        "{\"attribute\":\"a\",\"op\":\"gte\",\"value\":\"2026-01-01\"}|\"2026-01-01T00:00:00Z\"|true",
        "{\"attribute\":\"a\",\"op\":\"lt\",\"value\":\"2026-01-01T00:00:00Z\"}|\"2025-12-31\"|true",
        "{\"attribute\":\"a\",\"op\":\"gt\",\"value\":\"2026-01-01\"}|5|false",
        "{\"attribute\":\"a\",\"op\":\"before\",\"value\":\"2026-01-01\"}|\"2025-12-31T23:59:59Z\"|true",
        "{\"attribute\":\"a\",\"op\":\"after\",\"value\":\"2026-01-01\"}|\"2026-01-01T00:00:00Z\"|false",
        // exists / missing
        "{\"attribute\":\"a\",\"op\":\"exists\"}|false|true",
        "{\"attribute\":\"a\",\"op\":\"exists\"}||false",
        "{\"attribute\":\"a\",\"op\":\"missing\"}||true",
        "{\"attribute\":\"a\",\"op\":\"missing\"}|1|false",
        // a missing attribute fails every test but missing, so not() is the complement
        "{\"attribute\":\"a\",\"op\":\"lt\",\"value\":5}||false",
        "{\"not\":{\"attribute\":\"a\",\"op\":\"gte\",\"value\":5}}||true",
    })
    void attributeSemantics(String ruleJson, String attributeJson, boolean expected) {
        TestContact c = new TestContact();
        if (attributeJson != null) c.attr("a", value(attributeJson));
        assertThat(Evaluator.compile(rule(ruleJson), Map.of(), UTC).matches(c, NOW)).isEqualTo(expected);
    }

    @Test
    void theSeedExampleMatchesOnlyWhenAllThreePartsHold() {
        Evaluator e = Evaluator.compile(rule(RuleReaderTest.SEED_EXAMPLE), Map.of(), UTC);
        TestContact c = new TestContact().created(Instant.parse("2026-11-03T09:00:00Z"))
                .event("review.left", Instant.parse("2026-11-04T09:00:00Z"), Map.of("rating", Value.of(5)));
        assertThat(e.matches(c, NOW)).isFalse();
        c.event("survey.answered", Instant.parse("2026-11-05T09:00:00Z"),
                Map.of("survey", Value.of("referral"), "answer", Value.of("yes")));
        assertThat(e.matches(c, NOW)).as("answers compare exactly").isFalse();
        c.event("survey.answered", Instant.parse("2026-11-06T09:00:00Z"),
                Map.of("survey", Value.of("referral"), "answer", Value.of("YES")));
        assertThat(e.matches(c, NOW)).isTrue();
        assertThat(e.matches(c, Instant.parse("2026-12-01T00:00:00Z"))).as("a new month starts").isFalse();
        assertThat(e.nextChange(c, NOW)).contains(Instant.parse("2026-12-01T00:00:00Z"));
    }

    @Test
    void tagsAudiencesAndConsent() {
        TestContact c = new TestContact();
        c.tags.add("vip");
        c.audiences.add("loyal");
        c.unsubscribed.add("sms");
        assertThat(Evaluator.compile(rule("{\"and\":[{\"tag\":\"vip\"},{\"audience\":\"loyal\"},{\"subscribed\":\"email\"}]}"),
                Map.of(), UTC).matches(c, NOW)).isTrue();
        assertThat(Evaluator.compile(rule("{\"subscribed\":\"sms\"}"), Map.of(), UTC).matches(c, NOW)).isFalse();
        assertThat(Evaluator.compile(rule("{\"or\":[{\"tag\":\"x\"},{\"tag\":\"y\"}]}"), Map.of(), UTC).matches(c, NOW))
                .as("an or of false children is false").isFalse();
    }

    @Test
    void eventCountsWithWhereCountAndWithin() {
        TestContact c = new TestContact();
        for (int i = 1; i <= 4; i++) {
            c.event("message.opened", NOW.minusSeconds(i * 86400L), Map.of("channel", Value.of("email")));
        }
        c.event("message.opened", NOW.minusSeconds(3600), Map.of("channel", Value.of("sms")));
        Rule r = rule("{\"event\":\"message.opened\",\"where\":[{\"property\":\"channel\",\"op\":\"eq\",\"value\":\"email\"}],"
                + "\"count\":{\"op\":\"gte\",\"value\":3},\"within\":\"3d\"}");
        Evaluator e = Evaluator.compile(r, Map.of(), UTC);
        assertThat(e.matches(c, NOW)).isTrue();
        // The email event exactly 3 days old is the oldest in the window; it leaves one microsecond later.
        Instant leaves = NOW.plusNanos(1000);
        assertThat(e.nextChange(c, NOW)).contains(leaves);
        assertThat(e.matches(c, leaves.minusNanos(1000))).isTrue();
        assertThat(e.matches(c, leaves)).isFalse();
    }

    @Test
    void segmentReferencesEvaluateTheReferencedRule() {
        Rule vip = rule("{\"tag\":\"vip\"}");
        Rule rule = rule("{\"and\":[{\"segment\":\"vips\"},{\"subscribed\":\"email\"}]}");
        Evaluator e = Evaluator.compile(rule, Map.of("vips", vip), UTC);
        TestContact c = new TestContact();
        assertThat(e.matches(c, NOW)).isFalse();
        c.tags.add("vip");
        assertThat(e.matches(c, NOW)).isTrue();
        assertThat(e.inputs().segments()).containsExactly("vips");
        assertThat(e.inputs().tags()).containsExactly("vip");
        assertThatThrownBy(() -> Evaluator.compile(rule, Map.of(), UTC)).hasMessageContaining("unknown segment vips");
    }

    @Test
    void inputsNameWhatTheRuleReads() {
        Evaluator e = Evaluator.compile(rule(RuleReaderTest.SEED_EXAMPLE), Map.of(), UTC);
        assertThat(e.inputs().createdAt()).isTrue();
        assertThat(e.inputs().timeDependent()).isTrue();
        assertThat(e.inputs().signatures().keySet()).extracting(Signature::type)
                .containsExactlyInAnyOrder("review.left", "survey.answered");
        Evaluator tagOnly = Evaluator.compile(rule("{\"tag\":\"vip\"}"), Map.of(), UTC);
        assertThat(tagOnly.inputs().timeDependent()).isFalse();
        assertThat(tagOnly.nextChange(new TestContact(), NOW)).isEmpty();
    }

    static Value value(String json) {
        if (json.startsWith("\"")) return new Value.Text(json.substring(1, json.length() - 1));
        if (json.equals("true") || json.equals("false")) return new Value.Bool(Boolean.parseBoolean(json));
        return new Value.Num(new BigDecimal(json));
    }
}
