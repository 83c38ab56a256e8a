package io.segstream.segment;

/**
 * The examples the OpenAPI document shows for segments: the seed's "created this month, left a positive
 * rating, answered YES to our referral survey", as a rule tree and as readable text.
 */
public final class SegmentExamples {

    private SegmentExamples() {}

    public static final String RULE = """
            {"and": [
              {"attribute": "createdAt", "op": "inCurrent", "value": "month"},
              {"event": "review.left", "where": [{"property": "rating", "op": "gte", "value": 4}]},
              {"event": "survey.answered", "where": [{"property": "survey", "op": "eq", "value": "referral"},
                                                      {"property": "answer", "op": "eq", "value": "YES"}]}]}""";

    public static final String RULE_TEXT =
            "createdAt in current month and review.left(rating >= 4) and survey.answered(survey = \"referral\", answer = \"YES\")";
}
