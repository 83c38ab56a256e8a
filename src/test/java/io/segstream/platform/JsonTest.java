package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class JsonTest {

    @Test
    void quotedStringsReadBackAsTheSameStrings() {
        JsonMapper json = JsonMapper.builder().build();
        for (String id : List.of("c-1", "a\"b", "back\\slash", "tab\tand\nnewline", "ctl\u0001", "ünï©ødé", "")) {
            StringBuilder sb = new StringBuilder();
            Json.quote(sb, id);
            assertThat(json.readValue(sb.toString(), String.class)).isEqualTo(id);
        }
    }
}
