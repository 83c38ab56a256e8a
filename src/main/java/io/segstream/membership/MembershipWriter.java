package io.segstream.membership;

import io.segstream.contact.ContactStore;
import io.segstream.membership.MembershipEngine.Outcome;
import io.segstream.membership.MembershipEngine.Transition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Writes the result of evaluating locked contacts inside the caller's transaction: the contact rows,
 * their timers, and last the change log (which takes the tenant's seq lock until commit).
 */
@Component
public class MembershipWriter {

    private final ContactStore contacts;
    private final TimerStore timers;
    private final ChangeLog changeLog;

    public MembershipWriter(ContactStore contacts, TimerStore timers, ChangeLog changeLog) {
        this.contacts = contacts;
        this.timers = timers;
        this.changeLog = changeLog;
    }

    public record Evaluated(Transition transition, Outcome outcome) {}

    /**
     * Inserts contacts that had no row, with their evaluated state (their transitions carry the numbers
     * reserved for them); emits those inserted. The others were created by a concurrent batch meanwhile:
     * the caller folds them as existing contacts. Their timers and changes are written by {@link #write}.
     */
    public Mono<Set<String>> create(String tenantId, List<Evaluated> evaluated) {
        if (evaluated.isEmpty()) return Mono.just(Set.of());
        List<ContactStore.ContactUpdate> rows = new ArrayList<>(evaluated.size());
        Map<String, Long> numbers = new java.util.HashMap<>();
        for (Evaluated e : evaluated) {
            Transition t = e.transition();
            rows.add(new ContactStore.ContactUpdate(t.contactId(), t.after(), t.behaviourAfter(), e.outcome().segments(),
                    e.outcome().nextDue()));
            numbers.put(t.contactId(), t.contactNo());
        }
        return contacts.create(tenantId, rows, numbers);
    }

    /** Emits the changes appended (to hand to {@link ChangeSignals#committed(Appended)} after the commit). */
    public Mono<Appended> write(String tenantId, List<Evaluated> evaluated, boolean writeProfiles, Instant now) {
        return write(tenantId, evaluated, writeProfiles, now, Set.of());
    }

    /** As {@link #write(String, List, boolean, Instant)}, for contacts whose rows {@code created} already wrote. */
    public Mono<Appended> write(String tenantId, List<Evaluated> evaluated, boolean writeProfiles, Instant now,
            Set<String> created) {
        List<ContactStore.ContactUpdate> updates = new ArrayList<>();
        Map<String, Optional<Instant>> due = new LinkedHashMap<>();
        List<Change> changes = new ArrayList<>();
        for (Evaluated e : evaluated) {
            Transition t = e.transition();
            boolean membershipChanged = !e.outcome().segments().equals(List.copyOf(new java.util.TreeSet<>(t.segmentsBefore())));
            boolean dueChanged = !e.outcome().nextDue().equals(t.dueBefore());
            if (created.contains(t.contactId())) {
                // inserted with this state by create(): nothing to update
            } else if (writeProfiles || membershipChanged || dueChanged || !t.behaviourBefore().equals(t.behaviourAfter())) {
                updates.add(new ContactStore.ContactUpdate(t.contactId(), t.after(), t.behaviourAfter(), e.outcome().segments(),
                        e.outcome().nextDue()));
            }
            if (dueChanged) due.put(t.contactId(), e.outcome().nextDue());
            changes.addAll(e.outcome().changes());
        }
        return contacts.write(tenantId, updates)
                .then(timers.set(tenantId, due))
                .then(changeLog.append(tenantId, changes, now));
    }
}
