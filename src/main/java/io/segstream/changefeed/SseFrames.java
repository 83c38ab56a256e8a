package io.segstream.changefeed;

import io.segstream.platform.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The text of the change stream's server-sent events, one frame (ending in a blank line) per event, as
 * API.md writes them ({@code id: <seq>}, {@code event: enter}, {@code data: {...}}, {@code : keep-alive}).
 *
 * <p>Design note: frames are written by hand and handed to the response as bytes, not as Spring
 * {@code ServerSentEvent}s: Spring's event-stream writer flushes after every event, one socket write
 * each (at 5,000 changes/s, 5,000 writes a second to one subscriber); written as plain bytes, Reactor
 * Netty flushes once whatever is queued when it drains, so the changes of one commit leave together and
 * a lone change still leaves at once. A live change is encoded once by {@link ChangeTail} and the same
 * bytes are written to every stream it goes to.
 */
final class SseFrames {

    private SseFrames() {}

    /** A comment frame ({@code : text}), with a {@code retry:} hint when {@code retry} is not null. */
    static String comment(String text, Duration retry) {
        StringBuilder sb = new StringBuilder(text.length() + 24);
        if (retry != null) sb.append("retry: ").append(retry.toMillis()).append('\n');
        return sb.append(": ").append(text).append("\n\n").toString();
    }

    /** One enter/exit: {@code id: <seq>}, {@code event: enter|exit}, the change as data. */
    static String change(ChangeRow r) {
        StringBuilder sb = new StringBuilder(220);
        sb.append("id: ").append(r.seq()).append("\nevent: ").append(r.enter() ? "enter" : "exit").append("\ndata: ");
        data(sb, r);
        return sb.append("\n\n").toString();
    }

    /** {@link #change} in UTF-8, as written to the response. */
    static byte[] changeBytes(ChangeRow r) {
        return change(r).getBytes(StandardCharsets.UTF_8);
    }

    /** A frame in UTF-8, as written to the response. */
    static byte[] bytes(String frame) {
        return frame.getBytes(StandardCharsets.UTF_8);
    }

    /** The first event of a resume from before the retained history. */
    static String reset(long asOf) {
        return "event: reset\ndata: {\"reason\":\"history-expired\",\"asOf\":" + asOf + "}\n\n";
    }

    /** A segment's size as of a seq. */
    static String count(String segment, long count, long asOf) {
        StringBuilder sb = new StringBuilder(64).append("event: count\ndata: {\"segment\":");
        Json.quote(sb, segment);
        return sb.append(",\"count\":").append(count).append(",\"asOf\":").append(asOf).append("}\n\n").toString();
    }

    /** The data of a change, as in API.md: seq, segment, contactId, change, at, cause. */
    static void data(StringBuilder sb, ChangeRow r) {
        sb.append("{\"seq\":").append(r.seq()).append(",\"segment\":");
        Json.quote(sb, r.segment());
        sb.append(",\"contactId\":");
        Json.quote(sb, r.contactId());
        sb.append(",\"change\":\"").append(r.enter() ? "enter" : "exit").append("\",\"at\":\"").append(r.at())
                .append("\",\"cause\":{\"kind\":");
        Json.quote(sb, r.causeKind());
        if (r.eventId() != null) {
            sb.append(",\"eventId\":");
            Json.quote(sb, r.eventId());
        }
        sb.append("}}");
    }
}
