package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OpaqueArraysTest {

    @Test
    void eachArrayIsUnnestedFromAScalarSubquery() {
        assertThat(OpaqueArrays.unnest(":ids::text[]", ":nos::bigint[]"))
                .isEqualTo("unnest((SELECT :ids::text[]), (SELECT :nos::bigint[]))");
    }

    @Test
    void thereIsNothingToUnnestWithoutAnArray() {
        assertThatThrownBy(OpaqueArrays::unnest).isInstanceOf(IllegalArgumentException.class);
    }
}
