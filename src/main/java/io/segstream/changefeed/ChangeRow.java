package io.segstream.changefeed;

import java.time.Instant;

/** One segment enter/exit of the change log. */
record ChangeRow(long seq, String segment, String contactId, boolean enter, Instant at, String causeKind, String eventId) {}
