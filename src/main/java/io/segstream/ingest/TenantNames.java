package io.segstream.ingest;

import io.segstream.ingest.TagNames.Candidate;
import io.segstream.ingest.TagNames.Kind;
import io.segstream.ingest.TagNames.Limits;
import io.segstream.ingest.TagNames.Name;
import io.segstream.platform.FieldError;
import io.segstream.platform.TextArray;
import io.segstream.platform.SegstreamProperties;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * The distinct tag and audience names of each tenant in PostgreSQL ({@code tenant_names}, counted in
 * {@code tenant_name_counts}), bounded by {@code segstream.ingest.max-tags-per-tenant} and
 * {@code max-audiences-per-tenant}: each name is a Redis bitmap as long as the tenant's highest contact
 * number, so the limits bound a tenant's projection. PostgreSQL alone decides; Redis plays no part.
 *
 * <p>Design note: ingest is the hot path, so a batch whose names this instance already knows to be
 * recorded ({@link KnownNames}, filled after commits) costs no statement at all. Otherwise one statement
 * checks and records the batch's unknown names: it takes the tenant's count row {@code FOR UPDATE} only
 * when some name is new, so batches that merely use names recorded elsewhere never wait on each other.
 */
@Repository
class TenantNames {

    /** Names held in memory over all tenants: about 15 MB with names of 20 characters. */
    static final int KNOWN_NAMES = 100_000;

    /** Attempts of the check when its snapshot was older than the count row it locked (another batch recorded names meanwhile). */
    private static final int ATTEMPTS = 5;

    private final DatabaseClient db;
    private final Limits limits;
    private final KnownNames known = new KnownNames(KNOWN_NAMES);

    TenantNames(DatabaseClient db, SegstreamProperties properties) {
        this.db = db;
        this.limits = new Limits(properties.ingest().maxTagsPerTenant(), properties.ingest().maxAudiencesPerTenant());
    }

    /**
     * What {@link #admit} decided for a batch: the events refused (by id, with the problem to report),
     * and the names found recorded or recorded now, for {@link #remember} once the transaction committed.
     */
    record Admission(Map<String, FieldError> refused, List<Name> recorded) {
        static final Admission NOTHING_NEW = new Admission(Map.of(), List.of());

        Admission {
            refused = Map.copyOf(refused);
            recorded = List.copyOf(recorded);
        }

        /** The events not refused, in their order. */
        List<IncomingEvent> kept(List<IncomingEvent> events) {
            if (refused.isEmpty()) return events;
            List<IncomingEvent> out = new ArrayList<>(events.size());
            for (IncomingEvent e : events) if (!refused.containsKey(e.event().id())) out.add(e);
            return out;
        }
    }

    /**
     * The events of a batch that bring a tag or audience name this instance does not know to be recorded,
     * in batch order: none in the steady state, and then the batch needs no {@link #admit}.
     */
    List<Candidate> unknown(String tenantId, List<IncomingEvent> events) {
        return TagNames.candidates(events, n -> known.contains(tenantId, n));
    }

    /**
     * Checks the names that {@code candidates} bring against the tenant's limits and records the new
     * ones that fit, in one statement inside the caller's transaction (its first: the tenant row is
     * share-locked first, as by {@link EventLog#open}). New names are admitted in batch order; an event
     * whose name is over the limit is refused unless its id is stored already. Rolled back with the
     * transaction, and then nothing is remembered.
     */
    Mono<Admission> admit(String tenantId, List<Candidate> candidates) {
        if (candidates.isEmpty()) return Mono.just(Admission.NOTHING_NEW);
        return check(tenantId, candidates, 1);
    }

    /** Makes the names of a committed batch known to this instance. */
    void remember(String tenantId, Admission admission) {
        known.addAll(tenantId, admission.recorded());
    }

    /** Forgets every name known to this instance, as after a restart. */
    void forget() {
        known.clear();
    }

