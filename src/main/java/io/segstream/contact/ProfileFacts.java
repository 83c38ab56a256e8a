package io.segstream.contact;

import io.segstream.rules.ContactFacts;
import io.segstream.rules.EventTimes;
import io.segstream.rules.Signature;
import io.segstream.rules.Value;
import java.time.Instant;
import java.util.Optional;

/** A contact's profile and behaviour, as the rules see them. */
public record ProfileFacts(Profile profile, Behaviour behaviour) implements ContactFacts {

    @Override
    public Optional<Value> attribute(String name) {
        Fact<Value> f = profile.attributes().get(name);
        if (f == null || f.value() == null) return Optional.empty();
        return Optional.of(f.value());
    }

    @Override
    public Optional<Instant> createdAt() {
        return profile.createdAt();
    }

    @Override
    public boolean hasTag(String tag) {
        Fact<Boolean> f = profile.tags().get(tag);
        return f != null && Boolean.TRUE.equals(f.value());
    }

    @Override
    public boolean inAudience(String audience) {
        Fact<Boolean> f = profile.audiences().get(audience);
        return f != null && Boolean.TRUE.equals(f.value());
    }

    @Override
    public boolean subscribed(String channel) {
        return Channel.fromWire(channel).map(c -> profile.currentSubscriptions().get(c)).orElse(false);
    }

    @Override
    public EventTimes events(Signature signature) {
        return behaviour.get(signature);
    }

}
