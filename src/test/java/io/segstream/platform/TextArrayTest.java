package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class TextArrayTest {

    private static String hex(TextArray array) {
        ByteBuf buf = array.encode(UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.hexDump(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void oneDimensionLowerBoundOneThenEachElementsLengthAndUtf8Bytes() {
        // ndim 1, has nulls 1, element type 25 (text); 3 elements from 1; "é" (2 bytes), NULL (-1), "" (0)
        assertThat(hex(TextArray.of(new String[] {"é", null, ""})))
                .isEqualTo("00000001" + "00000001" + "00000019" + "00000003" + "00000001"
                        + "00000002" + "c3a9" + "ffffffff" + "00000000");
    }

    @Test
    void withoutNullsTheFlagIsZeroAndAnEmptyArrayHasNoDimension() {
        assertThat(hex(TextArray.of(new String[] {"ab"})))
                .isEqualTo("00000001" + "00000000" + "00000019" + "00000001" + "00000001" + "00000002" + "6162");
        assertThat(hex(TextArray.of(new String[0]))).isEqualTo("00000000" + "00000000" + "00000019");
    }

    @Test
    void equalArraysAreEqual() {
        assertThat(TextArray.of(new String[] {"a", null})).isEqualTo(TextArray.of(new String[] {"a", null}))
                .hasSameHashCodeAs(TextArray.of(new String[] {"a", null}));
        assertThat(TextArray.of(new String[] {"a"})).isNotEqualTo(TextArray.of(new String[] {"b"}));
    }
}
