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

    /** Emits the changes appended (to hand to {@link ChangeSignals#committed(Appended)} after the commit). */
    public Mono<Appended> write(String tenantId, List<Evaluated> evaluated, boolean writeProfiles, Instant now) {
        List<ContactStore.ContactUpdate> updates = new ArrayList<>();
        Map<String, Optional<Instant>> due = new LinkedHashMap<>();
        List<Change> changes = new ArrayList<>();
        for (Evaluated e : evaluated) {
            Transition t = e.transition();
            boolean membershipChanged = !e.outcome().segments().equals(List.copyOf(new java.util.TreeSet<>(t.segmentsBefore())));
            boolean dueChanged = !e.outcome().nextDue().equals(t.dueBefore());
            if (writeProfiles || membershipChanged || dueChanged || !t.behaviourBefore().equals(t.behaviourAfter())) {
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
