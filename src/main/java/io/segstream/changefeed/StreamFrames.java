package io.segstream.changefeed;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/**
 * The {@code data:} of the change stream's events, as the OpenAPI document describes them. The frames
 * themselves are written by hand ({@link SseFrames}); {@code StreamFramesTest} checks that these
 * records, serialized, give the same JSON.
 */
final class StreamFrames {

    private StreamFrames() {}

    static final String DESCRIPTION = """
            Server-sent events. On connect: `retry: <ms>` and a `: connected` comment; then one event per membership change:
            `id: <seq>` (grows within the tenant; send it back as Last-Event-ID to resume), `event: enter` or `event: exit`,
            `data:` a ChangeData. A resume from before the retained history starts with `event: reset`, `data:` a ResetData,
            and continues live after its asOf. With counts=true, `event: count`, `data:` a CountData, at most once a second per
            segment whose count changed. A `: keep-alive` comment at least every 15 s. The response carries
            Cache-Control: no-cache and X-Accel-Buffering: no. The server ends the stream of a subscriber that falls too far
            behind, and on shutdown; reconnect with Last-Event-ID.""";

    static final String EXAMPLE = """
            retry: 3000
            : connected

            id: 1812
            event: enter
            data: {"seq":1812,"segment":"new-happy-referrers","contactId":"c-42","change":"enter","at":"2026-11-28T10:05:00.123456Z","cause":{"kind":"event","eventId":"evt-0003"}}

            event: count
            data: {"segment":"new-happy-referrers","count":43,"asOf":1812}

            : keep-alive

            """;

    /** {@code event: enter|exit}: one membership change. */
    @Schema(name = "ChangeData", description = "The data of an enter or exit event (its id: line is seq)")
    record ChangeData(
            @Schema(description = "The change's position in the tenant's log; also the event's id", example = "1812") long seq,
            @Schema(example = "new-happy-referrers") String segment,
            @Schema(example = "c-42") String contactId,
            @Schema(allowableValues = {"enter", "exit"}) String change,
            @Schema(description = "When membership changed", example = "2026-11-28T10:05:00.123456Z") Instant at,
            Cause cause) {}

    /** Why a membership changed. */
    @Schema(name = "ChangeCause")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Cause(
            @Schema(allowableValues = {"event", "time", "definition", "deletion"},
                    description = "An event, time alone, a new segment definition, or the contact's deletion") String kind,
            @Schema(nullable = true, description = "The event's id, when kind is event", example = "evt-0003") String eventId) {}

    /** {@code event: reset}: the resume point is older than the retained history. */
    @Schema(name = "ResetData", description = "The data of a reset event: re-read counts/members as of asOf, the stream continues after it")
    record ResetData(@Schema(allowableValues = "history-expired") String reason, @Schema(example = "1812") long asOf) {}

    /** {@code event: count}: a segment's size as of a seq ({@code ?counts=true}). */
    @Schema(name = "CountData", description = "The data of a count event")
    record CountData(@Schema(example = "new-happy-referrers") String segment, @Schema(example = "43") long count,
            @Schema(example = "1812") long asOf) {}
}
