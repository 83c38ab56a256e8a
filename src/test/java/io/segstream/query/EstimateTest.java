package io.segstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The preview's 95% interval over simulated populations sampled without replacement. */
class EstimateTest {

    @ParameterizedTest(name = "population {0}, {1} members, sample {2}")
    @CsvSource({
        "1000000, 500000, 4000",
        "1000000, 100000, 4000",
        "1000000, 10000, 4000",
        "1000000, 1000, 4000",
        "1000000, 100, 4000",
        "50000, 25000, 4000",
        "50000, 300, 4000",
        "5000, 2500, 4000",
        "5000, 40, 4000",
        "5000, 4990, 4000",
        "300, 120, 100",
        "300, 3, 100",
        "21000, 7000, 20000",
    })
    void theIntervalContainsTheTruthInAtLeast90PercentOf200SeededRuns(long population, long members, int sample) {
        int covered = 0;
        for (int run = 0; run < 200; run++) {
            SplittableRandom random = new SplittableRandom(31L * run + population + members);
            long matched = hypergeometric(random, population, members, sample);
            Estimate e = Estimate.of(population, sample, matched);
            assertThat(e.exact()).isFalse();
            assertThat(e.low()).isLessThanOrEqualTo(e.count());
            assertThat(e.count()).isLessThanOrEqualTo(e.high());
            if (e.low() <= members && members <= e.high()) covered++;
        }
        assertThat(covered).as("runs whose interval holds the true count").isGreaterThanOrEqualTo(180);
    }

    @Test
    void aWholePopulationIsExactAndNoMatchStillLeavesRoomAbove() {
        assertThat(Estimate.of(500, 500, 37)).isEqualTo(new Estimate(37, 37, 37, true));
        Estimate none = Estimate.of(1_000_000, 4000, 0);
        assertThat(none.low()).isZero();
        assertThat(none.high()).as("a rare segment is not ruled out").isBetween(500L, 1500L);
        Estimate all = Estimate.of(1_000_000, 4000, 4000);
        assertThat(all.high()).isEqualTo(1_000_000);
        assertThat(all.low()).isBetween(998_500L, 999_500L);
        // What was seen is certain: at least the matches, at most everyone but the non-matches.
        Estimate most = Estimate.of(120, 100, 99);
        assertThat(most.low()).isGreaterThanOrEqualTo(99);
        assertThat(most.high()).isLessThanOrEqualTo(119);
        assertThat(Estimate.of(10, 0, 0)).isEqualTo(new Estimate(0, 0, 10, false));
    }

    /** Members among {@code n} drawn without replacement from {@code population} holding {@code members}. */
    private static long hypergeometric(SplittableRandom random, long population, long members, int n) {
        long left = population, m = members, x = 0;
        for (int i = 0; i < n; i++, left--) {
            if (random.nextLong(left) < m) {
                x++;
                m--;
            }
        }
        return x;
    }
}
