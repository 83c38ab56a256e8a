package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PgArraysTest {

    @Test
    void textElementsAreQuotedWithQuotesAndBackslashesEscapedAndNullsBare() {
        assertThat(PgArrays.text(new String[] {"a", "{\"k\":\"v\\n\"}", null, "", "x,y} z"}))
                .isEqualTo("{\"a\",\"{\\\"k\\\":\\\"v\\\\n\\\"}\",NULL,\"\",\"x,y} z\"}");
        assertThat(PgArrays.text(new String[0])).isEqualTo("{}");
    }

    @Test
    void numbersAndBooleans() {
        assertThat(PgArrays.bigints(new Long[] {1L, null, -9_000_000_000L})).isEqualTo("{1,NULL,-9000000000}");
        assertThat(PgArrays.booleans(new Boolean[] {true, false, null})).isEqualTo("{t,f,NULL}");
    }

    @Test
    void quotesAndBackslashesAnywhereAreEscapedLikeACharacterByCharacterReference() {
        Random random = new Random(7);
        String alphabet = "a\"\\é𝄞,{} ";
        List<String> values = new ArrayList<>(List.of("\\\"", "\"", "\\", "a\"\"b", "\"\\\\\"", "é\"ü\\"));
        for (int i = 0; i < 500; i++) {
            StringBuilder v = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) v.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, random.nextInt(9))));
            values.add(v.toString());
        }
        StringBuilder expected = new StringBuilder("{");
        for (String v : values) {
            if (expected.length() > 1) expected.append(',');
            expected.append('"');
            for (char c : v.toCharArray()) {
                if (c == '"' || c == '\\') expected.append('\\');
                expected.append(c);
            }
            expected.append('"');
        }
        assertThat(PgArrays.text(values.toArray(new String[0]))).isEqualTo(expected.append('}').toString());
    }
}
