package io.segstream.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RuleTextTest {

    static final String SEED_TEXT = "createdAt in current month and review.left(rating >= 4)"
            + " and survey.answered(survey = \"referral\", answer = \"YES\")";

    @Test
    void theSeedExampleReadsAndPrintsPlainly() {
        Rule seed = RuleReaderTest.rule(RuleReaderTest.SEED_EXAMPLE);
        assertThat(RuleText.print(seed)).isEqualTo(SEED_TEXT);
        assertThat(read(SEED_TEXT)).isEqualTo(seed);
    }

    @Test
    void everyNodePrintsReadably() {
        Rule rule = RuleReaderTest.rule("""
                {"or": [
                  {"not": {"tag": "vip"}},
                  {"audience": "loyal-customers"},
                  {"subscribed": "sms"},
                  {"segment": "other-1"},
                  {"attribute": "email", "op": "endsWith", "value": "@gmail.com"},
                  {"attribute": "name", "op": "startsWith", "value": "Jo"},
                  {"attribute": "note", "op": "contains", "value": "late"},
                  {"attribute": "age", "op": "between", "value": [18, 65]},
                  {"attribute": "plan", "op": "in", "value": ["gold", "silver"]},
                  {"attribute": "plan", "op": "notIn", "value": ["free"]},
                  {"attribute": "score", "op": "neq", "value": 2.50},
                  {"attribute": "score", "op": "gt", "value": -1},
                  {"attribute": "score", "op": "lt", "value": 1e30},
                  {"attribute": "score", "op": "lte", "value": 0.000001},
                  {"attribute": "verified", "op": "eq", "value": true},
                  {"attribute": "phone", "op": "exists"},
                  {"attribute": "phone", "op": "missing"},
                  {"attribute": "lastVisit", "op": "withinLast", "value": "30d"},
                  {"attribute": "lastVisit", "op": "olderThan", "value": "8w"},
                  {"attribute": "createdAt", "op": "inPrevious", "value": "quarter"},
                  {"attribute": "birthday", "op": "before", "value": "2000-01-01"},
                  {"attribute": "seenAt", "op": "after", "value": "2026-11-28T10:00:00Z"},
                  {"and": [{"tag": "a"}, {"or": [{"tag": "b"}, {"tag": "c"}]}]},
                  {"and": [{"tag": "only"}]},
                  {"event": "message.opened", "count": {"op": "between", "value": [2, 5]}, "within": "8w"},
                  {"event": "review.left", "count": {"op": "gte", "value": 3}, "within": {"inCurrent": "month"}},
                  {"event": "referral.sent", "within": {"inPrevious": "quarter"}}]}""");
        String text = RuleText.print(rule);
        assertThat(text).isEqualTo("not has tag vip or in audience loyal-customers or subscribed to sms or in segment other-1"
                + " or email ends with \"@gmail.com\" or name starts with \"Jo\" or note contains \"late\""
                + " or age between 18 and 65 or plan in [\"gold\", \"silver\"] or plan not in [\"free\"]"
                + " or score != 2.5 or score > -1 or score < 1.0E+30 or score <= 0.0000010 or verified = true"
                + " or phone exists or phone is missing or lastVisit within last 30d or lastVisit older than 8w"
                + " or createdAt in previous quarter or birthday before 2000-01-01 or seenAt after 2026-11-28T10:00:00Z"
                + " or has tag a and (has tag b or has tag c) or all(has tag only)"
                + " or message.opened() count between 2 and 5 within 8w"
                + " or review.left() count >= 3 in current month or referral.sent() in previous quarter");
        assertThat(read(text)).isEqualTo(rule);
    }

    @Test
    void aggregatesAndRecencyReadAndPrint() {
        Rule rule = RuleReaderTest.rule("""
                {"and": [
                  {"event": "purchase.made", "where": [{"property": "store", "op": "eq", "value": "north"}],
                   "aggregate": {"fn": "sum", "property": "amount", "op": "gte", "value": 100}, "within": "90d"},
                  {"event": "review.left", "aggregate": {"fn": "avg", "property": "rating", "op": "between", "value": [1, 3]},
                   "within": {"inPrevious": "month"}},
                  {"event": "purchase.made", "aggregate": {"fn": "min", "property": "total amount", "op": "lt", "value": 5}},
                  {"event": "purchase.made", "aggregate": {"fn": "max", "property": "amount", "op": "gt", "value": 1000}},
                  {"event": "review.left", "last": {"op": "olderThan", "value": "90d"}},
                  {"event": "visit", "first": {"op": "withinLast", "value": "30d"}},
                  {"event": "visit", "last": {"op": "inCurrent", "value": "week"}},
                  {"event": "visit", "first": {"op": "before", "value": "2026-01-01"}}]}""");
        String text = RuleText.print(rule);
        assertThat(text).isEqualTo("purchase.made(store = \"north\") sum of amount >= 100 within 90d"
                + " and review.left() avg of rating between 1 and 3 in previous month"
                + " and purchase.made() min of \"total amount\" < 5 and purchase.made() max of amount > 1000"
                + " and review.left() last older than 90d and visit() first within last 30d"
                + " and visit() last in current week and visit() first before 2026-01-01");
        assertThat(read(text)).isEqualTo(rule);
        assertThat(read("review.left(rating >= 4) last within 30d")).isEqualTo(read("review.left(rating >= 4) last within last 30d"));
    }

    @Test
    void parenthesesKeepTheTreeAsWritten() {
        assertThat(RuleText.print(read("(has tag a and has tag b) and has tag c"))).isEqualTo("(has tag a and has tag b) and has tag c");
        assertThat(RuleText.print(read("has tag a and has tag b and has tag c"))).isEqualTo("has tag a and has tag b and has tag c");
        assertThat(RuleText.print(read("((has tag a) or (has tag b))"))).isEqualTo("has tag a or has tag b");
        assertThat(RuleText.print(read("not (has tag a or has tag b)"))).isEqualTo("not (has tag a or has tag b)");
        assertThat(RuleText.print(read("not has tag a or has tag b"))).isEqualTo("not has tag a or has tag b");
        assertThat(read("not has tag a or has tag b")).isInstanceOf(Rule.Or.class);
        assertThat(read("has tag a or has tag b and has tag c")).isInstanceOf(Rule.Or.class);
        assertThat(read("all(has tag a, has tag b)")).isEqualTo(read("has tag a and has tag b"));
        assertThat(read("any(has tag a, has tag b)")).isEqualTo(read("has tag a or has tag b"));
    }

    @Test
    void namesAreQuotedWhenTheyMustBe() {
        Rule rule = RuleReaderTest.rule("""
                {"and": [{"attribute": "and", "op": "eq", "value": "x"}, {"tag": "VIP customer"},
                         {"attribute": "first name", "op": "eq", "value": "Zoë \\"Z\\"\\n"},
                         {"event": "2fa.enabled"}, {"event": "all"}, {"segment": "in"},
                         {"attribute": "code", "op": "eq", "value": "30d"},
                         {"attribute": "code", "op": "eq", "value": "2026-01-01"}]}""");
        String text = RuleText.print(rule);
        assertThat(text).isEqualTo("\"and\" = \"x\" and has tag \"VIP customer\" and \"first name\" = \"Zoë \\\"Z\\\"\\n\""
                + " and \"2fa.enabled\"() and \"all\"() and in segment \"in\" and code = \"30d\" and code = 2026-01-01");
        assertThat(read(text)).isEqualTo(rule);
    }

    @Test
    void keywordsIgnoreCase() {
        assertThat(read("HAS TAG vip AND NOT In Audience x")).isEqualTo(read("has tag vip and not in audience x"));
    }

    @Test
    void lenientSpellingsReadToTheCanonicalOne() {
        assertThat(RuleText.print(read("phone missing"))).isEqualTo("phone is missing");
        assertThat(RuleText.print(read("seenAt within 30d"))).isEqualTo("seenAt within last 30d");
        assertThat(RuleText.print(read("a.b() within last 30d"))).isEqualTo("a.b() within 30d");
        assertThat(RuleText.print(read("a.b() within 30d count >= 1"))).isEqualTo("a.b() within 30d");
        assertThat(RuleText.print(read("createdAt in current MONTH"))).isEqualTo("createdAt in current month");
        assertThat(RuleText.print(read("x = \"a\\u0041\\/\""))).isEqualTo("x = \"aA/\"");
    }

    @Test
    void textIsValidatedLikeJson() {
        RuleText.Result result = RuleText.read("has tag vip and subscribed to fax", "/rule", RuleLimits.DEFAULT);
        assertThat(result.errors()).containsExactly(new RuleTextError(1, 31, "the channel must be email or sms"));
        assertThat(result.rule()).isNull();
    }

    @Test
    void referencesPointIntoTheJsonForm() {
        RuleText.Result result = RuleText.read("has tag a or\n  in segment other-1", "/rule", RuleLimits.DEFAULT);
        assertThat(result.references()).containsExactly(new RuleReader.Reference("other-1", "/rule/or/1/segment"));
        assertThat(result.locate("/rule/or/1/segment", "no such segment")).isEqualTo(new RuleTextError(2, 14, "no such segment"));
        assertThat(result.json()).isEqualTo(RuleJson.write(result.rule()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "rating >=|1|10|expected a value after `>=`, but the rule ends here",
        "rating >= and has tag x|1|11|expected a value after `>=`, found `and`",
        "rating => 4|1|8|unknown operator `=>`, did you mean `>=`?",
        "rating == 4|1|8|unknown operator `==`, did you mean `=`?",
        "has tag a && has tag b|1|11|unknown operator `&&`, did you mean `and`?",
        "email contians \"@x\"|1|7|unknown operator `contians`, did you mean `contains`?",
        "rating gte 4|1|8|unknown operator `gte`, did you mean `>=`?",
        "has tag a adn has tag b|1|11|unknown keyword `adn`, did you mean `and`?",
        "review.left() cout >= 2|1|15|unknown keyword `cout`, did you mean `count`?",
        "has tga vip|1|5|expected `tag` after `has`, found `tga`; did you mean `tag`?",
        "createdAt in current mnth|1|22|unknown period `mnth`, did you mean `month`?",
        "(has tag a or has tag b|1|1|this `(` is never closed",
        "review.left(rating >= 4|1|12|this `(` is never closed",
        "plan in [\"a\", \"b\"|1|9|this `[` is never closed",
        "name = \"Jo|1|8|this text has no closing `\"`",
        "has tag a)|1|10|unexpected `)`: no `(` is open here",
        "(has tag a has tag b)|1|12|expected `and`, `or` or `)` after the condition, found `has`",
        "has tag a\\nand plan = gold|2|12|write text between double quotes: \"gold\"",
        "plan = ‘gold’|1|8|write text between straight double quotes, such as \"gold\"",
        "seenAt within last 30 days|1|20|write the duration as one word, such as 30d: a number then s, m, h, d or w",
        "seenAt within last 0d|1|20|the value must be a duration such as 90s, 15m, 12h, 30d or 8w",
        "plan in [1, \"a\"]|1|13|all items must have the same type",
        "plan in []|1|9|the value must not be empty",
        "age between 65 and 18|1|5|low must not be greater than high",
        "in segment \"Not Valid\"|1|12|the segment id must be a segment id ([a-z0-9][a-z0-9-]{0,62})",
        "review.left(at within last 1d)|1|16|time-relative operators are not available on event properties; use the event's within",
        "review.left() count >= 1.5|1|24|the count must be a whole number, 0 or more",
        "review.left() count >= 1 count >= 2|1|26|this event already has its count",
        "review.left(rating >= 4 and site = \"g\")|1|25|separate an event's property tests with commas, as in review.left(rating >= 4, site = \"google\")",
        "tag vip|1|1|to test a tag write `has tag vip`",
        "has tag and|1|9|`and` is a keyword; to use it as a name, quote it: \"and\"",
        "and has tag x|1|1|expected a condition before `and`",
        "|1|1|the rule is empty: write a condition such as has tag vip",
        "has tag x;|1|10|unexpected character `;`",
        "x = 2026-13-45|1|5|`2026-13-45` is not a number, a duration such as 30d, or a date such as 2026-11-28",
        "x = 30d|1|5|a duration such as 30d only follows `within` or `older than`; write text between double quotes",
        "x = \"a\\qb\"|1|7|unknown escape `\\q` in text; write `\\\\` for a backslash and `\\\"` for a quote",
        "x before \"soon\"|1|10|the value must be a date or instant such as 2026-11-28 or 2026-11-28T10:00:00Z",
        "x > \"abc\"|1|5|the value must be a number or a date such as 2026-11-28",
        "x contains 5|1|12|the value must be a string",
        "purchase.made() sum of amount = 100|1|31|the operator must be >, >=, <, <= or between",
        "purchase.made() avg of amount >= \"x\"|1|34|the value must be a number",
        "purchase.made() max of amount between 1 and \"x\"|1|31|the value must be two numbers",
        "purchase.made() sum of|1|23|expected a property after `sum of`, but the rule ends here",
        "purchase.made() sum of amount|1|30|expected a comparison such as >= 100 after `sum of amount`, but the rule ends here",
        "review.left() count >= 2 last older than 90d|1|26|an event condition tests one of: count (how many events match), sum/avg/min/max of (a number they carry), or first/last (when one occurred)",
        "review.left() last older than 90d within 30d|1|42|within does not apply to last: its date test says when, as in last within last 30d",
        "review.left() last older than 90d first within last 1d|1|35|this event already has its first or last test",
        "review.left() last soon|1|20|expected a date test after `last` (within last, older than, in current, in previous, before or after), found `soon`",
        "x|1|2|expected an operator after `x` (such as =, >=, in, contains, exists, within last), but the rule ends here",
    })
    void eachMistakeIsExplainedWhereItIs(String text, int line, int column, String message) {
        RuleText.Result result = RuleText.read(text == null ? "" : text.replace("\\n", "\n"), RuleLimits.DEFAULT);
        assertThat(result.valid()).isFalse();
        assertThat(result.errors()).first().isEqualTo(new RuleTextError(line, column, message));
    }

    @Test
    void nestingIsLimitedWithoutExhaustingTheStack() {
        String deep = "(".repeat(10_000) + "has tag x" + ")".repeat(10_000);
        assertThat(RuleText.read(deep, RuleLimits.DEFAULT).errors()).extracting(RuleTextError::message)
                .containsExactly("too deeply nested: at most 32 levels of parentheses, not, all and any");
        String nots = "not ".repeat(10_000) + "has tag x";
        assertThat(RuleText.read(nots, RuleLimits.DEFAULT).errors()).singleElement()
                .isEqualTo(new RuleTextError(1, 129, "too deeply nested: at most 32 levels of parentheses, not, all and any"));
    }

    @Test
    void nodeCountAndLengthAreLimited() {
        String many = "has tag t or ".repeat(600) + "has tag t";
        assertThat(RuleText.read(many, RuleLimits.DEFAULT).errors()).singleElement()
                .extracting(RuleTextError::message).isEqualTo("a rule may have at most 500 nodes");
        assertThat(RuleText.read("x = \"" + "a".repeat(RuleText.MAX_LENGTH) + "\"", RuleLimits.DEFAULT).errors())
                .extracting(RuleTextError::message).containsExactly("a rule may be at most 262144 characters long");
        assertThat(RuleText.read("has tag \"" + "a".repeat(11) + "\"", new RuleLimits(32, 500, 1000, 10)).errors())
                .extracting(RuleTextError::message).containsExactly("the tag must be 1-10 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x = 1e99999", "x = 1e999999999999", "x = -0.0000", "review.left() count >= 99999999999999999999"})
    void extremeNumbersAreErrorsOrValues(String text) {
        RuleText.Result result = RuleText.read(text, RuleLimits.DEFAULT);
        assertThat(result.valid() ? result.rule() : result.errors()).isNotNull();
        if (result.valid()) assertThat(read(RuleText.print(result.rule()))).isEqualTo(result.rule());
    }

    static Rule read(String text) {
        RuleText.Result result = RuleText.read(text, RuleLimits.DEFAULT);
        assertThat(result.errors()).as(text).isEmpty();
        return result.rule();
    }
}
