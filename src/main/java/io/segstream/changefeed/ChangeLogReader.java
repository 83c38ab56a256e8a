package io.segstream.changefeed;

import java.time.Duration;
import io.segstream.membership.Change;
import io.segstream.membership.ChangeLog;
import io.segstream.membership.MembershipCounts;
import io.segstream.rules.Instants;
import java.util.Collection;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Reads segment changes from the log, in seq order. */
@Repository
class ChangeLogReader {

    static final int PAGE = 1000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final DatabaseClient db;
    private final MembershipCounts counts;
    private final ChangeLog log;

    ChangeLogReader(DatabaseClient db, MembershipCounts counts, ChangeLog log) {
        this.db = db;
        this.counts = counts;
        this.log = log;
    }

    /** Segment changes with {@code after < seq <= upTo}, of all segments (null) or of those named. */
    Flux<ChangeRow> read(String tenantId, long after, long upTo, Collection<String> segments) {
        return page(tenantId, after, upTo, segments).expand(rows -> rows.size() < PAGE ? Mono.empty()
                        : page(tenantId, rows.get(rows.size() - 1).seq(), upTo, segments))
                .concatMapIterable(rows -> rows);
    }

    private Mono<java.util.List<ChangeRow>> page(String tenantId, long after, long upTo, Collection<String> segments) {
        // at as epoch microseconds: decoding a timestamptz parses its text, a measurable cost per row.
        String filter = segments == null ? "key LIKE 'seg:%'" : "key = ANY(:keys)";
        var spec = db.sql("""
                        SELECT seq, key, contact_id, bit, (extract(epoch FROM at) * 1000000)::bigint AS at_us, cause_kind, cause_event_id FROM changes
                        WHERE tenant_id = :t AND seq > :after AND seq <= :upTo AND %s
                        ORDER BY seq LIMIT %d""".formatted(filter, PAGE))
                .bind("t", tenantId).bind("after", after).bind("upTo", upTo);
        if (segments != null) spec = spec.bind("keys", segments.stream().map(s -> Change.SEGMENT_PREFIX + s).toArray(String[]::new));
        return spec.map(row -> new ChangeRow(row.get("seq", Long.class), ChangeRow.segmentOf(row.get("key", String.class)),
                        row.get("contact_id", String.class), row.get("bit", Boolean.class),
                        Instants.ofEpochMicros(row.get("at_us", Long.class)), row.get("cause_kind", String.class),
                        row.get("cause_event_id", String.class)))
                .all()
                .collectList()
                .timeout(TIMEOUT);
    }

    /** The tenant's last seq and how far its log was pruned ({@link ChangeLog#position}). */
    Mono<long[]> position(String tenantId) {
        return log.position(tenantId);
    }

    /** Counts of the segments and the seq they are as of ({@link MembershipCounts}). */
    Mono<MembershipCounts.Counted> counts(String tenantId, Collection<String> segments) {
        return counts.counts(tenantId, segments);
    }
}
