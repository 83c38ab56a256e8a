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
    void anyTakesTheArrayFromAScalarSubqueryCastBackToItsType() {
        assertThat(OpaqueArrays.any(":ids::text[]")).isEqualTo("ANY((SELECT :ids::text[])::text[])");
        assertThatThrownBy(() -> OpaqueArrays.any(":ids")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OpaqueArrays.any(":id::text")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thereIsNothingToUnnestWithoutAnArray() {
        assertThatThrownBy(OpaqueArrays::unnest).isInstanceOf(IllegalArgumentException.class);
    }
}
