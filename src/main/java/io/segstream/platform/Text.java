package io.segstream.platform;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Which strings segstream stores: no NUL character (PostgreSQL's text and jsonb cannot hold one) and no
 * unpaired UTF-16 surrogate (it cannot be encoded as UTF-8: PostgreSQL would store {@code ?} in its place,
 * and two different client ids would become one). Such input is rejected, never rewritten.
 */
public final class Text {

    private Text() {}

    /** What is wrong with {@code s}, or null when it can be stored as it is. */
    public static String problem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\u0000') return "must not contain the NUL character (U+0000)";
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "must not contain an unpaired UTF-16 surrogate (not a Unicode character)";
            }
            if (Character.isLowSurrogate(c)) return "must not contain an unpaired UTF-16 surrogate (not a Unicode character)";
        }
        return null;
    }

    /** Whether {@code s} can be stored as it is. */
    public static boolean storable(String s) {
        return problem(s) == null;
    }

    /**
     * Adds an error for every string value and every property name under {@code node} that cannot be
     * stored; {@code pointer} is the JSON pointer of {@code node}. A bad name is reported at its object
     * (the name itself cannot be echoed in a pointer).
     */
    public static void check(JsonNode node, String pointer, List<FieldError> errors) {
        if (node == null) return;
        if (node.isString()) {
            String p = problem(node.stringValue());
            if (p != null) errors.add(new FieldError(pointer, p));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) check(node.get(i), pointer + "/" + i, errors);
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String p = problem(e.getKey());
                if (p != null) {
                    errors.add(new FieldError(pointer, "a property name " + p));
                    continue;
                }
                check(e.getValue(), pointer + "/" + FieldError.token(e.getKey()), errors);
            }
        }
    }

    /** Throws a 400 naming every string under {@code body} that cannot be stored. */
    public static void requireStorable(JsonNode body) {
        List<FieldError> errors = new java.util.ArrayList<>();
        check(body, "", errors);
        if (!errors.isEmpty()) throw ProblemException.validation(errors);
    }
}
