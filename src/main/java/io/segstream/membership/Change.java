package io.segstream.membership;

/**
 * One row of the change log before it has a seq: a segment enter/exit ({@code key} {@code seg:<id>}) or a
 * projected profile bit ({@code tag:<t>}, {@code aud:<a>}, {@code unsub:<channel>}, {@code live}).
 *
 * @param causeKind {@code event}, {@code time}, {@code definition} or {@code deletion}
 * @param eventId the causing event for {@code event}, else null
 */
public record Change(String key, String contactId, long contactNo, boolean bit, String causeKind, String eventId) {

    public static final String SEGMENT_PREFIX = "seg:";
}
