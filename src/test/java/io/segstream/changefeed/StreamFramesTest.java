package io.segstream.changefeed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI document's shapes of the change stream's data ({@link StreamFrames}) are the JSON the
 * hand-written frames carry ({@link SseFrames}): serialized, each record gives the same tree.
 */
class StreamFramesTest {

    private final JsonMapper json = JsonMapper.builder().build();

    /** The record as JSON text, read back: numbers compare as the frames' do. */
    private tools.jackson.databind.JsonNode documented(Object record) {
        return json.readTree(json.writeValueAsString(record));
    }

    private String data(String frame) {
        return frame.lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring("data: ".length());
    }

    @Test
    void anEnterWithItsEventIsAChangeData() {
        Instant at = Instant.parse("2026-11-01T10:15:30.123456Z");
        String frame = SseFrames.change(new ChangeRow(42, "vip", "c-1", true, at, "event", "e-1"));
        var documented = new StreamFrames.ChangeData(42, "vip", "c-1", "enter", at, new StreamFrames.Cause("event", "e-1"));
        assertThat(json.readTree(data(frame))).isEqualTo(documented(documented));
    }

    @Test
    void anExitByTimeHasNoEventId() {
        Instant at = Instant.parse("2026-11-01T10:15:30Z");
        String frame = SseFrames.change(new ChangeRow(7, "vip", "c-1", false, at, "time", null));
        var documented = new StreamFrames.ChangeData(7, "vip", "c-1", "exit", at, new StreamFrames.Cause("time", null));
        assertThat(json.readTree(data(frame))).isEqualTo(documented(documented));
    }

    @Test
    void resetAndCountAreResetDataAndCountData() {
        assertThat(json.readTree(data(SseFrames.reset(12)))).isEqualTo(documented(new StreamFrames.ResetData("history-expired", 12)));
        assertThat(json.readTree(data(SseFrames.count("vip", 3, 9)))).isEqualTo(documented(new StreamFrames.CountData("vip", 3, 9)));
    }
}
