package io.segstream.platform;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a statement joins a batch's arrays to a tenant's rows: {@code unnest} over scalar subqueries,
 * {@code unnest((SELECT :ids::text[]), (SELECT :states::text[]))}, or {@code ANY} of one, so that the
 * planner cannot see the arrays' length.
 *
 * <p>Design note: every execution is planned with its parameters ({@link PostgresSessionConfiguration}).
 * Handed the arrays themselves, the planner knows a batch has 1,000 ids; whenever it also thinks the
 * tenant small (a table not analyzed yet, or analyzed before it grew, or a tenant of short rows) it judges
 * 1,000 primary-key probes dearer than reading the whole tenant into a hash table. Measured on a tenant of
 * 20,000 contacts without statistics: the contacts' rewrite read all 20,000 rows (7,107 heap pages) to
 * change 1,200 of them, 25.6 against 16.9 µs of PostgreSQL CPU per changed row. A {@code SELECT} avoids
 * that with a {@code LATERAL} probe the planner cannot flatten ({@code ContactStore.BY_IDS}), but the target
 * of an {@code UPDATE} or {@code DELETE} is joined by the planner itself. Behind a subquery the arrays'
 * length is unknown, the planner estimates a handful of rows, and it probes the index once per row
 * whatever it thinks of the tenant. The {@code ProbeShapedPlansIT} tests check the plans on a tenant of
 * 20,000 contacts with fresh statistics, where the arrays given as they are still made PostgreSQL read
 * every row of the tenant.
 */
public final class OpaqueArrays {

    private OpaqueArrays() {}

    /**
     * {@code ANY(...)} of one array parameter given with its cast ({@code ":ids::text[]"}), behind a scalar
     * subquery: {@code contact_id = ANY((SELECT :ids::text[])::text[])}. The planner probes the index with
     * the array's elements in one scan, which costs PostgreSQL less per element than a {@code LATERAL} probe
     * per element (4.3 against 7.7 µs of CPU per contact looked up; docs/ingest-performance.md), and, not
     * knowing the array's length, never judges reading the whole tenant cheaper (the cast keeps the parser
     * from taking the subquery for {@code ANY (subquery)}).
     */
    public static String any(String castParameter) {
        int cast = castParameter.lastIndexOf("::");
        if (cast < 0 || !castParameter.endsWith("[]")) {
            throw new IllegalArgumentException("Not an array parameter with its cast: " + castParameter);
        }
        return "ANY((SELECT " + castParameter + ")" + castParameter.substring(cast) + ")";
    }

    /** {@code unnest(...)} of the given array parameters (with their casts), each behind a scalar subquery. */
    public static String unnest(String... arrayParameters) {
        if (arrayParameters.length == 0) throw new IllegalArgumentException("No array to unnest");
        return Arrays.stream(arrayParameters).map(p -> "(SELECT " + p + ")").collect(Collectors.joining(", ", "unnest(", ")"));
    }
}
