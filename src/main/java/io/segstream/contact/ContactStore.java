package io.segstream.contact;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Contact profiles in PostgreSQL. {@link #fold} runs inside the caller's ingest transaction: it locks
 * the touched contacts (in contact-id order, so concurrent batches cannot deadlock), folds the new
 * events and writes every profile back with one statement.
 */
@Repository
public class ContactStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final DatabaseClient db;
    private final ContactNumbers numbers;
    private final JsonMapper json;

    public ContactStore(DatabaseClient db, ContactNumbers numbers, JsonMapper json) {
        this.db = db;
        this.numbers = numbers;
        this.json = json;
    }

    /** A contact as stored: its dense number and folded profile. */
    public record StoredContact(String contactId, long contactNo, Profile profile) {}

    /**
     * Reserves numbers for the contacts among {@code contactIds} that do not exist yet. Called before
     * the ingest transaction; a number reserved for a contact that a concurrent batch creates first is
     * left unused.
     */
    public Mono<Map<String, Long>> numbersForNew(String tenantId, Collection<String> contactIds) {
        if (contactIds.isEmpty()) return Mono.just(Map.of());
        String[] ids = new TreeSet<>(contactIds).toArray(String[]::new);
        return db.sql("SELECT contact_id FROM contacts WHERE tenant_id = :tenant AND contact_id = ANY(:ids)")
                .bind("tenant", tenantId)
                .bind("ids", ids)
                .map(row -> row.get("contact_id", String.class))
                .all()
                .collect(java.util.stream.Collectors.toSet())
                .timeout(TIMEOUT)
                .flatMap(existing -> {
                    List<String> missing = new ArrayList<>();
                    for (String id : ids) if (!existing.contains(id)) missing.add(id);
                    return numbers.allocate(tenantId, missing.size()).map(nos -> {
                        Map<String, Long> out = new LinkedHashMap<>();
                        for (int i = 0; i < missing.size(); i++) out.put(missing.get(i), nos[i]);
                        return out;
                    });
                });
    }

    /**
     * Folds newly stored events into their contacts' profiles. Must run in the transaction that stored
     * the events (a contact whose deletion arrives out of order is refolded from its log, which then
     * includes them). Emits the contacts as written, in contact-id order.
     */
    public Mono<List<StoredContact>> fold(String tenantId, List<ContactEvent> newEvents, Map<String, Long> reservedNumbers) {
        if (newEvents.isEmpty()) return Mono.just(List.of());
        Map<String, List<ContactEvent>> byContact = new TreeMap<>();
        for (ContactEvent e : newEvents) byContact.computeIfAbsent(e.contactId(), k -> new ArrayList<>()).add(e);
        String[] ids = byContact.keySet().toArray(String[]::new);
        return createMissing(tenantId, ids, reservedNumbers)
                .then(lock(tenantId, ids))
                .flatMap(locked -> {
                    Map<String, StoredContact> folded = new TreeMap<>();
                    List<String> needHistory = new ArrayList<>();
                    for (StoredContact c : locked) {
                        Profile p = c.profile();
                        boolean ok = true;
                        for (ContactEvent e : byContact.getOrDefault(c.contactId(), List.of())) {
                            if (!p.canApplyWithoutHistory(e)) {
                                ok = false;
                                break;
                            }
                            p = p.apply(e);
                        }
                        if (ok) folded.put(c.contactId(), new StoredContact(c.contactId(), c.contactNo(), p));
                        else needHistory.add(c.contactId());
                    }
                    Mono<Void> replayed = needHistory.isEmpty()
                            ? Mono.empty()
                            : history(tenantId, needHistory).doOnNext(histories -> {
                                for (StoredContact c : locked) {
                                    if (histories.containsKey(c.contactId()) || needHistory.contains(c.contactId())) {
                                        Profile p = Profile.replay(histories.getOrDefault(c.contactId(), List.of()));
                                        folded.put(c.contactId(), new StoredContact(c.contactId(), c.contactNo(), p));
                                    }
                                }
                            }).then();
                    return replayed.then(Mono.defer(() -> write(tenantId, folded.values())))
                            .then(Mono.defer(() -> erase(tenantId, folded.values())))
                            .thenReturn(List.copyOf(folded.values()));
                })
                .timeout(TIMEOUT);
    }

    /** The contact, if it exists and has not been deleted. */
    public Mono<StoredContact> find(String tenantId, String contactId) {
        return db.sql("SELECT contact_id, contact_no, state::text AS state FROM contacts "
                        + "WHERE tenant_id = :tenant AND contact_id = :id AND live")
                .bind("tenant", tenantId)
                .bind("id", contactId)
                .map(row -> new StoredContact(row.get("contact_id", String.class), row.get("contact_no", Long.class),
                        ProfileJson.read(json.readTree(row.get("state", String.class)))))
                .one()
                .timeout(TIMEOUT);
    }

    private Mono<Void> createMissing(String tenantId, String[] ids, Map<String, Long> reserved) {
        List<String> create = new ArrayList<>();
        List<Long> nos = new ArrayList<>();
        for (String id : ids) {
            Long no = reserved.get(id);
            if (no != null) {
                create.add(id);
                nos.add(no);
            }
        }
        if (create.isEmpty()) return Mono.empty();
        return db.sql("""
                        INSERT INTO contacts (tenant_id, contact_id, contact_no, live, state)
                        SELECT :tenant, c, n, false, '{}'::jsonb FROM unnest(:ids::text[], :nos::bigint[]) AS v(c, n)
                        ORDER BY c
                        ON CONFLICT (tenant_id, contact_id) DO NOTHING""")
                .bind("tenant", tenantId)
                .bind("ids", create.toArray(String[]::new))
                .bind("nos", nos.toArray(Long[]::new))
                .then();
    }

    private Mono<List<StoredContact>> lock(String tenantId, String[] ids) {
        return db.sql("""
                        SELECT contact_id, contact_no, state::text AS state FROM contacts
                        WHERE tenant_id = :tenant AND contact_id = ANY(:ids)
                        ORDER BY contact_id FOR UPDATE""")
                .bind("tenant", tenantId)
                .bind("ids", ids)
                .map(row -> new StoredContact(row.get("contact_id", String.class), row.get("contact_no", Long.class),
                        ProfileJson.read(json.readTree(row.get("state", String.class)))))
                .all()
                .collectList()
                .flatMap(found -> found.size() == ids.length
                        ? Mono.just(found)
                        : Mono.error(new IllegalStateException("Contacts vanished during the batch: expected "
                                + ids.length + ", locked " + found.size())));
    }

    private Mono<Map<String, List<ContactEvent>>> history(String tenantId, List<String> contactIds) {
        return db.sql("""
                        SELECT event_id, contact_id, type, occurred_at, properties::text AS properties FROM events
                        WHERE tenant_id = :tenant AND contact_id = ANY(:ids)""")
                .bind("tenant", tenantId)
                .bind("ids", contactIds.toArray(String[]::new))
                .map(row -> {
                    String type = row.get("type", String.class);
                    JsonNode props = json.readTree(row.get("properties", String.class));
                    return new ContactEvent(row.get("event_id", String.class), row.get("contact_id", String.class), type,
                            row.get("occurred_at", java.time.OffsetDateTime.class).toInstant(),
                            EventEffects.lenient(type, props));
                })
                .all()
                .collect(HashMap::new, (Map<String, List<ContactEvent>> m, ContactEvent e) ->
                        m.computeIfAbsent(e.contactId(), k -> new ArrayList<>()).add(e));
    }

    private Mono<Void> write(String tenantId, Collection<StoredContact> contacts) {
        int n = contacts.size();
        String[] ids = new String[n];
        String[] states = new String[n];
        Boolean[] live = new Boolean[n];
        String[] created = new String[n];
        int i = 0;
        for (StoredContact c : contacts) {
            ids[i] = c.contactId();
            states[i] = json.writeValueAsString(ProfileJson.write(c.profile()));
            live[i] = c.profile().live();
            created[i] = c.profile().createdAt().map(Instant::toString).orElse(null);
            i++;
        }
        return db.sql("""
                        UPDATE contacts c SET state = v.state::jsonb, live = v.live,
                               created_at = v.created_at::timestamptz, updated_at = now()
                        FROM unnest(:ids::text[], :states::text[], :live::boolean[], :created::text[])
                             AS v(contact_id, state, live, created_at)
                        WHERE c.tenant_id = :tenant AND c.contact_id = v.contact_id""")
                .bind("tenant", tenantId)
                .bind("ids", ids)
                .bind("states", states)
                .bind("live", live)
                .bind("created", created)
                .then();
    }

    /** Erases the stored properties of every event up to each deleted contact's last deletion. */
    private Mono<Void> erase(String tenantId, Collection<StoredContact> contacts) {
        List<String> ids = new ArrayList<>();
        List<String> ats = new ArrayList<>();
        List<String> eventIds = new ArrayList<>();
        for (StoredContact c : contacts) {
            Stamp d = c.profile().deleted();
            if (d != null) {
                ids.add(c.contactId());
                ats.add(d.at().toString());
                eventIds.add(d.eventId());
            }
        }
        if (ids.isEmpty()) return Mono.empty();
        return db.sql("""
                        UPDATE events e SET properties = '{}'::jsonb
                        FROM unnest(:ids::text[], :ats::text[], :eids::text[]) AS v(contact_id, deleted_at, deleted_id)
                        WHERE e.tenant_id = :tenant AND e.contact_id = v.contact_id
                          AND (e.occurred_at, e.event_id) <= (v.deleted_at::timestamptz, v.deleted_id)
                          AND e.properties <> '{}'::jsonb""")
                .bind("tenant", tenantId)
                .bind("ids", ids.toArray(String[]::new))
                .bind("ats", ats.toArray(String[]::new))
                .bind("eids", eventIds.toArray(String[]::new))
                .then();
    }

}
