package io.segstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segstream.contact.Channel;
import io.segstream.contact.ContactEvent;
import io.segstream.contact.ProfileEffect;
import io.segstream.ingest.TagNames.Candidate;
import io.segstream.ingest.TagNames.Kind;
import io.segstream.ingest.TagNames.Limits;
import io.segstream.ingest.TagNames.Name;
import io.segstream.platform.FieldError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/** Which events bring a name, which are checked, which are refused, and what the refusal says. */
class TagNamesTest {

    private static final Instant AT = Instant.parse("2026-11-01T00:00:00Z");

    private static IncomingEvent event(String id, ProfileEffect effect) {
        return new IncomingEvent(0, new ContactEvent(id, "c-" + id, "t", AT, effect), "{}", JsonNodeFactory.instance.objectNode());
    }

    @Test
    void onlyTaggingAndJoiningBringANameRemovingNeverDoes() {
        assertThat(TagNames.introduced(event("a", new ProfileEffect.Tagged("vip", true)).event()))
                .isEqualTo(new Name(Kind.TAG, "vip"));
        assertThat(TagNames.introduced(event("b", new ProfileEffect.AudienceMembership("loyal", true)).event()))
                .isEqualTo(new Name(Kind.AUDIENCE, "loyal"));
        assertThat(TagNames.introduced(event("c", new ProfileEffect.Tagged("vip", false)).event())).isNull();
        assertThat(TagNames.introduced(event("d", new ProfileEffect.AudienceMembership("loyal", false)).event())).isNull();
        assertThat(TagNames.introduced(event("e", new ProfileEffect.Behavioural()).event())).isNull();
        assertThat(TagNames.introduced(event("f", new ProfileEffect.Subscription(List.of(Channel.values()), false)).event())).isNull();
        assertThat(TagNames.introduced(event("g", new ProfileEffect.Deleted()).event())).isNull();
    }

    @Test
    void candidatesAreTheEventsWithUnknownNamesInBatchOrder() {
        List<IncomingEvent> events = new ArrayList<>();
        events.add(event("e1", new ProfileEffect.Tagged("known", true)));
        events.add(event("e2", new ProfileEffect.Tagged("new", true)));
        events.add(event("e3", new ProfileEffect.Tagged("gone", false)));
        events.add(event("e4", new ProfileEffect.AudienceMembership("known", true))); // a tag of that name is not an audience
        events.add(event("e5", new ProfileEffect.Tagged("new", true)));
        Set<Name> known = Set.of(new Name(Kind.TAG, "known"));
        assertThat(TagNames.candidates(events, known::contains)).containsExactly(
                new Candidate("e2", new Name(Kind.TAG, "new")),
                new Candidate("e4", new Name(Kind.AUDIENCE, "known")),
                new Candidate("e5", new Name(Kind.TAG, "new")));
        assertThat(TagNames.candidates(events, n -> true)).isEmpty();
    }

    @Test
    void everyEventWithANameOverTheLimitIsRefusedUnlessItIsStoredAlready() {
        Name over = new Name(Kind.AUDIENCE, "a4");
        List<Candidate> candidates = List.of(new Candidate("e1", new Name(Kind.AUDIENCE, "a3")), new Candidate("e2", over),
                new Candidate("e3", over), new Candidate("e4", over));
        Map<String, FieldError> refused = TagNames.refusals(candidates, Set.of(over), Set.of("e4"), "acme", new Limits(5, 3));
        FieldError expected = new FieldError("/properties/audience", "tenant acme has reached its limit of 3 distinct audiences");
        assertThat(refused).isEqualTo(Map.of("e2", expected, "e3", expected));
        assertThat(TagNames.refusals(candidates, Set.of(), Set.of(), "acme", new Limits(5, 3))).isEmpty();
    }

    @Test
    void theMessageNamesTenantLimitAndKind() {
        assertThat(TagNames.limitReached("acme", Kind.TAG, 1000)).isEqualTo("tenant acme has reached its limit of 1,000 distinct tags");
        assertThat(TagNames.limitReached("acme", Kind.TAG, 1)).isEqualTo("tenant acme has reached its limit of 1 distinct tag");
        assertThat(TagNames.limitReached("b", Kind.AUDIENCE, 0)).isEqualTo("tenant b has reached its limit of 0 distinct audiences");
    }

    @Test
    void limitsAreNotNegative() {
        assertThatThrownBy(() -> new Limits(-1, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Limits(0, 3).of(Kind.AUDIENCE)).isEqualTo(3);
    }
}