    /**
     * Checks a batch's unknown names and records those that fit (see {@link #check}). Which of the batch's
     * events are stored already is one probe of the events' primary key per event, whatever the planner
     * estimates ({@code LATERAL ... OFFSET 0}): as a semi-join, on a table not analyzed since it grew, it read
     * every event of the tenant into a hash table (300,000 events, 321 ms to look up 1,000 ids, against 69 ms
     * probing). {@code ProbeShapedPlansIT} checks the plan.
     */
    static final String CHECK = """
            WITH t AS (SELECT 1 FROM tenants WHERE id = :tenant FOR SHARE),
            v AS (
                SELECT v.id, v.kind, v.name, v.ord
                FROM t, unnest(:ids::text[], :kinds::text[], :names::text[]) WITH ORDINALITY AS v(id, kind, name, ord)),
            stored AS (
                SELECT v.id FROM v CROSS JOIN LATERAL
                    (SELECT 1 FROM events e WHERE e.tenant_id = :tenant AND e.event_id = v.id OFFSET 0) e),
            c AS (
                SELECT v.kind, v.name, min(v.ord) AS ord FROM v
                WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.id = v.id)
                GROUP BY v.kind, v.name),
            known AS (
                SELECT c.kind, c.name FROM c
                WHERE EXISTS (SELECT 1 FROM tenant_names n
                              WHERE n.tenant_id = :tenant AND n.kind = c.kind AND n.name = c.name)),
            fresh AS (
                SELECT c.kind, c.name, row_number() OVER (PARTITION BY c.kind ORDER BY c.ord) AS rank FROM c
                WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.kind = c.kind AND k.name = c.name)),
            locked AS (
                SELECT l.tags, l.audiences FROM tenant_name_counts l
                WHERE l.tenant_id = :tenant AND EXISTS (SELECT 1 FROM fresh)
                FOR UPDATE),
            room AS (
                SELECT :maxTags - l.tags AS tags, :maxAudiences - l.audiences AS audiences
                FROM locked l JOIN tenant_name_counts s
                     ON s.tenant_id = :tenant AND s.tags = l.tags AND s.audiences = l.audiences),
            added AS (
                INSERT INTO tenant_names (tenant_id, kind, name)
                SELECT :tenant, f.kind, f.name FROM fresh f, room r
                WHERE f.rank <= CASE f.kind WHEN 'tag' THEN r.tags ELSE r.audiences END
                ORDER BY f.kind, f.name
                ON CONFLICT DO NOTHING
                RETURNING kind, name),
            counted AS (
                UPDATE tenant_name_counts u
                SET tags = u.tags + (SELECT count(*) FROM added a WHERE a.kind = 'tag'),
                    audiences = u.audiences + (SELECT count(*) FROM added a WHERE a.kind = 'audience')
                WHERE u.tenant_id = :tenant AND EXISTS (SELECT 1 FROM added))
            SELECT 0 AS state, NULL::text AS kind,
                   CASE WHEN EXISTS (SELECT 1 FROM tenant_name_counts m WHERE m.tenant_id = :tenant)
                        THEN 'stale' ELSE 'missing' END AS name
            WHERE EXISTS (SELECT 1 FROM fresh) AND NOT EXISTS (SELECT 1 FROM room)
            UNION ALL SELECT 1, NULL, id FROM stored
            UNION ALL SELECT 2, kind, name FROM known
            UNION ALL SELECT 3, kind, name FROM added
            UNION ALL SELECT 4, f.kind, f.name FROM fresh f, room r
                      WHERE f.rank > CASE f.kind WHEN 'tag' THEN r.tags ELSE r.audiences END""";

    private Mono<Admission> check(String tenantId, List<Candidate> candidates, int attempt) {
        int n = candidates.size();
        String[] ids = new String[n];
        String[] kinds = new String[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            ids[i] = c.eventId();
            kinds[i] = c.name().kind().wire;
            names[i] = c.name().name();
        }
        // Design note: the count row is locked after the statement's snapshot was taken. When another batch
        // recorded names in between (it held the lock, or committed just before), the snapshot misses them:
        // then nothing is recorded and the statement runs again, with the lock held and a newer snapshot.
        // The counts only grow, so equal counts under the lock and in the snapshot mean the snapshot is current.
        return db.sql(CHECK)
                .bind("tenant", tenantId)
                .bind("ids", TextArray.of(ids))
                .bind("kinds", TextArray.of(kinds))
                .bind("names", TextArray.of(names))
                .bind("maxTags", limits.tags())
                .bind("maxAudiences", limits.audiences())
                .map(row -> new Object[] {row.get("state", Integer.class), row.get("kind", String.class), row.get("name", String.class)})
                .all()
                .collect(Checked::new, Checked::add)
                .flatMap(checked -> {
                    if (checked.retry == null) {
                        return Mono.just(new Admission(
                                TagNames.refusals(candidates, checked.over, checked.stored, tenantId, limits), checked.recorded));
                    }
                    if (attempt >= ATTEMPTS) {
                        return Mono.error(new IllegalStateException("The names of tenant " + tenantId + " changed under "
                                + ATTEMPTS + " checks in a row"));
                    }
                    Mono<Void> before = checked.retry.equals("missing") ? createCounts(tenantId) : Mono.empty();
                    return before.then(Mono.defer(() -> check(tenantId, candidates, attempt + 1)));
                });
    }

    /** The tenant's count row, created on its first new name (tenants from before V11 got theirs there). */
    private Mono<Void> createCounts(String tenantId) {
        return db.sql("""
                        INSERT INTO tenant_name_counts (tenant_id, tags, audiences) VALUES (:tenant, 0, 0)
                        ON CONFLICT (tenant_id) DO NOTHING""")
                .bind("tenant", tenantId)
                .then();
    }

    private static final class Checked {
        String retry;
        final Set<String> stored = new HashSet<>();
        final Set<Name> over = new HashSet<>();
        final List<Name> recorded = new ArrayList<>();

        void add(Object[] row) {
            switch ((Integer) row[0]) {
                case 0 -> retry = (String) row[2];
                case 1 -> stored.add((String) row[2]);
                case 2, 3 -> recorded.add(new Name(Kind.fromWire((String) row[1]), (String) row[2]));
                default -> over.add(new Name(Kind.fromWire((String) row[1]), (String) row[2]));
            }
        }
    }
}
