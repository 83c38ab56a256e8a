package io.segstream.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class RuleReaderTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    static final String SEED_EXAMPLE = """
            {"and": [
              {"attribute": "createdAt", "op": "inCurrent", "value": "month"},
              {"event": "review.left", "where": [{"property": "rating", "op": "gte", "value": 4}]},
              {"event": "survey.answered", "where": [{"property": "survey", "op": "eq", "value": "referral"},
                                                      {"property": "answer", "op": "eq", "value": "YES"}]}]}""";

    @Test
    void readsTheSeedExampleAndPrintsItReadably() {
        RuleReader.Result result = read(SEED_EXAMPLE);
        assertThat(result.problems()).isEmpty();
        assertThat(result.rule()).hasToString("(createdAt inCurrent month"
                + " && event review.left[rating gte 4] count gte 1 ever"
                + " && event survey.answered[answer eq \"YES\" && survey eq \"referral\"] count gte 1 ever)");
    }

    @Test
    void readsEveryNodeKind() {
        RuleReader.Result result = read("""
                {"or": [
                  {"not": {"tag": "vip"}},
                  {"audience": "loyal"},
                  {"subscribed": "sms"},
                  {"segment": "other-1"},
                  {"attribute": "email", "op": "endsWith", "value": "@gmail.com"},
                  {"attribute": "age", "op": "between", "value": [18, 65]},
                  {"attribute": "plan", "op": "in", "value": ["gold", "silver"]},
                  {"attribute": "phone", "op": "missing"},
                  {"attribute": "lastVisit", "op": "withinLast", "value": "30d"},
                  {"attribute": "birthday", "op": "before", "value": "2000-01-01"},
                  {"event": "message.opened", "count": {"op": "between", "value": [2, 5]}, "within": "8w"},
                  {"event": "referral.sent", "within": {"inPrevious": "quarter"}}]}""");
        assertThat(result.problems()).isEmpty();
        assertThat(result.references()).containsExactly(new RuleReader.Reference("other-1", "/rule/or/3/segment"));
        assertThat(result.rule().toString()).contains("!tag vip", "age between [18, 65]", "plan in [\"gold\", \"silver\"]",
                "count between [2, 5] within 8w", "in previous quarter");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"and\": []}|/rule/and",
        "{\"and\": [{\"tag\": \"a\"}, {\"attribute\": \"x\", \"op\": \"like\", \"value\": 1}]}|/rule/and/1/op",
        "{\"tag\": \"a\", \"audience\": \"b\"}|/rule",
        "{}|/rule",
        "{\"tag\": \"\"}|/rule/tag",
        "{\"tag\": 5}|/rule/tag",
        "{\"tag\": \"a\", \"extra\": 1}|/rule/extra",
        "{\"subscribed\": \"fax\"}|/rule/subscribed",
        "{\"segment\": \"Not Valid\"}|/rule/segment",
        "{\"attribute\": \"x\", \"op\": \"in\", \"value\": [1, \"a\"]}|/rule/value/1",
        "{\"attribute\": \"x\", \"op\": \"in\", \"value\": []}|/rule/value",
        "{\"attribute\": \"x\", \"op\": \"between\", \"value\": [5, 1]}|/rule/value",
        "{\"attribute\": \"x\", \"op\": \"between\", \"value\": [1, \"2026-01-01\"]}|/rule/value",
        "{\"attribute\": \"x\", \"op\": \"gt\", \"value\": \"abc\"}|/rule/value",
        "{\"attribute\": \"x\", \"op\": \"exists\", \"value\": 1}|/rule/value",
        "{\"attribute\": \"x\", \"op\": \"eq\"}|/rule/value",
        "{\"attribute\": \"x\", \"op\": \"eq\", \"value\": {\"a\": 1}}|/rule/value",
        "{\"attribute\": \"x\", \"op\": \"withinLast\", \"value\": \"30 days\"}|/rule/value",
        "{\"attribute\": \"x\", \"op\": \"inCurrent\", \"value\": \"decade\"}|/rule/value",
        "{\"attribute\": \"x\", \"op\": \"before\", \"value\": \"soon\"}|/rule/value",
        "{\"event\": \"a b\"}|/rule/event",
        "{\"event\": \"x\", \"where\": [{\"property\": \"at\", \"op\": \"withinLast\", \"value\": \"1d\"}]}|/rule/where/0/op",
        "{\"event\": \"x\", \"where\": [{\"property\": \"p\", \"op\": \"eq\", \"value\": 1, \"x\": 2}]}|/rule/where/0/x",
        "{\"event\": \"x\", \"count\": {\"op\": \"contains\", \"value\": 1}}|/rule/count/op",
        "{\"event\": \"x\", \"count\": {\"op\": \"gte\", \"value\": -1}}|/rule/count/value",
        "{\"event\": \"x\", \"count\": {\"op\": \"gte\", \"value\": 1.5}}|/rule/count/value",
        "{\"event\": \"x\", \"within\": \"forever\"}|/rule/within",
        "{\"event\": \"x\", \"within\": {\"inCurrent\": \"era\"}}|/rule/within/inCurrent",
        "{\"not\": null}|/rule/not",
    })
    void eachProblemHasItsPointer(String json, String pointer) {
        RuleReader.Result result = read(json);
        assertThat(result.valid()).isFalse();
        assertThat(result.rule()).isNull();
        assertThat(result.problems()).extracting(Problem::pointer).contains(pointer);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        RuleReader.Result result = read("""
                {"and": [{"tag": 1}, {"attribute": "x", "op": "nope"}, {"subscribed": "fax"}]}""");
        assertThat(result.problems()).extracting(Problem::pointer)
                .containsExactly("/rule/and/0/tag", "/rule/and/1/op", "/rule/and/2/subscribed");
    }

    @Test
    void depthIsLimited() {
        String deep = "{\"tag\": \"x\"}";
        for (int i = 0; i < 40; i++) deep = "{\"not\": " + deep + "}";
        RuleReader.Result result = RuleReader.read(JSON.readTree(deep), "/rule", new RuleLimits(32, 500, 1000, 1024));
        assertThat(result.problems()).hasSize(1);
        assertThat(result.problems().get(0).pointer()).isEqualTo("/rule" + "/not".repeat(32));
        assertThat(result.problems().get(0).message()).contains("32");
    }

    @Test
    void nodeCountIsLimited() {
        StringBuilder sb = new StringBuilder("{\"or\": [");
        for (int i = 0; i < 600; i++) sb.append(i == 0 ? "" : ",").append("{\"tag\": \"t").append(i).append("\"}");
        RuleReader.Result result = read(sb.append("]}").toString());
        assertThat(result.problems()).hasSize(1);
        assertThat(result.problems().get(0).message()).contains("500 nodes");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"attribute\": \"x\", \"op\": \"eq\", \"value\": 1e400}                | /rule/value",
            "{\"attribute\": \"x\", \"op\": \"gt\", \"value\": -1e400}               | /rule/value",
            "{\"attribute\": \"x\", \"op\": \"between\", \"value\": [1, 1e400]}      | /rule/value/1",
            "{\"event\": \"p.m\", \"where\": [{\"property\": \"a\", \"op\": \"eq\", \"value\": 1e400}]} | /rule/where/0/value",
            "{\"event\": \"p.m\", \"aggregate\": {\"fn\": \"sum\", \"property\": \"a\", \"op\": \"gte\", \"value\": 1e400}} | /rule/aggregate/value"})
    void numbersBeyondADoublesRangeAreProblemsNotFailures(String json, String pointer) {
        assertThat(read(json).problems()).extracting(Problem::pointer).contains(pointer);
    }

    @Test
    void listSizesAndStringLengthsAreLimited() {
        RuleLimits small = new RuleLimits(32, 500, 3, 10);
        assertThat(RuleReader.read(JSON.readTree("{\"attribute\": \"x\", \"op\": \"in\", \"value\": [1,2,3,4]}"), "/rule", small)
                .problems()).extracting(Problem::pointer).containsExactly("/rule/value");
        assertThat(RuleReader.read(JSON.readTree("{\"tag\": \"abcdefghijk\"}"), "/rule", small)
                .problems()).extracting(Problem::pointer).containsExactly("/rule/tag");
        assertThat(RuleReader.read(JSON.readTree("{\"attribute\": \"x\", \"op\": \"eq\", \"value\": \"abcdefghijk\"}"), "/rule", small)
                .problems()).extracting(Problem::pointer).containsExactly("/rule/value");
    }

    @Test
    void equalSignaturesHaveEqualKeysWhateverTheFilterOrder() {
        Rule a = read("{\"event\": \"s\", \"where\": [{\"property\": \"a\", \"op\": \"eq\", \"value\": 1},"
                + "{\"property\": \"b\", \"op\": \"eq\", \"value\": 2}]}").rule();
        Rule b = read("{\"event\": \"s\", \"where\": [{\"property\": \"b\", \"op\": \"eq\", \"value\": 2},"
                + "{\"property\": \"a\", \"op\": \"eq\", \"value\": 1}]}").rule();
        assertThat(((Rule.EventCondition) a).signature().key()).isEqualTo(((Rule.EventCondition) b).signature().key());
    }

    static RuleReader.Result read(String json) {
        JsonNode node = JSON.readTree(json);
        return RuleReader.read(node, "/rule", RuleLimits.DEFAULT);
    }

    static Rule rule(String json) {
        RuleReader.Result r = read(json);
        assertThat(r.problems()).as(json).isEmpty();
        return r.rule();
    }

    static List<Problem> problems(String json) {
        return read(json).problems();
    }
}
