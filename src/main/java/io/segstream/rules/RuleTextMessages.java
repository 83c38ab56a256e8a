package io.segstream.rules;

import java.util.Map;

/**
 * Words {@link RuleReader}'s problems for the author of a readable rule: its messages name no subject
 * ("must be email or sms") because its pointer says where; here the subject comes from the pointer,
 * and phrases about the JSON form are replaced.
 */
final class RuleTextMessages {

    private static final Map<String, String> SUBJECTS = Map.ofEntries(
            Map.entry("tag", "the tag"),
            Map.entry("audience", "the audience"),
            Map.entry("segment", "the segment id"),
            Map.entry("subscribed", "the channel"),
            Map.entry("event", "the event type"),
            Map.entry("attribute", "the attribute name"),
            Map.entry("property", "the property name"),
            Map.entry("within", "the window"),
            Map.entry("inCurrent", "the period"),
            Map.entry("inPrevious", "the period"),
            Map.entry("op", "the operator"),
            Map.entry("value", "the value"),
            Map.entry("count", "the count"),
            Map.entry("fn", "the function"),
            Map.entry("and", "the group"),
            Map.entry("or", "the group"));

    private RuleTextMessages() {}

    static String describe(String pointer, String message) {
        String[] tokens = pointer.split("/");
        String field = tokens.length == 0 ? "" : tokens[tokens.length - 1];
        String parent = tokens.length < 2 ? "" : tokens[tokens.length - 2];
        boolean item = !field.isEmpty() && field.chars().allMatch(Character::isDigit);
        if (item) {
            field = parent;
            parent = tokens.length < 3 ? "" : tokens[tokens.length - 3];
        }
        if (message.contains("cannot be combined")) {
            return "an event condition tests one of: count (how many events match), sum/avg/min/max of (a number they carry),"
                    + " or first/last (when one occurred)";
        }
        String text = message
                .replace("must be a non-empty array", "must not be empty")
                .replace("must be a duration such as 90s, 15m, 12h, 30d, 8w, or {\"inCurrent\": \"month\"}",
                        "must be a duration such as 90s, 15m, 12h, 30d or 8w")
                .replace("must be [low, high], whole numbers with 0 <= low <= high", "must be whole numbers with low <= high")
                .replace("must be a whole number >= 0", "must be a whole number, 0 or more")
                .replace("must be an ISO date or instant such as", "must be a date or instant such as")
                .replace("must be a number or an ISO date/instant", "must be a number or a date such as 2026-11-28")
                .replace("must be one of gt, gte, lt, lte, between", "must be >, >=, <, <= or between")
                .replace("must be [low, high], two numbers", "must be two numbers")
                .replace("for example {\"op\": \"withinLast\", \"value\": \"30d\"}", "as in last within last 30d");
        String subject = field.equals("value") && parent.equals("count") ? "the count"
                : field.equals("value") && item ? "each item of the list"
                : SUBJECTS.getOrDefault(field, "");
        if (subject.equals("each item of the list") && !text.startsWith("must")) subject = "";
        boolean needsSubject = text.startsWith("must ") || text.startsWith("may ") || text.startsWith("is ");
        return needsSubject && !subject.isEmpty() ? subject + " " + text : text;
    }
}
