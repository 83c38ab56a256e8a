package io.segstream.membership;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * Reads the change log by time for segment history: how far back it reaches, and a segment's enters and
 * exits per time bucket.
 *
 * <p>Design note: the log has no index on its stamp {@code at} (V8 dropped it: three index insertions
 * per ingested event, for a reader that a seq range serves as well). Stamps follow seqs closely, so the
 * first seq of a time window is found by a binary search over the primary key (one index probe per
 * step, about 25 for 10 million rows, in one statement), and the window's rows are then read as a range
 * of seqs. A transaction stamps its changes before it takes their seqs, so a row's stamp can be earlier
 * than the stamp of a row with a lower seq by as long as that transaction ran: the search aims
 * {@code slack} before the window's start so that no row of the window lies below the range read.
 */
@Repository
public class ChangeHistory {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final DatabaseClient db;

    public ChangeHistory(DatabaseClient db) {
        this.db = db;
    }

    /**
     * Where the tenant's log starts: {@code pruned} is false while nothing was ever pruned (the log then
     * holds every change since the tenant was created); otherwise {@code oldestAt} is the stamp of the
     * oldest retained change (empty when none is retained).
     */
    public record Start(boolean pruned, Optional<Instant> oldestAt) {}

    public Mono<Start> start(String tenantId) {
        return db.sql("""
                        SELECT s.pruned_through,
                               (SELECT c.at FROM changes c WHERE c.tenant_id = s.tenant_id AND c.seq > s.pruned_through
                                ORDER BY c.seq LIMIT 1) AS oldest
                        FROM change_seq s WHERE s.tenant_id = :t""")
                .bind("t", tenantId)
                .map(row -> new Start(row.get("pruned_through", Long.class) > 0,
                        Optional.ofNullable(row.get("oldest", OffsetDateTime.class)).map(OffsetDateTime::toInstant)))
                .one()
                .defaultIfEmpty(new Start(false, Optional.empty()))
                .timeout(TIMEOUT);
    }

    /**
     * Enters and exits of {@code key} among the changes with seq up to {@code upTo}, by the bucket of
     * their stamp: bucket {@code b} in {@code [0, n)} holds stamps in {@code [from + b*step, from +
     * (b+1)*step)} (the last one ends at {@code to}), bucket {@code n} every stamp at or after {@code to}.
     * Stamps before {@code from} are not read. Also returns the tenant's start as seen by the same
     * statement (a pruning that ran meanwhile shows there).
     *
     * @param slack how much earlier than its seq neighbours a change can be stamped
     */
    public Mono<Buckets> buckets(String tenantId, String key, Instant from, Instant to, Duration step, int n, long upTo,
            Duration slack) {
        return db.sql("""
                        WITH RECURSIVE
                        p AS (SELECT coalesce((SELECT pruned_through FROM change_seq WHERE tenant_id = :t), 0) AS pruned),
                        s(lo, hi) AS (
                            SELECT pruned, :upTo + 1 FROM p
                            UNION ALL
                            SELECT CASE WHEN m.at IS NULL OR m.at < :bound::timestamptz THEN (s.lo + s.hi) / 2 ELSE s.lo END,
                                   CASE WHEN m.at IS NULL OR m.at < :bound::timestamptz THEN s.hi ELSE (s.lo + s.hi) / 2 END
                            FROM s LEFT JOIN LATERAL (
                                SELECT at FROM changes WHERE tenant_id = :t AND seq = (s.lo + s.hi) / 2) m ON true
                            WHERE s.hi - s.lo > 1),
                        lower AS (SELECT min(lo) AS seq FROM s WHERE hi - lo <= 1),
                        b AS (
                            SELECT CASE WHEN at >= :to::timestamptz THEN :n
                                        ELSE floor(extract(epoch FROM at - :from::timestamptz) / :step)::int END AS bucket,
                                   count(*) FILTER (WHERE bit) AS enters, count(*) FILTER (WHERE NOT bit) AS exits
                            FROM changes
                            WHERE tenant_id = :t AND seq > (SELECT seq FROM lower) AND seq <= :upTo
                              AND key = :key AND at >= :from::timestamptz
                            GROUP BY 1)
                        SELECT bucket, enters, exits, NULL::bigint AS pruned, NULL::timestamptz AS oldest FROM b
                        UNION ALL
                        SELECT NULL, NULL, NULL, p.pruned,
                               (SELECT c.at FROM changes c WHERE c.tenant_id = :t AND c.seq > p.pruned ORDER BY c.seq LIMIT 1)
                        FROM p""")
                .bind("t", tenantId)
                .bind("key", key)
                .bind("from", from.toString())
                .bind("to", to.toString())
                .bind("bound", from.minus(slack).toString())
                .bind("step", (double) step.toSeconds())
                .bind("n", n)
                .bind("upTo", upTo)
                .map(row -> new Object[] {row.get("bucket", Integer.class), row.get("enters", Long.class), row.get("exits", Long.class),
                        row.get("pruned", Long.class), row.get("oldest", OffsetDateTime.class)})
                .all()
                .collectList()
                .map(rows -> {
                    long[] enters = new long[n + 1];
                    long[] exits = new long[n + 1];
                    Start start = new Start(false, Optional.empty());
                    for (Object[] r : rows) {
                        if (r[0] == null) {
                            start = new Start((Long) r[3] > 0, Optional.ofNullable((OffsetDateTime) r[4]).map(OffsetDateTime::toInstant));
                            continue;
                        }
                        int bucket = Math.min(Math.max((Integer) r[0], 0), n);
                        enters[bucket] += (Long) r[1];
                        exits[bucket] += (Long) r[2];
                    }
                    return new Buckets(enters, exits, start);
                })
                .timeout(TIMEOUT);
    }

    /** Enters and exits per bucket ({@code n + 1} entries, the last for stamps at or after the window's end). */
    public record Buckets(long[] enters, long[] exits, Start start) {}
}
