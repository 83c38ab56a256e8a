package io.segstream.query;

/**
 * How many of a population of {@code population} contacts match, from a simple random sample (without
 * replacement) of {@code sampled} of them of which {@code matched} match: the point estimate and a 95%
 * interval.
 *
 * <p>Design note: the interval is Wilson's score interval with the finite-population correction (the
 * binomial variance scaled by {@code (N - n) / (N - 1)}, i.e. an effective sample size {@code n (N - 1) /
 * (N - n)}). Wilson keeps its coverage near 95% for proportions close to 0 or 1, where rare segments live
 * (the plain normal interval collapses to [0, 0] when no sampled contact matches, however large the
 * population); it needs no beta quantiles as Clopper-Pearson does and is less conservative. The
 * correction matters when the sample is a sizable part of the population (small tenants, or a preview
 * that got through most contacts within its time budget), and makes the interval a point once every
 * contact was evaluated. Bounds are then clamped to what is certain: at least the matches seen, at most
 * the population less the non-matches seen.
 */
record Estimate(long count, long low, long high, boolean exact) {

    /** z for a two-sided 95% interval. */
    static final double Z = 1.959963984540054;

    static Estimate of(long population, long sampled, long matched) {
        if (sampled < 0 || matched < 0 || matched > sampled || sampled > population) {
            throw new IllegalArgumentException("population " + population + ", sampled " + sampled + ", matched " + matched);
        }
        if (sampled == population) return new Estimate(matched, matched, matched, true);
        if (sampled == 0) return new Estimate(0, 0, population, false);
        double p = (double) matched / sampled;
        double fpc = population <= 1 ? 0 : (double) (population - sampled) / (population - 1);
        double n = sampled / fpc; // effective sample size
        double z2 = Z * Z;
        double denominator = 1 + z2 / n;
        double center = (p + z2 / (2 * n)) / denominator;
        double half = Z / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        long certainLow = matched;
        long certainHigh = population - (sampled - matched);
        long low = Math.max(certainLow, (long) Math.floor(population * Math.max(0, center - half)));
        long high = Math.min(certainHigh, (long) Math.ceil(population * Math.min(1, center + half)));
        long count = Math.max(low, Math.min(high, Math.round(p * population)));
        return new Estimate(count, low, high, false);
    }
}
