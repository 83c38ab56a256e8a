package io.segstream.segment;

import io.segstream.rules.Evaluator;
import io.segstream.rules.Rule;
import io.segstream.rules.RuleLimits;
import io.segstream.rules.RuleReader;
import io.segstream.rules.Signature;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The compiled segments of each tenant, cached by {@code tenants.segments_version}.
 *
 * <p>Design note: {@link #lockShared} takes the tenant row {@code FOR SHARE} inside the caller's
 * transaction, and every segment change updates that row. So a transaction that evaluates memberships
 * (ingest, timers, builds) either committed before a segment change or sees it: a build never misses
 * an event that an older catalogue evaluated.
 */
@Component
public class SegmentCatalog {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final DatabaseClient db;
    private final JsonMapper json;
    private final Map<String, TenantSegments> cache = new ConcurrentHashMap<>();

    public SegmentCatalog(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    /** In a transaction: share-locks the tenant and emits its current segments. */
    public Mono<TenantSegments> lockShared(String tenantId) {
        return db.sql("SELECT time_zone, segments_version FROM tenants WHERE id = :id FOR SHARE")
                .bind("id", tenantId)
                .map(row -> Map.entry(row.get("time_zone", String.class), row.get("segments_version", Long.class)))
                .one()
                .timeout(TIMEOUT)
                .flatMap(row -> atVersion(tenantId, row.getKey(), row.getValue()));
    }

    /**
     * The tenant's current segments, for a reader outside any evaluating transaction (explanations,
     * previews): no lock is taken, so a segment change committed meanwhile may not be seen. Empty when
     * the tenant does not exist.
     */
    public Mono<TenantSegments> current(String tenantId) {
        return db.sql("SELECT time_zone, segments_version FROM tenants WHERE id = :id")
                .bind("id", tenantId)
                .map(row -> Map.entry(row.get("time_zone", String.class), row.get("segments_version", Long.class)))
                .one()
                .timeout(TIMEOUT)
                .flatMap(row -> atVersion(tenantId, row.getKey(), row.getValue()));
    }

    /**
     * The tenant's segments at {@code version}, for a caller whose own statement took the tenant row {@code
     * FOR SHARE} in its transaction and read its time zone and segments version (the ingest batch's first
     * statement): the same lock as {@link #lockShared}, without a round trip of its own.
     */
    public Mono<TenantSegments> atVersion(String tenantId, String timeZone, long version) {
        TenantSegments cached = cache.get(tenantId);
        if (cached != null && cached.version() == version) return Mono.just(cached);
        return load(tenantId, ZoneId.of(timeZone), version).doOnNext(s -> cache.put(tenantId, s));
    }

    private Mono<TenantSegments> load(String tenantId, ZoneId zone, long version) {
        return db.sql("SELECT id, rule::text AS rule, version, status FROM segments WHERE tenant_id = :t ORDER BY id")
                .bind("t", tenantId)
                .map(row -> new Row(row.get("id", String.class), row.get("rule", String.class),
                        row.get("version", Integer.class), row.get("status", String.class)))
                .all()
                .collectList()
                .timeout(TIMEOUT)
                .map(rows -> compile(tenantId, zone, version, rows));
    }

    private record Row(String id, String rule, int version, String status) {}

    private TenantSegments compile(String tenantId, ZoneId zone, long version, List<Row> rows) {
        Map<String, Rule> rules = new LinkedHashMap<>();
        for (Row r : rows) {
            RuleReader.Result result = RuleReader.read(json.readTree(r.rule()), "/rule", RuleLimits.STORED);
            if (!result.valid()) throw new IllegalStateException("stored rule of " + r.id() + " is invalid: " + result.problems());
            rules.put(r.id(), result.rule());
        }
        List<CompiledSegment> segments = new ArrayList<>();
        Map<Signature, Duration> signatures = new HashMap<>();
        for (Row r : rows) {
            Evaluator e = Evaluator.compile(rules.get(r.id()), rules, zone);
            segments.add(new CompiledSegment(r.id(), r.version(), r.status(), e));
            e.inputs().signatures().forEach((s, d) -> signatures.merge(s, d, (a, b) -> a.compareTo(b) >= 0 ? a : b));
        }
        return new TenantSegments(tenantId, zone, version, segments, signatures);
    }
}
