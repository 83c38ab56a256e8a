package io.segstream.rules;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** References between a tenant's segments: unknown ids, cycles, dependents and evaluation order. */
public final class SegmentGraph {

    private SegmentGraph() {}

    /** The segment ids a rule references directly. */
    public static Set<String> references(Rule rule) {
        Set<String> out = new LinkedHashSet<>();
        ArrayDeque<Rule> todo = new ArrayDeque<>();
        todo.add(rule);
        while (!todo.isEmpty()) {
            Rule r = todo.pop();
            if (r instanceof Rule.SegmentRef s) out.add(s.segmentId());
            todo.addAll(r.children());
        }
        return out;
    }

    /**
     * Problems with segment {@code id} getting a rule with these references, given the tenant's other
     * segments: references to unknown segments, and references that close a cycle (reported with the
     * cycle's path).
     */
    public static List<Problem> check(String id, List<RuleReader.Reference> references, Map<String, Rule> others) {
        List<Problem> problems = new ArrayList<>();
        for (RuleReader.Reference ref : references) {
            if (ref.segmentId().equals(id)) {
                problems.add(new Problem(ref.pointer(), "a segment cannot reference itself"));
            } else if (!others.containsKey(ref.segmentId())) {
                problems.add(new Problem(ref.pointer(), "no segment '" + ref.segmentId() + "' in this tenant"));
            } else {
                List<String> path = pathTo(ref.segmentId(), id, others);
                if (path != null) {
                    problems.add(new Problem(ref.pointer(), "creates a cycle: " + id + " -> " + String.join(" -> ", path)));
                }
            }
        }
        return problems;
    }

    /** Segments that reference {@code id}, directly or through others. */
    public static Set<String> dependents(String id, Map<String, Rule> segments) {
        Map<String, Set<String>> reverse = new HashMap<>();
        segments.forEach((s, r) -> references(r).forEach(ref -> reverse.computeIfAbsent(ref, k -> new HashSet<>()).add(s)));
        Set<String> out = new LinkedHashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(List.of(id));
        while (!todo.isEmpty()) {
            for (String d : reverse.getOrDefault(todo.pop(), Set.of())) if (out.add(d)) todo.add(d);
        }
        return out;
    }

    /** A path of references from {@code from} to {@code to} through {@code segments}, or null. */
    private static List<String> pathTo(String from, String to, Map<String, Rule> segments) {
        return dfs(from, to, segments, new HashSet<>(), new ArrayList<>());
    }

    private static List<String> dfs(String at, String target, Map<String, Rule> segments, Set<String> seen, List<String> path) {
        path.add(at);
        if (at.equals(target)) return new ArrayList<>(path);
        if (seen.add(at)) {
            Rule r = segments.get(at);
            if (r != null) {
                for (String next : references(r)) {
                    List<String> found = dfs(next, target, segments, seen, path);
                    if (found != null) return found;
                }
            }
        }
        path.remove(path.size() - 1);
        return null;
    }
}
