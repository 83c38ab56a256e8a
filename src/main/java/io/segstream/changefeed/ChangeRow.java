package io.segstream.changefeed;

import io.segstream.membership.Change;
import java.time.Instant;

/** One segment enter/exit of the change log. */
record ChangeRow(long seq, String segment, String contactId, boolean enter, Instant at, String causeKind, String eventId) {

    /** The segment id of a change-log key {@code seg:<id>}. */
    static String segmentOf(String key) {
        return key.substring(Change.SEGMENT_PREFIX.length());
    }
}
