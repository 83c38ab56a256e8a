package io.segstream.contact;

import java.time.Instant;
import java.util.Objects;

/** A validated activity event, as the profile fold sees it. */
public record ContactEvent(String id, String contactId, String type, Instant occurredAt, ProfileEffect effect) {

    public ContactEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(contactId, "contactId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(effect, "effect");
    }

    public Stamp stamp() {
        return new Stamp(occurredAt, id);
    }
}
