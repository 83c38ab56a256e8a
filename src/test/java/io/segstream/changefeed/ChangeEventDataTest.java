package io.segstream.changefeed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The hand-written frames of the change stream: an enter/exit's data carries API.md's fields, in order, as
 * valid JSON; each frame has the lines API.md shows and ends with a blank line.
 */
class ChangeEventDataTest {

    private final JsonMapper json = JsonMapper.builder().build();

    private static String data(ChangeRow row) {
        StringBuilder sb = new StringBuilder();
        SseFrames.data(sb, row);
        return sb.toString();
    }

    private Map<String, Object> parse(String data) {
        return json.readValue(data, new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    @Test
    void anEnterCausedByAnEventNamesTheEvent() {
        var row = new ChangeRow(42, "vip", "c\"1\n", true, Instant.parse("2026-11-01T10:15:30.123456Z"), "event", "e\\1");
        Map<String, Object> data = parse(data(row));
        assertThat(data).containsExactly(Map.entry("seq", 42), Map.entry("segment", "vip"), Map.entry("contactId", "c\"1\n"),
                Map.entry("change", "enter"), Map.entry("at", "2026-11-01T10:15:30.123456Z"),
                Map.entry("cause", Map.of("kind", "event", "eventId", "e\\1")));
    }

    @Test
    void anExitCausedByTimeHasNoEventId() {
        var row = new ChangeRow(Long.MAX_VALUE, "ünï", "c", false, Instant.parse("2026-11-01T10:15:30Z"), "time", null);
        Map<String, Object> data = parse(data(row));
        assertThat(data.get("change")).isEqualTo("exit");
        assertThat(data.get("seq")).isEqualTo(Long.MAX_VALUE);
        assertThat(data.get("segment")).isEqualTo("ünï");
        assertThat(data.get("cause")).isEqualTo(Map.of("kind", "time"));
        assertThat(List.copyOf(data.keySet())).containsExactly("seq", "segment", "contactId", "change", "at", "cause");
    }

    @Test
    void framesHaveTheLinesOfApiMdAndEndWithABlankLine() {
        var row = new ChangeRow(7, "vip", "c1", true, Instant.parse("2026-11-01T10:15:30Z"), "event", "e1");
        assertThat(SseFrames.change(row)).isEqualTo("id: 7\nevent: enter\ndata: " + data(row) + "\n\n");
        assertThat(SseFrames.comment("keep-alive", null)).isEqualTo(": keep-alive\n\n");
        assertThat(SseFrames.comment("connected", java.time.Duration.ofSeconds(3))).isEqualTo("retry: 3000\n: connected\n\n");
        assertThat(SseFrames.reset(12)).isEqualTo("event: reset\ndata: {\"reason\":\"history-expired\",\"asOf\":12}\n\n");
        assertThat(SseFrames.count("v\"ip", 3, 9)).isEqualTo("event: count\ndata: {\"segment\":\"v\\\"ip\",\"count\":3,\"asOf\":9}\n\n");
    }
}
