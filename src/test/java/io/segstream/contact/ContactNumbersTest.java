package io.segstream.contact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The local side of number handout: what is given back is handed out next, in ascending order. */
class ContactNumbersTest {

    // No database: every allocation below is served from numbers given back, and a block's worth more is
    // kept at hand behind them, so that nothing is reserved ahead either.
    private final ContactNumbers numbers = new ContactNumbers(null);

    @BeforeEach
    void aBlockAtHand() {
        for (String tenant : new String[] {"t", "other"}) {
            numbers.giveBack(tenant, LongStream.range(1_000_000, 1_000_000 + 2 * ContactNumbers.BLOCK).toArray(), 0);
        }
    }

    @Test
    void numbersGivenBackAreHandedOutNextInAscendingOrder() {
        numbers.giveBack("t", new long[] {3, 4, 5, 9, 10, 20}, 0);
        assertThat(numbers.allocate("t", 4).block()).containsExactly(3, 4, 5, 9);
        assertThat(numbers.allocate("t", 2).block()).containsExactly(10, 20);
    }

    @Test
    void onlyTheNumbersFromTheGivenIndexGoBack() {
        numbers.giveBack("t", new long[] {1, 2, 3, 7, 8}, 2);
        assertThat(numbers.allocate("t", 3).block()).containsExactly(3, 7, 8);
        numbers.giveBack("t", new long[] {40, 41}, 2);
        numbers.giveBack("other", new long[] {50}, 0);
        assertThat(numbers.allocate("other", 1).block()).containsExactly(50);
    }

    @Test
    void aLaterGiveBackIsHandedOutBeforeAnEarlierOne() {
        numbers.giveBack("t", new long[] {100, 101}, 0);
        numbers.giveBack("t", new long[] {7}, 0);
        assertThat(numbers.allocate("t", 3).block()).containsExactly(7, 100, 101);
    }

    @Test
    void aClaimAssignsNumbersToTheNewContactsAndHandsTheRestBack() {
        numbers.giveBack("t", new long[] {10, 11, 12, 13}, 0);
        long before = numbers.available("t");
        var claim = numbers.claim("t", 4).block();
        assertThat(numbers.available("t")).isEqualTo(before - 4);

        assertThat(claim.assign(List.of("c-new", "d-new"))).containsExactly(entry("c-new", 10L), entry("d-new", 11L));
        assertThat(numbers.available("t")).isEqualTo(before - 2);
        claim.release(); // settled by the assignment: nothing more goes back
        assertThat(numbers.available("t")).isEqualTo(before - 2);
        assertThat(numbers.allocate("t", 3).block()).containsExactly(12, 13, 1_000_000);
    }

    @Test
    void aReleasedClaimHandsEveryNumberBackOnce() {
        numbers.giveBack("t", new long[] {10, 11}, 0);
        long before = numbers.available("t");
        var claim = numbers.claim("t", 2).block();
        claim.release();
        claim.release();
        assertThat(numbers.available("t")).isEqualTo(before);
        assertThat(numbers.allocate("t", 2).block()).containsExactly(10, 11);
        assertThatThrownBy(() -> claim.assign(List.of("late"))).isInstanceOf(IllegalStateException.class);
    }
}
