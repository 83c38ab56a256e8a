package io.segstream.query;

import io.segstream.rules.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A rule made only of tags, audiences, channel consent and segment references combined with and/or/not,
 * compiled to bit operations on the tenant's Redis bitmaps: a postfix program that {@link Bitmaps#evaluate}
 * runs in one script. Complements are taken within the live contacts ({@code live AND NOT x}), never with
 * {@code BITOP NOT}, which would set the bits of numbers past the end of the operand.
 *
 * @param sources the projection keys read ({@code tag:t}, {@code aud:a}, {@code unsub:email}, {@code seg:id})
 * @param temps how many temporary bitmaps the program writes (one per and/or/not node)
 * @param ops the program: {@code K s} pushes source {@code s} (0-based), {@code AND t n} / {@code OR t n}
 *     replace the top {@code n} entries with their combination in temporary {@code t}, {@code NOT t}
 *     replaces the top entry with its complement in temporary {@code t}
 */
record BitmapProgram(List<String> sources, int temps, List<String> ops) {

    /** The program for {@code rule}, or empty when it reads contact state that no bitmap holds. */
    static Optional<BitmapProgram> compile(Rule rule) {
        Map<String, Integer> sources = new LinkedHashMap<>();
        List<String> ops = new ArrayList<>();
        int[] temps = {0};
        if (!emit(rule, sources, ops, temps)) return Optional.empty();
        return Optional.of(new BitmapProgram(List.copyOf(sources.keySet()), temps[0], List.copyOf(ops)));
    }

    private static boolean emit(Rule r, Map<String, Integer> sources, List<String> ops, int[] temps) {
        switch (r) {
            case Rule.And and -> {
                return combine("AND", and.rules(), sources, ops, temps);
            }
            case Rule.Or or -> {
                return combine("OR", or.rules(), sources, ops, temps);
            }
            case Rule.Not not -> {
                if (!emit(not.rule(), sources, ops, temps)) return false;
                ops.add("NOT");
                ops.add(Integer.toString(temps[0]++));
                return true;
            }
            case Rule.HasTag t -> push("tag:" + t.tag(), sources, ops);
            case Rule.InAudience a -> push("aud:" + a.audience(), sources, ops);
            case Rule.SegmentRef s -> push("seg:" + s.segmentId(), sources, ops);
            case Rule.Subscribed s -> {
                // Subscribed is "not unsubscribed": the consent bitmaps mark who unsubscribed.
                push("unsub:" + s.channel(), sources, ops);
                ops.add("NOT");
                ops.add(Integer.toString(temps[0]++));
            }
            case Rule.AttributeTest a -> {
                return false;
            }
            case Rule.EventCondition e -> {
                return false;
            }
            case Rule.EventAggregate e -> {
                return false;
            }
            case Rule.EventRecency e -> {
                return false;
            }
        }
        return true;
    }

    private static boolean combine(String op, List<Rule> children, Map<String, Integer> sources, List<String> ops, int[] temps) {
        for (Rule child : children) if (!emit(child, sources, ops, temps)) return false;
        ops.add(op);
        ops.add(Integer.toString(temps[0]++));
        ops.add(Integer.toString(children.size()));
        return true;
    }

    private static void push(String key, Map<String, Integer> sources, List<String> ops) {
        Integer index = sources.computeIfAbsent(key, k -> sources.size());
        ops.add("K");
        ops.add(Integer.toString(index));
    }
}
