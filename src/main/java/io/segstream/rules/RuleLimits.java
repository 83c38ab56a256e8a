package io.segstream.rules;

/** Size limits of one rule. */
public record RuleLimits(int maxDepth, int maxNodes, int maxListItems, int maxStringLength) {
    public static final RuleLimits DEFAULT = new RuleLimits(32, 500, 1000, 1024);
}
