package io.segstream.membership;

import io.segstream.contact.Behaviour;
import io.segstream.contact.Channel;
import io.segstream.contact.Profile;
import io.segstream.contact.ProfileFacts;
import io.segstream.rules.Inputs;
import io.segstream.segment.CompiledSegment;
import io.segstream.segment.TenantSegments;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides a contact's segment memberships after a change: which segments to evaluate (only those whose
 * inputs changed, unless told to evaluate all), the resulting enters/exits and projected bit changes,
 * and when its membership can next change with time alone. Pure.
 */
public final class MembershipEngine {

    private MembershipEngine() {}

    /** A contact's state before and after one unit of work, and its timer before it. */
    public record Transition(String contactId, long contactNo, Profile before, Profile after, Behaviour behaviourBefore,
            Behaviour behaviourAfter, List<String> segmentsBefore, Optional<Instant> dueBefore) {}

    /** Which segments to evaluate. */
    public enum Scope {
        /** Those whose inputs changed between before and after. */
        CHANGED_INPUTS,
        /** Those whose answer can change with time. */
        TIME_DEPENDENT,
        /** Every segment. */
        ALL
    }

    public record Outcome(List<String> segments, List<Change> changes, Optional<Instant> nextDue) {}

    public static Outcome evaluate(TenantSegments catalog, Transition t, Scope scope, Set<String> only, String causeKind,
            String eventId, Instant now) {
        Set<String> member = new TreeSet<>(t.segmentsBefore());
        ProfileFacts facts = new ProfileFacts(t.after(), t.behaviourAfter());
        ProfileFacts previous = new ProfileFacts(t.before(), t.behaviourBefore());
        boolean live = t.after().live();
        for (CompiledSegment s : catalog.segments()) {
            if (only != null && !only.contains(s.id())) continue;
            boolean evaluate = switch (scope) {
                case ALL -> true;
                case TIME_DEPENDENT -> s.evaluator().inputs().timeDependent();
                case CHANGED_INPUTS -> !live || t.before().live() != live || changed(s.evaluator().inputs(), previous, facts);
            };
            if (!evaluate) continue;
            boolean in = live && s.evaluator().matches(facts, now);
            if (in) member.add(s.id());
            else member.remove(s.id());
        }
        // Memberships of segments that no longer exist are dropped: a deletion removes them in the background
        // (segment.SegmentDeletions), and a contact evaluated before that happens leaves here.
        member.retainAll(catalog.byId().keySet());

        List<Change> changes = new ArrayList<>();
        Set<String> before = new TreeSet<>(t.segmentsBefore());
        for (String id : member) {
            if (!before.contains(id)) changes.add(change(t, Change.SEGMENT_PREFIX + id, true, causeKind, eventId));
        }
        for (String id : before) {
            if (member.contains(id)) continue;
            // A segment deleted while its members are still being removed: this exit is part of that deletion.
            boolean deleted = !catalog.byId().containsKey(id);
            changes.add(change(t, Change.SEGMENT_PREFIX + id, false, deleted ? "deletion" : causeKind, deleted ? null : eventId));
        }
        bits(t, causeKind, eventId, changes);

        Instant due = null;
        if (live) {
            for (CompiledSegment s : catalog.timeDependent()) {
                Optional<Instant> n = s.evaluator().nextChange(facts, now);
                if (n.isPresent() && (due == null || n.get().isBefore(due))) due = n.get();
            }
        }
        return new Outcome(List.copyOf(member), changes, Optional.ofNullable(due));
    }

    /** Whether anything this rule reads differs between the two states of a contact. */
    static boolean changed(Inputs in, ProfileFacts a, ProfileFacts b) {
        if (in.createdAt() && !a.createdAt().equals(b.createdAt())) return true;
        for (String name : in.attributes()) if (!a.attribute(name).equals(b.attribute(name))) return true;
        for (String tag : in.tags()) if (a.hasTag(tag) != b.hasTag(tag)) return true;
        for (String aud : in.audiences()) if (a.inAudience(aud) != b.inAudience(aud)) return true;
        for (String ch : in.channels()) if (a.subscribed(ch) != b.subscribed(ch)) return true;
        for (var sig : in.signatures().keySet()) if (!a.events(sig).equals(b.events(sig))) return true;
        return false;
    }

    /** Changes of the projected profile bits: live, tags, audiences, channel consent. */
    private static void bits(Transition t, String causeKind, String eventId, List<Change> out) {
        Set<String> a = profileBits(t.before());
        Set<String> b = profileBits(t.after());
        for (String k : b) if (!a.contains(k)) out.add(change(t, k, true, causeKind, eventId));
        for (String k : a) if (!b.contains(k)) out.add(change(t, k, false, causeKind, eventId));
    }

    /**
     * The projected profile bits that are set for a contact in this state, in a stable order: {@code live},
     * then {@code tag:}, {@code aud:} and {@code unsub:} keys; none for a contact that is not live. With its
     * {@code seg:} keys this is the contact's whole row of the Redis projection, which a rebuild derives
     * from here so that it cannot disagree with the change log.
     *
     * <p>Design note: the consent bitmaps mark who unsubscribed ({@code unsub:<channel>}), not who is
     * subscribed, so a new contact (subscribed by default) costs no change-log rows for them.
     */
    public static Set<String> profileBits(Profile p) {
        Set<String> out = new java.util.LinkedHashSet<>();
        if (!p.live()) return out;
        out.add("live");
        for (String tag : new TreeSet<>(p.currentTags())) out.add("tag:" + tag);
        for (String aud : new TreeSet<>(p.currentAudiences())) out.add("aud:" + aud);
        for (Channel c : Channel.values()) if (!p.currentSubscriptions().get(c)) out.add("unsub:" + c.wireName());
        return out;
    }

    private static Change change(Transition t, String key, boolean bit, String causeKind, String eventId) {
        return new Change(key, t.contactId(), t.contactNo(), bit, causeKind, Objects.equals(causeKind, "event") ? eventId : null);
    }

}
