package io.segstream.contact;

import io.segstream.platform.OpaqueArrays;
import io.segstream.platform.PgArrays;
import io.segstream.platform.TextArray;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import io.segstream.rules.Signature;
import java.time.ZoneId;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
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
    private final JsonMapper json;

    public ContactStore(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    /** A contact as stored: its dense number, folded profile, behaviour and the segments it is in. */
    public record StoredContact(String contactId, long contactNo, Profile profile, Behaviour behaviour, List<String> segments,
            java.util.Optional<Instant> nextDue) {
        public StoredContact {
            segments = List.copyOf(segments);
        }
    }

    /** A contact before and after the events of one batch were folded into it. */
    public record Folded(StoredContact before, Profile profile, Behaviour behaviour, List<NewEvent> events) {}

    /**
     * Folds the new events of contacts that did not exist when their numbers were reserved, as if each
     * were created now from nothing (its number is the reserved one); reads and writes nothing. Such a
     * contact is then written with {@link #create}; one that a concurrent batch created meanwhile is not,
     * and is folded again with {@link #fold} as an existing contact. Emits the contacts in contact-id order.
     */
    public List<Folded> foldNew(List<NewEvent> newEvents, Map<String, Long> reservedNumbers,
            Map<Signature, Duration> signatures, ZoneId zone, Instant now) {
        List<Folded> out = new ArrayList<>();
        byContact(newEvents).forEach((id, events) -> {
            Long no = reservedNumbers.get(id);
            if (no == null) throw new IllegalArgumentException("No number reserved for new contact " + id);
            StoredContact none = new StoredContact(id, no, Profile.EMPTY, Behaviour.EMPTY, List.of(), java.util.Optional.empty());
            Folded f = foldWithoutHistory(none, events, signatures, zone, now);
            // A contact without a row has no stored events: this batch's are its whole history.
            out.add(f != null ? f : foldHistory(none, events, events, signatures, zone, now));
        });
        return out;
    }

    /**
     * Locks the existing contacts of newly stored events and folds the events into their profiles and
     * behaviour; writes nothing. Must run in the transaction that stored the events: a contact whose
     * deletion arrives out of order is refolded from its log, which then includes them. Emits the
     * contacts in contact-id order.
     */
    public Mono<List<Folded>> fold(String tenantId, List<NewEvent> newEvents, Map<Signature, Duration> signatures,
            ZoneId zone, Instant now) {
        if (newEvents.isEmpty()) return Mono.just(List.of());
        Map<String, List<NewEvent>> byContact = byContact(newEvents);
        String[] ids = byContact.keySet().toArray(String[]::new);
        return lock(tenantId, ids)
                .flatMap(locked -> {
                    Map<String, Folded> folded = new TreeMap<>();
                    List<String> needHistory = new ArrayList<>();
                    for (StoredContact c : locked) {
                        Folded f = foldWithoutHistory(c, byContact.getOrDefault(c.contactId(), List.of()), signatures, zone, now);
                        if (f != null) folded.put(c.contactId(), f);
                        else needHistory.add(c.contactId());
                    }
                    if (needHistory.isEmpty()) return Mono.just(List.copyOf(folded.values()));
                    return history(tenantId, needHistory).map(histories -> {
                        for (StoredContact c : locked) {
                            if (!needHistory.contains(c.contactId())) continue;
                            folded.put(c.contactId(), foldHistory(c, histories.getOrDefault(c.contactId(), List.of()),
                                    byContact.getOrDefault(c.contactId(), List.of()), signatures, zone, now));
                        }
                        return List.copyOf(folded.values());
                    });
                })
                .timeout(TIMEOUT);
    }

    private static Map<String, List<NewEvent>> byContact(List<NewEvent> events) {
        Map<String, List<NewEvent>> byContact = new TreeMap<>();
        for (NewEvent e : events) byContact.computeIfAbsent(e.event().contactId(), k -> new ArrayList<>()).add(e);
        return byContact;
    }

    /** The contact with {@code events} applied to its stored state, or null when that needs its history. */
    private static Folded foldWithoutHistory(StoredContact c, List<NewEvent> events, Map<Signature, Duration> signatures,
            ZoneId zone, Instant now) {
        Profile p = c.profile();
        for (NewEvent e : events) {
            if (!p.canApplyWithoutHistory(e.event()) || e.event().effect() instanceof ProfileEffect.Deleted) return null;
            p = p.apply(e.event());
        }
        Behaviour b = c.behaviour().recordAll(events, p, signatures, zone, now);
        return new Folded(c, p, b.prune(signatures, now), events);
    }

    /** The contact refolded from its whole event history {@code all} (which includes {@code events}). */
    private static Folded foldHistory(StoredContact c, List<NewEvent> all, List<NewEvent> events,
            Map<Signature, Duration> signatures, ZoneId zone, Instant now) {
        Profile p = Profile.replay(all.stream().map(NewEvent::event).toList());
        Behaviour b = Behaviour.EMPTY.recordAll(all, p, signatures, zone, now);
        return new Folded(c, p, b.prune(signatures, now), events);
    }

    /** A contact's new state, to write under the lock taken by {@link #fold} or {@link #lockNumbers}. */
    public record ContactUpdate(String contactId, Profile profile, Behaviour behaviour, List<String> segments,
            java.util.Optional<Instant> nextDue) {}

    /** Writes the contacts' new states with one statement, and erases what deletions erased. */
    public Mono<Void> write(String tenantId, List<ContactUpdate> updates) {
        if (updates.isEmpty()) return Mono.empty();
        return writeRows(tenantId, updates).then(Mono.defer(() -> erase(tenantId, updates))).timeout(TIMEOUT);
    }

    /**
     * The contact, if it exists and has not been deleted, with only the segments that exist: a deleted
     * segment stays in its members' rows until its deletion has worked through them, and must not show.
     */
    public Mono<StoredContact> find(String tenantId, String contactId) {
        return db.sql("SELECT " + VISIBLE_COLUMNS + " FROM contacts c WHERE tenant_id = :tenant AND contact_id = :id AND live")
                .bind("tenant", tenantId)
                .bind("id", contactId)
                .map(this::stored)
                .one()
                .timeout(TIMEOUT);
    }

    /**
     * Inserts new contacts with their first state (numbers assigned by a {@link ContactNumbers.Claim}), in contact-id
     * order, and erases what their deletions erased. Emits the ids inserted: a contact that a concurrent
     * batch created in the meantime is left as that batch wrote it (the insert waits for that batch to
     * end), for the caller to lock and fold as an existing contact.
     */
    public Mono<Set<String>> create(String tenantId, List<ContactUpdate> contacts, Map<String, Long> numbers) {
        if (contacts.isEmpty()) return Mono.just(Set.of());
        Rows rows = new Rows(contacts);
        Long[] nos = new Long[rows.ids.length];
        for (int i = 0; i < nos.length; i++) {
            nos[i] = numbers.get(rows.ids[i]);
            if (nos[i] == null) throw new IllegalArgumentException("No number reserved for new contact " + rows.ids[i]);
        }
        return rows.bind(db.sql("""
                        INSERT INTO contacts (tenant_id, contact_id, contact_no, live, created_at, state, behaviour, segments,
                                              next_due, updated_at)
                        SELECT :tenant, v.contact_id, v.no, v.live, v.created_at::timestamptz, v.state::json, v.behaviour::json,
                               v.segments::text[], v.due::timestamptz, now()
                        FROM unnest(:ids::text[], :nos::bigint[], :states::text[], :behaviours::text[], :segments::text[],
                                    :live::boolean[], :created::text[], :dues::text[])
                             AS v(contact_id, no, state, behaviour, segments, live, created_at, due)
                        ORDER BY v.contact_id
                        ON CONFLICT (tenant_id, contact_id) DO NOTHING
                        RETURNING contact_id""")
                        .bind("tenant", tenantId)
                        .bind("nos", PgArrays.bigints(nos)))
                .map(row -> row.get("contact_id", String.class))
                .all()
                .collect(java.util.stream.Collectors.toSet())
                .flatMap(created -> erase(tenantId, contacts.stream().filter(c -> created.contains(c.contactId())).toList())
                        .thenReturn((Set<String>) created))
                .timeout(TIMEOUT);
    }

    /**
     * The ids bound as {@code :ids}, as a relation {@code v(id)} to probe with a {@code LATERAL}
     * subquery that cannot be flattened ({@code OFFSET 0}, or {@code FOR UPDATE}): one index probe per
     * id, whatever the planner estimates. Design note: with {@code contact_id = ANY(:ids)}, or a plain
     * join, and no statistics (a table never analyzed: the benchmark host runs PostgreSQL with autovacuum
     * off), the planner may scan the whole tenant and filter by the array: measured, a 100-id lookup
     * took 3.7 s on one connection at 855,000 contacts, and with every execution planned for its
     * parameters the 1,000,000-contact bulk load fell from 19,378 to 7,288 events/s.
     */
    static final String BY_IDS = "unnest(:ids::text[]) AS v(id)";

    private static final String COLUMNS_BEFORE_SEGMENTS =
            "c.contact_id, c.contact_no, c.state::text AS state, c.behaviour::text AS behaviour, ";
    // epoch microseconds: decoding a timestamptz parses its text, a measurable cost per contact
    private static final String COLUMNS_AFTER_SEGMENTS = ", (extract(epoch FROM c.next_due) * 1000000)::bigint AS next_due_us";

    private static final String COLUMNS = COLUMNS_BEFORE_SEGMENTS + "c.segments" + COLUMNS_AFTER_SEGMENTS;

    /** {@link #COLUMNS} with {@code segments} limited to the segments that still exist, in their order. */
    private static final String VISIBLE_COLUMNS = COLUMNS_BEFORE_SEGMENTS + """
            ARRAY(SELECT x.id FROM unnest(c.segments) WITH ORDINALITY AS x(id, ord)
                  WHERE EXISTS (SELECT 1 FROM segments s WHERE s.tenant_id = c.tenant_id AND s.id = x.id)
                  ORDER BY x.ord) AS segments""" + COLUMNS_AFTER_SEGMENTS;

    /**
     * Locks the contacts named by {@code :ids} that exist, one probe per id in contact-id order (the
     * database's collation, the order every batch locks in), and reads them.
     *
     * <p>Design note: a scan keyed by the ids ({@code contact_id = ANY(...)}, {@code ORDER BY contact_id FOR
     * UPDATE}) finds the rows for less CPU, but reads them all, sorts them and only then locks them one by one:
     * PostgreSQL spent 9 % more CPU on this statement that way (×1.09 in each of two A/B runs of 4 rounds,
     * {@code load-tests/segments/statement-cpu.sh}), so the probe that locks as it goes stays.
     */
    static final String LOCK_BY_IDS = """
            SELECT %s FROM (SELECT id FROM unnest(:ids::text[]) AS u(id) ORDER BY id) v
            CROSS JOIN LATERAL (SELECT * FROM contacts WHERE tenant_id = :tenant AND contact_id = v.id FOR UPDATE) c"""
            .formatted(ContactStore.COLUMNS);

    private StoredContact stored(io.r2dbc.spi.Readable row) {
        String[] segments = row.get("segments", String[].class);
        return new StoredContact(row.get("contact_id", String.class), row.get("contact_no", Long.class),
                ProfileJson.read(json, row.get("state", String.class)),
                BehaviourJson.read(json, row.get("behaviour", String.class)),
                segments == null ? List.of() : List.of(segments),
                java.util.Optional.ofNullable(row.get("next_due_us", Long.class))
                        .map(io.segstream.rules.Instants::ofEpochMicros));
    }

    /**
     * Locks the contacts numbered in ({@code afterNo}, {@code throughNo}], in contact-id order, for a
     * backfill or re-evaluation batch. Emits them ordered by number.
     */
    public Mono<List<StoredContact>> lockNumbers(String tenantId, long afterNo, long throughNo) {
        return db.sql("""
                        SELECT %s FROM contacts c WHERE tenant_id = :tenant AND contact_no > :after AND contact_no <= :through
                        ORDER BY contact_id FOR UPDATE""".formatted(COLUMNS))
                .bind("tenant", tenantId)
                .bind("after", afterNo)
                .bind("through", throughNo)
                .map(this::stored)
                .all()
                .collectList()
                .map(list -> list.stream().sorted(java.util.Comparator.comparingLong(StoredContact::contactNo)).toList())
                .timeout(TIMEOUT);
    }

    /**
     * The live contacts with these numbers (numbers without a live contact are skipped), without locking:
     * one index probe per number. For read-only evaluations (segment previews).
     */
    public Mono<List<StoredContact>> byNumbers(String tenantId, long[] numbers) {
        if (numbers.length == 0) return Mono.just(List.of());
        Long[] boxed = new Long[numbers.length];
        for (int i = 0; i < numbers.length; i++) boxed[i] = numbers[i];
        return db.sql("""
                        SELECT %s FROM unnest(:nos::bigint[]) AS v(no) CROSS JOIN LATERAL
                        (SELECT * FROM contacts WHERE tenant_id = :tenant AND contact_no = v.no AND live OFFSET 0) c"""
                        .formatted(COLUMNS))
                .bind("tenant", tenantId)
                .bind("nos", PgArrays.bigints(boxed))
                .map(this::stored)
                .all()
                .collectList()
                .timeout(TIMEOUT);
    }

    /** What the Redis projection holds of one contact: its number, profile and segments. */
    public record ProjectedContact(long contactNo, Profile profile, List<String> segments) {}

    /** The highest contact number of the tenant, or -1 when it has none. */
    public Mono<Long> maxNumber(String tenantId) {
        return db.sql("SELECT coalesce(max(contact_no), -1) AS top FROM contacts WHERE tenant_id = :tenant")
                .bind("tenant", tenantId)
                .map(row -> ((Number) row.get("top")).longValue())
                .one()
                .timeout(TIMEOUT);
    }

    /** The contacts numbered in [{@code fromNo}, {@code toNo}), without locking, for a projection rebuild. */
    public Mono<List<ProjectedContact>> projected(String tenantId, long fromNo, long toNo) {
        return db.sql("""
                        SELECT contact_no, state::text AS state, segments FROM contacts
                        WHERE tenant_id = :tenant AND contact_no >= :from AND contact_no < :to AND live""")
                .bind("tenant", tenantId)
                .bind("from", fromNo)
                .bind("to", toNo)
                .map(row -> {
                    String[] segments = row.get("segments", String[].class);
                    return new ProjectedContact(row.get("contact_no", Long.class),
                            ProfileJson.read(json, row.get("state", String.class)),
                            segments == null ? List.of() : List.of(segments));
                })
                .all()
                .collectList()
                .timeout(TIMEOUT);
    }

    /** Locks those of the named contacts that exist, in contact-id order. */
    public Mono<List<StoredContact>> lockContacts(String tenantId, Collection<String> contactIds) {
        if (contactIds.isEmpty()) return Mono.just(List.of());
        return db.sql(LOCK_BY_IDS)
                .bind("tenant", tenantId)
                .bind("ids", new TreeSet<>(contactIds).toArray(String[]::new))
                .map(this::stored)
                .all()
                .collectList()
                .timeout(TIMEOUT);
    }

    /** The events of these contacts whose type is one of {@code types}, for recomputing behaviour. */
    public Mono<Map<String, List<NewEvent>>> history(String tenantId, List<String> contactIds, Collection<String> types) {
        if (contactIds.isEmpty() || types.isEmpty()) return Mono.just(Map.of());
        return db.sql("""
                        SELECT e.event_id, e.contact_id, e.type, e.occurred_at, e.properties::text AS properties
                        FROM %s CROSS JOIN LATERAL (SELECT * FROM events WHERE tenant_id = :tenant AND contact_id = v.id
                                                    AND type = ANY(:types) OFFSET 0) e""".formatted(BY_IDS))
                .bind("tenant", tenantId)
                .bind("ids", contactIds.toArray(String[]::new))
                .bind("types", types.toArray(String[]::new))
                .map(this::newEvent)
                .all()
                .collect(HashMap::new, (Map<String, List<NewEvent>> m, NewEvent e) ->
                        m.computeIfAbsent(e.event().contactId(), k -> new ArrayList<>()).add(e))
                .map(m -> (Map<String, List<NewEvent>>) m)
                .timeout(TIMEOUT);
    }

    private NewEvent newEvent(io.r2dbc.spi.Readable row) {
        String type = row.get("type", String.class);
        JsonNode props = json.readTree(row.get("properties", String.class));
        return new NewEvent(new ContactEvent(row.get("event_id", String.class), row.get("contact_id", String.class),
                type, row.get("occurred_at", java.time.OffsetDateTime.class).toInstant(),
                EventEffects.lenient(type, props)), props);
    }

    private Mono<List<StoredContact>> lock(String tenantId, String[] ids) {
        return db.sql(LOCK_BY_IDS)
                .bind("tenant", tenantId)
                .bind("ids", TextArray.of(ids))
                .map(this::stored)
                .all()
                .collectList()
                .flatMap(found -> found.size() == ids.length
                        ? Mono.just(found)
                        : Mono.error(new IllegalStateException("Contacts vanished during the batch: expected "
                                + ids.length + ", locked " + found.size())));
    }

    /** The full event log of these contacts (properties of erased events are empty). */
    public Mono<Map<String, List<NewEvent>>> history(String tenantId, List<String> contactIds) {
        return db.sql("""
                        SELECT e.event_id, e.contact_id, e.type, e.occurred_at, e.properties::text AS properties
                        FROM %s CROSS JOIN LATERAL (SELECT * FROM events WHERE tenant_id = :tenant AND contact_id = v.id
                                                    OFFSET 0) e""".formatted(BY_IDS))
                .bind("tenant", tenantId)
                .bind("ids", contactIds.toArray(String[]::new))
                .map(this::newEvent)
                .all()
                .collect(HashMap::new, (Map<String, List<NewEvent>> m, NewEvent e) ->
                        m.computeIfAbsent(e.event().contactId(), k -> new ArrayList<>()).add(e));
    }

    /** The contacts' rewrite: one primary-key probe per row ({@link OpaqueArrays}). */
    static final String WRITE_ROWS = """
            UPDATE contacts c SET state = v.state::json, behaviour = v.behaviour::json,
                   segments = v.segments::text[],
                   live = v.live, created_at = v.created_at::timestamptz, next_due = v.due::timestamptz,
                   updated_at = now()
            FROM %s AS v(contact_id, state, behaviour, segments, live, created_at, due)
            WHERE c.tenant_id = :tenant AND c.contact_id = v.contact_id""".formatted(OpaqueArrays.unnest(":ids::text[]",
            ":states::text[]", ":behaviours::text[]", ":segments::text[]", ":live::boolean[]", ":created::text[]", ":dues::text[]"));

    private Mono<Void> writeRows(String tenantId, List<ContactUpdate> updates) {
        return new Rows(updates).bind(db.sql(WRITE_ROWS).bind("tenant", tenantId)).then();
    }

    /** Contact states as the parallel arrays that {@link #writeRows} and {@link #create} unnest. */
    private final class Rows {
        final String[] ids;
        final String[] states;
        final String[] behaviours;
        final String[] segments;
        final Boolean[] live;
        final String[] created;
        final String[] dues;

        Rows(List<ContactUpdate> updates) {
            int n = updates.size();
            ids = new String[n];
            states = new String[n];
            behaviours = new String[n];
            segments = new String[n];
            live = new Boolean[n];
            created = new String[n];
            dues = new String[n];
            int i = 0;
            for (ContactUpdate c : updates) {
                dues[i] = c.nextDue().map(Instant::toString).orElse(null);
                ids[i] = c.contactId();
                states[i] = ProfileJson.write(c.profile());
                behaviours[i] = BehaviourJson.write(c.behaviour());
                segments[i] = PgArrays.text(c.segments().toArray(String[]::new)); // each row's own text[] literal
                live[i] = c.profile().live();
                created[i] = c.profile().createdAt().map(Instant::toString).orElse(null);
                i++;
            }
        }

        DatabaseClient.GenericExecuteSpec bind(DatabaseClient.GenericExecuteSpec spec) {
            return spec.bind("ids", TextArray.of(ids))
                    .bind("states", TextArray.of(states))
                    .bind("behaviours", TextArray.of(behaviours))
                    .bind("segments", TextArray.of(segments))
                    .bind("live", PgArrays.booleans(live))
                    .bind("created", TextArray.of(created))
                    .bind("dues", TextArray.of(dues));
        }
    }

    /** The erasure of deleted contacts' event properties: one probe of {@code events_contact} per contact ({@link OpaqueArrays}). */
    static final String ERASE = """
            UPDATE events e SET properties = '{}'::jsonb
            FROM %s AS v(contact_id, deleted_at, deleted_id)
            WHERE e.tenant_id = :tenant AND e.contact_id = v.contact_id
              AND (e.occurred_at, e.event_id) <= (v.deleted_at::timestamptz, v.deleted_id)
              AND e.properties <> '{}'::jsonb""".formatted(OpaqueArrays.unnest(":ids::text[]", ":ats::text[]", ":eids::text[]"));

    /** Erases the stored properties of every event up to each deleted contact's last deletion. */
    private Mono<Void> erase(String tenantId, Collection<ContactUpdate> contacts) {
        List<String> ids = new ArrayList<>();
        List<String> ats = new ArrayList<>();
        List<String> eventIds = new ArrayList<>();
        for (ContactUpdate c : contacts) {
            Stamp d = c.profile().deleted();
            if (d != null) {
                ids.add(c.contactId());
                ats.add(d.at().toString());
                eventIds.add(d.eventId());
            }
        }
        if (ids.isEmpty()) return Mono.empty();
        return db.sql(ERASE)
                .bind("tenant", tenantId)
                .bind("ids", ids.toArray(String[]::new))
                .bind("ats", ats.toArray(String[]::new))
                .bind("eids", eventIds.toArray(String[]::new))
                .then();
    }

}
