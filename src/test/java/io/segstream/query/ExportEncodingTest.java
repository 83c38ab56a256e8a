package io.segstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written part of the NDJSON export: reading member numbers off a bitmap chunk (quoting: JsonTest). */
class ExportEncodingTest {

    @Test
    void aChunkListsExactlyTheNumbersWhoseBitsAreSet() {
        Random random = new Random(7);
        for (int round = 0; round < 50; round++) {
            byte[] bits = new byte[64];
            List<Long> expected = new ArrayList<>();
            long first = 8192L * round;
            for (int i = 0; i < bits.length * 8; i++) {
                if (random.nextInt(5) == 0) {
                    bits[i >> 3] |= (byte) (0x80 >>> (i & 7)); // Redis order: most significant bit first
                    expected.add(first + i);
                }
            }
            Bitmaps.Chunk chunk = new Bitmaps.Chunk(first, bits);
            assertThat(chunk.count()).isEqualTo(expected.size());
            assertThat(chunk.numbers()).containsExactly(expected.stream().mapToLong(Long::longValue).toArray());
            for (long no = first - 3; no < first + bits.length * 8L + 3; no++) {
                assertThat(chunk.has(no)).as("bit %s", no).isEqualTo(expected.contains(no));
            }
        }
    }
}
