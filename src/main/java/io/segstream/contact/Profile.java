package io.segstream.contact;

import io.segstream.rules.Value;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A contact's profile folded from its events: per attribute, tag, audience and channel the fact with
 * the latest {@link Stamp} wins, so arrival order does not matter. A deletion erases every fact up to
 * its stamp; events up to that stamp are ignored when they arrive later.
 *
 * <p>Immutable; {@link #apply} returns a new profile. Pure: no I/O, no clock.
 *
 * @param created stamp of the earliest {@code contact.created} after the last deletion, or null
 * @param first stamp of the earliest event after the last deletion, or null when there is none
 * @param latest stamp of the latest event after the last deletion, or null when there is none
 * @param deleted stamp of the latest {@code contact.deleted}, or null
 */
public record Profile(
        Map<String, Fact<Value>> attributes,
        Map<String, Fact<Boolean>> tags,
        Map<String, Fact<Boolean>> audiences,
        Map<Channel, Fact<Boolean>> subscriptions,
        Stamp created,
        Stamp first,
        Stamp latest,
        Stamp deleted) {

    public static final Profile EMPTY = new Profile(Map.of(), Map.of(), Map.of(), Map.of(), null, null, null, null);

    public Profile {
        attributes = Map.copyOf(attributes);
        tags = Map.copyOf(tags);
        audiences = Map.copyOf(audiences);
        subscriptions = subscriptions.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(subscriptions));
    }

    /** A contact exists while it has at least one event after its last deletion. */
    public boolean live() {
        return first != null;
    }

    /** The occurredAt of its {@code contact.created} event, or else of its earliest event. */
    public Optional<Instant> createdAt() {
        Stamp s = created != null ? created : first;
        return Optional.ofNullable(s).map(Stamp::at);
    }

    public Map<String, Value> currentAttributes() {
        Map<String, Value> out = new TreeMap<>();
        attributes.forEach((k, f) -> {
            if (f.present()) out.put(k, f.value());
        });
        return out;
    }

    public List<String> currentTags() {
        return presentKeys(tags);
    }

    public List<String> currentAudiences() {
        return presentKeys(audiences);
    }

    /** Every channel, true unless the contact's latest word on it was an unsubscribe. */
    public Map<Channel, Boolean> currentSubscriptions() {
        Map<Channel, Boolean> out = new EnumMap<>(Channel.class);
        for (Channel c : Channel.values()) {
            Fact<Boolean> f = subscriptions.get(c);
            out.put(c, f == null || Boolean.TRUE.equals(f.value()));
        }
        return out;
    }

    private static List<String> presentKeys(Map<String, Fact<Boolean>> facts) {
        TreeSet<String> keys = new TreeSet<>();
        facts.forEach((k, f) -> {
            if (Boolean.TRUE.equals(f.value())) keys.add(k);
        });
        return List.copyOf(keys);
    }

    /**
     * False when applying {@code event} needs the contact's full history: a deletion older than an
     * event already applied, when the earliest surviving event cannot be known from this profile.
     */
    public boolean canApplyWithoutHistory(ContactEvent event) {
        if (!(event.effect() instanceof ProfileEffect.Deleted)) return true;
        Stamp s = event.stamp();
        if (deleted != null && !s.isAfter(deleted)) return true; // ignored anyway
        if (latest == null || !latest.isAfter(s)) return true; // erases everything
        // Some facts survive. The earliest event and the earliest contact.created after s are known
        // only if the ones this profile holds are themselves after s.
        return first.isAfter(s) && (created == null || created.isAfter(s));
    }

    /**
     * Applies one event. Precondition: {@link #canApplyWithoutHistory(ContactEvent)}; otherwise use
     * {@link #replay(List)} over the contact's whole event history.
     */
    public Profile apply(ContactEvent event) {
        Stamp s = event.stamp();
        if (deleted != null && !s.isAfter(deleted)) {
            return this; // belongs to an erased life of this contact
        }
        if (event.effect() instanceof ProfileEffect.Deleted) {
            if (!canApplyWithoutHistory(event)) {
                throw new IllegalStateException("deletion " + s + " needs the contact's history");
            }
            return eraseUpTo(s);
        }
        var b = new Builder(this);
        b.first = Stamp.min(first, s);
        b.latest = Stamp.max(latest, s);
        switch (event.effect()) {
            case ProfileEffect.Created c -> {
                b.created = Stamp.min(created, s);
                c.attributes().forEach((k, v) -> put(b.attributes, k, v, s));
            }
            case ProfileEffect.Updated u -> u.attributes().forEach((k, v) -> put(b.attributes, k, v.orElse(null), s));
            case ProfileEffect.Tagged t -> put(b.tags, t.tag(), t.present() ? Boolean.TRUE : null, s);
            case ProfileEffect.AudienceMembership a ->
                    put(b.audiences, a.audience(), a.member() ? Boolean.TRUE : null, s);
            case ProfileEffect.Subscription sub -> {
                for (Channel c : sub.channels()) put(b.subscriptions, c, sub.subscribed(), s);
            }
            case ProfileEffect.Behavioural ignored -> {}
            case ProfileEffect.Deleted ignored -> throw new AssertionError("handled above");
        }
        return b.build();
    }

    /** Folds a contact's complete history from scratch, in stamp order. */
    public static Profile replay(List<ContactEvent> history) {
        Profile p = EMPTY;
        for (ContactEvent e : history.stream().sorted(Comparator.comparing(ContactEvent::stamp)).toList()) {
            p = p.apply(e);
        }
        return p;
    }

    private Profile eraseUpTo(Stamp s) {
        var b = new Builder(this);
        b.deleted = s;
        b.attributes.values().removeIf(f -> !f.stamp().isAfter(s));
        b.tags.values().removeIf(f -> !f.stamp().isAfter(s));
        b.audiences.values().removeIf(f -> !f.stamp().isAfter(s));
        b.subscriptions.values().removeIf(f -> !f.stamp().isAfter(s));
        if (latest == null || !latest.isAfter(s)) {
            b.first = null;
            b.latest = null;
            b.created = null;
        }
        // else: canApplyWithoutHistory guaranteed first and created are after s, so they stand.
        return b.build();
    }

    private static <K, V> void put(Map<K, Fact<V>> facts, K key, V value, Stamp s) {
        Fact<V> current = facts.get(key);
        if (current == null || s.isAfter(current.stamp())) {
            facts.put(key, new Fact<>(value, s));
        }
    }

    private static final class Builder {
        final Map<String, Fact<Value>> attributes;
        final Map<String, Fact<Boolean>> tags;
        final Map<String, Fact<Boolean>> audiences;
        final Map<Channel, Fact<Boolean>> subscriptions;
        Stamp created;
        Stamp first;
        Stamp latest;
        Stamp deleted;

        Builder(Profile p) {
            attributes = new HashMap<>(p.attributes);
            tags = new HashMap<>(p.tags);
            audiences = new HashMap<>(p.audiences);
            subscriptions = new EnumMap<>(Channel.class);
            subscriptions.putAll(p.subscriptions);
            created = p.created;
            first = p.first;
            latest = p.latest;
            deleted = p.deleted;
        }

        Profile build() {
            return new Profile(attributes, tags, audiences, subscriptions, created, first, latest, deleted);
        }
    }
}
