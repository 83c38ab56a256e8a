package io.segstream.rules;

import java.time.Instant;
import java.util.Optional;

/** What rules can see of one contact. Implementations answer from current state, without I/O. */
public interface ContactFacts {

    /** A stored attribute (not {@code createdAt}, which is {@link #createdAt()}). */
    Optional<Value> attribute(String name);

    Optional<Instant> createdAt();

    boolean hasTag(String tag);

    boolean inAudience(String audience);

    /** False once the contact's latest word on the channel was an unsubscribe. */
    boolean subscribed(String channel);

    /** The contact's events of this signature; never null. */
    EventTimes events(Signature signature);
}
