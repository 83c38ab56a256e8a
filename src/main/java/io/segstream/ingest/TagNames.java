package io.segstream.ingest;

import io.segstream.contact.ContactEvent;
import io.segstream.contact.ProfileEffect;
import io.segstream.platform.FieldError;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The tag and audience names that events bring, and the decisions about them that need no database:
 * which events must be checked against the tenant's limits, and which of them are refused once
 * PostgreSQL said which names are over. Pure.
 */
final class TagNames {

    private TagNames() {}

    /** The two kinds of names that each cost a Redis bitmap per name. */
    enum Kind {
        TAG("tag", "tags"),
        AUDIENCE("audience", "audiences");

        /** The stored form ({@code tenant_names.kind}), also the property that carries the name. */
        final String wire;
        final String plural;

        Kind(String wire, String plural) {
            this.wire = wire;
            this.plural = plural;
        }

        static Kind fromWire(String wire) {
            return switch (wire) {
                case "tag" -> TAG;
                case "audience" -> AUDIENCE;
                default -> throw new IllegalArgumentException("not a kind of name: " + wire);
            };
        }
    }

    record Name(Kind kind, String name) {
        Name {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(name, "name");
        }
    }

    /** The limits of a tenant's distinct names. */
    record Limits(int tags, int audiences) {
        Limits {
            if (tags < 0 || audiences < 0) throw new IllegalArgumentException("limits are at least 0: " + tags + ", " + audiences);
        }

        int of(Kind kind) {
            return kind == Kind.TAG ? tags : audiences;
        }
    }

    /** An event to check: it brings {@code name}, which this instance does not know to be recorded. */
    record Candidate(String eventId, Name name) {}

    /**
     * The name an event brings into use: the tag of {@code contact.tagged}, the audience of
     * {@code audience.joined}; null for every other event (removing a tag or leaving an audience never
     * creates a bitmap, so it is always accepted).
     */
    static Name introduced(ContactEvent event) {
        return switch (event.effect()) {
            case ProfileEffect.Tagged t when t.present() -> new Name(Kind.TAG, t.tag());
            case ProfileEffect.AudienceMembership a when a.member() -> new Name(Kind.AUDIENCE, a.audience());
            default -> null;
        };
    }

    /** The events, in batch order, that bring a name {@code known} does not hold. */
    static List<Candidate> candidates(Collection<IncomingEvent> events, Predicate<Name> known) {
        List<Candidate> out = new ArrayList<>();
        for (IncomingEvent e : events) {
            Name n = introduced(e.event());
            if (n != null && !known.test(n)) out.add(new Candidate(e.event().id(), n));
        }
        return out;
    }

    /**
     * The candidates refused, by event id: those whose name is {@code over} the limit, unless the event
     * is {@code stored} already (a re-delivery stays a duplicate, as for any stored id).
     */
    static Map<String, FieldError> refusals(List<Candidate> candidates, Set<Name> over, Set<String> stored, String tenantId,
            Limits limits) {
        if (over.isEmpty()) return Map.of();
        Map<String, FieldError> out = new HashMap<>();
        for (Candidate c : candidates) {
            if (over.contains(c.name()) && !stored.contains(c.eventId())) {
                Kind kind = c.name().kind();
                out.put(c.eventId(), new FieldError("/properties/" + kind.wire, limitReached(tenantId, kind, limits.of(kind))));
            }
        }
        return out;
    }

    /** For example "tenant acme has reached its limit of 1,000 distinct tags". */
    static String limitReached(String tenantId, Kind kind, int limit) {
        return String.format(Locale.ROOT, "tenant %s has reached its limit of %,d distinct %s", tenantId, limit,
                limit == 1 ? kind.wire : kind.plural);
    }
}
