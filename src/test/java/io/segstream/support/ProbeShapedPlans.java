package io.segstream.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * An integration test of the plans PostgreSQL makes for the statements that join a batch's ids to a
 * tenant's rows, on a tenant of {@link #ROWS} contacts, each with one event and one timer, with fresh
 * statistics. The rows are written directly (no tenant row, no projection: nothing else sees them) and
 * removed after the class; the timers are due in a hundred years, out of reach of the timer worker whatever
 * a test clock says. Plans are made the way the service makes them: on its own pool's connections,
 * each execution planned with its parameters, for a batch of {@link #BATCH} ids.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ProbeShapedPlans {

    protected static final int ROWS = 20_000;
    protected static final int BATCH = 1_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Autowired
    protected DatabaseClient db;

    protected final String tenant = "plans-" + UUID.randomUUID();

    @BeforeAll
    void bigTenant() {
        for (String sql : List.of("""
                        INSERT INTO contacts (tenant_id, contact_id, contact_no, live, state, behaviour, segments, updated_at)
                        SELECT :t, 'c-' || i, i, false, json_build_object('city', repeat('x', 600)), '{}'::json, '{}', now()
                        FROM generate_series(1, %d) i""".formatted(ROWS), """
                        INSERT INTO events (tenant_id, event_id, contact_id, type, occurred_at, properties)
                        SELECT :t, 'e-' || i, 'c-' || i, 'message.opened', now(), '{}'::jsonb FROM generate_series(1, %d) i"""
                        .formatted(ROWS), """
                        INSERT INTO contact_timers (tenant_id, contact_id, due_at)
                        SELECT :t, 'c-' || i, now() + interval '100 years' FROM generate_series(1, %d) i""".formatted(ROWS))) {
            db.sql(sql).bind("t", tenant).then().block(TIMEOUT);
        }
        db.sql("ANALYZE contacts, events, contact_timers").then().block(TIMEOUT);
    }

    @AfterAll
    void removeTheBigTenant() {
        for (String table : List.of("contacts", "events", "contact_timers")) {
            db.sql("DELETE FROM " + table + " WHERE tenant_id = :t").bind("t", tenant).then().block(TIMEOUT);
        }
    }

    /** {@code prefix-1} .. {@code prefix-n}, spread over the tenant, in id order. */
    protected static String[] ids(String prefix, int n) {
        return IntStream.rangeClosed(1, n).map(i -> i * (ROWS / n)).mapToObj(i -> prefix + "-" + i).sorted().toArray(String[]::new);
    }

    /** {@code n} copies of {@code value}. */
    protected static String[] repeated(String value, int n) {
        return IntStream.range(0, n).mapToObj(i -> value).toArray(String[]::new);
    }

    /** The plan PostgreSQL makes for {@code sql} with these parameters ({@code :tenant} is the big tenant). */
    protected String plan(String sql, Map<String, Object> parameters) {
        var spec = db.sql("EXPLAIN " + sql).bind("tenant", tenant);
        for (var p : parameters.entrySet()) spec = spec.bind(p.getKey(), p.getValue());
        return String.join("\n", spec.map(row -> row.get(0, String.class)).all().collectList().block(TIMEOUT));
    }

    /**
     * Every scan of {@code table} in the plan is an index probe keyed by the batch's row ({@code probeCondition}
     * in its index condition), never a read of the whole tenant (a sequential scan, or an index scan on the
     * tenant alone, as for a hash table).
     */
    protected static void assertProbesPerRow(String plan, String table, String probeCondition) {
        List<String> lines = plan.lines().toList();
        Pattern scan = Pattern.compile("(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Tid Scan)( using \\S+)? on " + table + "\\b");
        int scans = 0;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = scan.matcher(lines.get(i));
            if (!m.find()) continue;
            scans++;
            assertThat(m.group(1)).as("a scan of %s in the plan:%n%s", table, plan).isNotEqualTo("Seq Scan");
            List<String> next = lines.subList(i + 1, Math.min(lines.size(), i + 4));
            assertThat(next).as("the condition of the scan of %s on line %d of the plan:%n%s", table, i + 1, plan)
                    .anyMatch(l -> l.contains("Cond:") && l.contains(probeCondition));
        }
        assertThat(scans).as("scans of %s in the plan:%n%s", table, plan).isPositive();
    }
}
