package io.segstream.segment;

import io.segstream.platform.FieldError;
import io.segstream.platform.ProblemException;
import io.segstream.rules.Problem;
import io.segstream.rules.Rule;
import io.segstream.rules.RuleLimits;
import io.segstream.rules.RuleReader;
import io.segstream.rules.SegmentGraph;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Segment definitions. Every change runs in a transaction that first locks the tenant row (so reference
 * and cycle checks see a stable set of segments, and in-flight evaluations finish first), then bumps
 * {@code tenants.segments_version} and (re)schedules the segment's build.
 */
@Repository
public class SegmentStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final DatabaseClient db;
    private final TransactionalOperator tx;
    private final JsonMapper json;
    private final SegmentLimits limits;

    public SegmentStore(DatabaseClient db, TransactionalOperator tx, JsonMapper json, SegmentLimits limits) {
        this.db = db;
        this.tx = tx;
        this.json = json;
        this.limits = limits;
    }

    public Mono<SegmentDefinition> create(String tenantId, String id, String name, String ruleJson, Rule rule,
            List<RuleReader.Reference> refs) {
        return lockTenant(tenantId)
                .then(rules(tenantId))
                .flatMap(existing -> {
                    if (existing.containsKey(id)) return Mono.error(ProblemException.conflict("Segment '" + id + "' exists"));
                    if (existing.size() >= limits.maxSegmentsPerTenant()) {
                        return Mono.error(ProblemException.conflict(
                                "This tenant has " + existing.size() + " segments, the limit"));
                    }
                    checkGraph(id, refs, existing);
                    // Members a deletion of the same id has not removed yet stay for this version's build to
                    // re-evaluate, as after an update; that deletion's walk stops (SegmentDeletions).
                    return db.sql("DELETE FROM segment_deletions WHERE tenant_id = :t AND segment_id = :id")
                            .bind("t", tenantId).bind("id", id).then()
                            .then(db.sql("""
                                    INSERT INTO segments (tenant_id, id, name, rule, version, status)
                                    VALUES (:t, :id, :name, :rule::jsonb, 1, 'building')""")
                            .bind("t", tenantId).bind("id", id).bind("name", name).bind("rule", ruleJson)
                            .then())
                            .then(schedule(tenantId, id, 1))
                            .then(bump(tenantId))
                            .thenReturn(new SegmentDefinition(tenantId, id, name, ruleJson, 1, SegmentDefinition.BUILDING));
                })
                .as(tx::transactional)
                .doFinally(signal -> forget(tenantId))
                .timeout(TIMEOUT);
    }

    public Mono<SegmentDefinition> update(String tenantId, String id, String name, String ruleJson, Rule rule,
            List<RuleReader.Reference> refs) {
        return lockTenant(tenantId)
                .then(rules(tenantId))
                .flatMap(existing -> {
                    if (!existing.containsKey(id)) return Mono.error(ProblemException.notFound("Segment '" + id + "'"));
                    Map<String, Rule> others = new LinkedHashMap<>(existing);
                    others.remove(id);
                    checkGraph(id, refs, others);
                    return db.sql("""
                                    UPDATE segments SET name = :name, rule = :rule::jsonb, version = version + 1,
                                           status = 'building', updated_at = now()
                                    WHERE tenant_id = :t AND id = :id RETURNING version""")
                            .bind("t", tenantId).bind("id", id).bind("name", name).bind("rule", ruleJson)
                            .map(row -> row.get("version", Integer.class))
                            .one()
                            .flatMap(version -> schedule(tenantId, id, version).then(bump(tenantId))
                                    .thenReturn(new SegmentDefinition(tenantId, id, name, ruleJson, version,
                                            SegmentDefinition.BUILDING)));
                })
                .as(tx::transactional)
                .timeout(TIMEOUT);
    }

    /**
     * Deletes the segment and its build under the tenant lock, and records a pending removal of its
     * memberships, which {@link SegmentDeletions} works off in batches afterwards, outside the tenant
     * lock (each member gets an exit with cause {@code deletion}). From the commit on the segment does
     * not exist for any reader. 409 while other segments reference it.
     */
    public Mono<Void> delete(String tenantId, String id) {
        return lockTenant(tenantId)
                .then(rules(tenantId))
                .flatMap(existing -> {
                    if (!existing.containsKey(id)) return Mono.error(ProblemException.notFound("Segment '" + id + "'"));
                    var dependents = SegmentGraph.dependents(id, existing);
                    if (!dependents.isEmpty()) {
                        return Mono.error(ProblemException.conflict("Segment '" + id + "' is referenced by " + dependents));
                    }
                    return db.sql("DELETE FROM segments WHERE tenant_id = :t AND id = :id").bind("t", tenantId).bind("id", id)
                            .then()
                            .then(db.sql("DELETE FROM segment_builds WHERE tenant_id = :t AND segment_id = :id")
                                    .bind("t", tenantId).bind("id", id).then())
                            .then(db.sql("""
                                            INSERT INTO segment_deletions (tenant_id, segment_id, generation)
                                            VALUES (:t, :id, nextval('segment_deletion_generation'))
                                            ON CONFLICT (tenant_id, segment_id) DO UPDATE
                                            SET generation = EXCLUDED.generation, after_no = -1, lease_until = NULL,
                                                deleted_at = now()""")
                                    .bind("t", tenantId).bind("id", id).then())
                            .then(bump(tenantId));
                })
                .as(tx::transactional)
                .doFinally(signal -> forget(tenantId))
                .timeout(TIMEOUT);
    }

    private record Known(Set<String> ids, long expiresAtNanos) {}

    private final Map<String, Known> known = new ConcurrentHashMap<>();

    /**
     * Whether the tenant has the segment, from a per-tenant list of ids cached for one second (so a hot
     * count or query does not read PostgreSQL each time). Changes made through this instance are seen
     * at once; changes made elsewhere within a second.
     */
    public Mono<Boolean> exists(String tenantId, String id) {
        Known k = known.get(tenantId);
        if (k != null && k.expiresAtNanos() - System.nanoTime() > 0) return Mono.just(k.ids().contains(id));
        return db.sql("SELECT id FROM segments WHERE tenant_id = :t")
                .bind("t", tenantId)
                .map(row -> row.get("id", String.class))
                .all()
                .collect(java.util.stream.Collectors.toUnmodifiableSet())
                .timeout(TIMEOUT)
                .map(ids -> {
                    if (known.size() > 10_000) known.clear();
                    known.put(tenantId, new Known(ids, System.nanoTime() + Duration.ofSeconds(1).toNanos()));
                    return ids.contains(id);
                });
    }

    private void forget(String tenantId) {
        known.remove(tenantId);
    }

    public Mono<SegmentDefinition> find(String tenantId, String id) {
        return db.sql("SELECT tenant_id, id, name, rule::text AS rule, version, status FROM segments WHERE tenant_id = :t AND id = :id")
                .bind("t", tenantId).bind("id", id)
                .map(row -> new SegmentDefinition(row.get("tenant_id", String.class), row.get("id", String.class),
                        row.get("name", String.class), row.get("rule", String.class), row.get("version", Integer.class),
                        row.get("status", String.class)))
                .one()
                .timeout(TIMEOUT);
    }

    public Flux<SegmentDefinition> list(String tenantId) {
        return db.sql("SELECT tenant_id, id, name, rule::text AS rule, version, status FROM segments WHERE tenant_id = :t ORDER BY id")
                .bind("t", tenantId)
                .map(row -> new SegmentDefinition(row.get("tenant_id", String.class), row.get("id", String.class),
                        row.get("name", String.class), row.get("rule", String.class), row.get("version", Integer.class),
                        row.get("status", String.class)))
                .all()
                .timeout(TIMEOUT);
    }

    private void checkGraph(String id, List<RuleReader.Reference> refs, Map<String, Rule> others) {
        List<Problem> problems = SegmentGraph.check(id, refs, others);
        if (!problems.isEmpty()) {
            throw ProblemException.validation(problems.stream().map(p -> new FieldError(p.pointer(), p.message())).toList());
        }
    }

    private Mono<Void> lockTenant(String tenantId) {
        return db.sql("SELECT id FROM tenants WHERE id = :t FOR UPDATE").bind("t", tenantId).then();
    }

    private Mono<Map<String, Rule>> rules(String tenantId) {
        return db.sql("SELECT id, rule::text AS rule FROM segments WHERE tenant_id = :t")
                .bind("t", tenantId)
                .map(row -> Map.entry(row.get("id", String.class), row.get("rule", String.class)))
                .all()
                .collectList()
                .map(rows -> {
                    Map<String, Rule> out = new LinkedHashMap<>();
                    for (var r : rows) out.put(r.getKey(), RuleReader.read(json.readTree(r.getValue()), "/rule", RuleLimits.STORED).rule());
                    return out;
                });
    }

    private Mono<Void> schedule(String tenantId, String id, int version) {
        return db.sql("""
                        INSERT INTO segment_builds (tenant_id, segment_id, version, after_no, lease_until)
                        VALUES (:t, :id, :v, -1, NULL)
                        ON CONFLICT (tenant_id, segment_id) DO UPDATE SET version = :v, after_no = -1, lease_until = NULL""")
                .bind("t", tenantId).bind("id", id).bind("v", version)
                .then();
    }

    private Mono<Void> bump(String tenantId) {
        return db.sql("UPDATE tenants SET segments_version = segments_version + 1 WHERE id = :t").bind("t", tenantId).then();
    }
}
