package io.segstream.membership;

import java.time.Instant;
import java.util.List;

/**
 * The changes one transaction appended to a tenant's change log: seqs {@code firstSeq} to {@link #lastSeq()}
 * in list order, all stamped {@code at} (microsecond precision, as stored). They are known to be visible
 * only once that transaction has committed; then they can be handed to the projection and the change feed
 * without reading them back from the log.
 */
public record Appended(String tenantId, long firstSeq, List<Change> changes, Instant at) {

    public Appended {
        changes = List.copyOf(changes);
    }

    /** Nothing appended. */
    public static Appended none(String tenantId) {
        return new Appended(tenantId, 0, List.of(), Instant.EPOCH);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    public long lastSeq() {
        return firstSeq + changes.size() - 1;
    }

    /** The seq of the change at {@code index}. */
    public long seq(int index) {
        return firstSeq + index;
    }
}
