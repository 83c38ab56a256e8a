package io.segstream.contact;

import io.segstream.rules.Value;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an event does to a contact's profile, decided once when the event is validated. Behavioural
 * events ({@code review.left}, ...) have no effect on the profile beyond its first/last activity.
 */
public sealed interface ProfileEffect {

    /** {@code contact.created}: sets attributes and marks the creation time. */
    record Created(Map<String, Value> attributes) implements ProfileEffect {
        public Created {
            attributes = Map.copyOf(attributes);
        }
    }

    /** {@code contact.updated}: an empty optional removes the attribute. */
    record Updated(Map<String, Optional<Value>> attributes) implements ProfileEffect {
        public Updated {
            attributes = Map.copyOf(attributes);
        }
    }

    record Tagged(String tag, boolean present) implements ProfileEffect {
        public Tagged {
            Objects.requireNonNull(tag, "tag");
        }
    }

    record AudienceMembership(String audience, boolean member) implements ProfileEffect {
        public AudienceMembership {
            Objects.requireNonNull(audience, "audience");
        }
    }

    record Subscription(List<Channel> channels, boolean subscribed) implements ProfileEffect {
        public Subscription {
            channels = List.copyOf(channels);
        }
    }

    /** {@code contact.deleted}: erases everything observed up to this event. */
    record Deleted() implements ProfileEffect {}

    /** Any other event type. */
    record Behavioural() implements ProfileEffect {}
}
