package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;

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
}
