package io.segstream.rules;

/** Size limits of one rule. */
public record RuleLimits(int maxDepth, int maxNodes, int maxListItems, int maxStringLength) {
    public static final RuleLimits DEFAULT = new RuleLimits(32, 500, 1000, 1024);

    /**
     * For reading a rule back from storage: it was validated against the limits in force when it was
     * written, which may since have been raised or lowered; a stored rule is never rejected for them.
     */
    public static final RuleLimits STORED = new RuleLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
}
