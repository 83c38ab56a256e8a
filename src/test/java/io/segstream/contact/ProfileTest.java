package io.segstream.contact;

import io.segstream.rules.Value;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProfileTest {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @Test
    void latestOccurredAtWinsPerKeyWhateverTheArrivalOrder() {
        var older = ev("e1", 10, new ProfileEffect.Updated(Map.of("city", Optional.of(text("Paris")))));
        var newer = ev("e2", 20, new ProfileEffect.Updated(Map.of("city", Optional.of(text("Lyon")))));
        assertThat(Profile.EMPTY.apply(older).apply(newer).currentAttributes()).containsEntry("city", text("Lyon"));
        assertThat(Profile.EMPTY.apply(newer).apply(older).currentAttributes()).containsEntry("city", text("Lyon"));
    }

    @Test
    void aRemovalIsKeptSoAnOlderSetCannotResurrectTheKey() {
        var removed = ev("e2", 20, new ProfileEffect.Updated(Map.of("plan", Optional.empty())));
        var set = ev("e1", 10, new ProfileEffect.Updated(Map.of("plan", Optional.of(text("gold")))));
        assertThat(Profile.EMPTY.apply(removed).apply(set).currentAttributes()).doesNotContainKey("plan");
    }

    @Test
    void equalTimestampsAreBrokenByEventId() {
        var tag = ev("b", 10, new ProfileEffect.Tagged("vip", true));
        var untag = ev("a", 10, new ProfileEffect.Tagged("vip", false));
        assertThat(Profile.EMPTY.apply(tag).apply(untag).currentTags()).containsExactly("vip");
        assertThat(Profile.EMPTY.apply(untag).apply(tag).currentTags()).containsExactly("vip");
    }

    @Test
    void unsubscribingFromAllCoversEveryChannel() {
        var p = Profile.EMPTY.apply(ev("e1", 10, new ProfileEffect.Subscription(List.of(Channel.values()), false)))
                .apply(ev("e2", 20, new ProfileEffect.Subscription(List.of(Channel.SMS), true)));
        assertThat(p.currentSubscriptions()).containsEntry(Channel.EMAIL, false).containsEntry(Channel.SMS, true);
    }

    @Test
    void createdAtIsTheCreationEventElseTheEarliestEvent() {
        var p = Profile.EMPTY.apply(ev("e1", 5, new ProfileEffect.Behavioural()));
        assertThat(p.createdAt()).contains(T0.plusSeconds(5));
        p = p.apply(ev("e2", 30, new ProfileEffect.Created(Map.of())));
        assertThat(p.createdAt()).contains(T0.plusSeconds(30));
    }

    @Test
    void deletionErasesEverythingUpToIt() {
        var p = Profile.EMPTY
                .apply(ev("e1", 10, new ProfileEffect.Created(Map.of("email", text("a@b.c")))))
                .apply(ev("e2", 20, new ProfileEffect.Tagged("vip", true)))
                .apply(ev("e3", 30, new ProfileEffect.Deleted()));
        assertThat(p.live()).isFalse();
        assertThat(p.currentAttributes()).isEmpty();
        assertThat(p.currentTags()).isEmpty();
        assertThat(p.apply(ev("e0", 5, new ProfileEffect.Tagged("old", true))).live()).isFalse();
    }

    @Test
    void aLateDeletionThatHidesTheEarliestEventNeedsTheHistory() {
        var p = Profile.EMPTY
                .apply(ev("e1", 10, new ProfileEffect.Behavioural()))
                .apply(ev("e3", 30, new ProfileEffect.Behavioural()));
        assertThat(p.canApplyWithoutHistory(ev("d", 20, new ProfileEffect.Deleted()))).isFalse();
        assertThat(p.canApplyWithoutHistory(ev("d", 5, new ProfileEffect.Deleted()))).isTrue();
        assertThat(p.canApplyWithoutHistory(ev("d", 40, new ProfileEffect.Deleted()))).isTrue();
    }

    /** Arrival-order independence: every permutation folds (with the history fallback) to the replay. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void arrivalOrderDoesNotMatter(long seed) {
        Random random = new Random(seed);
        List<ContactEvent> events = randomHistory(random, 5 + random.nextInt(25));
        Profile expected = Profile.replay(events);
        for (int round = 0; round < 20; round++) {
            List<ContactEvent> shuffled = new ArrayList<>(events);
            Collections.shuffle(shuffled, random);
            Profile p = Profile.EMPTY;
            List<ContactEvent> seen = new ArrayList<>();
            for (ContactEvent e : shuffled) {
                seen.add(e);
                p = p.canApplyWithoutHistory(e) ? p.apply(e) : Profile.replay(seen);
            }
            assertThat(p)
                    .as("seed %d, arrival order %s", seed, shuffled.stream().map(ContactEvent::id).toList())
                    .isEqualTo(expected);
        }
    }

    static List<Long> seeds() {
        List<Long> seeds = new ArrayList<>();
        for (long s = 1; s <= 200; s++) seeds.add(s * 7919);
        return seeds;
    }

    static List<ContactEvent> randomHistory(Random r, int n) {
        List<ContactEvent> out = new ArrayList<>();
        String[] keys = {"city", "plan", "score"};
        String[] tags = {"vip", "local"};
        for (int i = 0; i < n; i++) {
            long t = r.nextInt(40); // few distinct times: ties happen
            ProfileEffect effect = switch (r.nextInt(9)) {
                case 0 -> new ProfileEffect.Created(Map.of(keys[r.nextInt(3)], text("v" + r.nextInt(5))));
                case 1 -> new ProfileEffect.Updated(Map.of(keys[r.nextInt(3)],
                        r.nextBoolean() ? Optional.empty() : Optional.of(new Value.Num(BigDecimal.valueOf(r.nextInt(9))))));
                case 2 -> new ProfileEffect.Tagged(tags[r.nextInt(2)], r.nextBoolean());
                case 3 -> new ProfileEffect.AudienceMembership("a" + r.nextInt(2), r.nextBoolean());
                case 4 -> new ProfileEffect.Subscription(r.nextBoolean() ? List.of(Channel.EMAIL) : List.of(Channel.values()),
                        r.nextBoolean());
                case 5 -> new ProfileEffect.Deleted();
                default -> new ProfileEffect.Behavioural();
            };
            out.add(ev("e" + i, t, effect));
        }
        return out;
    }

    private static ContactEvent ev(String id, long seconds, ProfileEffect effect) {
        return new ContactEvent(id, "c", "t", T0.plusSeconds(seconds), effect);
    }

    private static Value text(String s) {
        return new Value.Text(s);
    }
}
