package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NettyMemoryAccessTest {

    @Test
    void noAdviceWhenNettyHasUnsafe() {
        assertThat(NettyMemoryAccess.advice(25, true, null)).isEmpty();
        assertThat(NettyMemoryAccess.advice(21, true, null)).isEmpty();
    }

    @Test
    void onJava23AndLaterTheAdviceNamesTheJvmOptionAndTheCause() {
        var cause = new UnsupportedOperationException("sun.misc.Unsafe: unavailable (io.netty.noUnsafe=true by default on Java 25+)");
        assertThat(NettyMemoryAccess.advice(25, false, cause)).hasValueSatisfying(advice -> assertThat(advice)
                .contains("Java 25")
                .contains("io.netty.noUnsafe=true by default on Java 25+")
                .contains("start the JVM with --sun-misc-unsafe-memory-access=allow")
                .contains("-Dspring-boot.run.jvmArguments=--sun-misc-unsafe-memory-access=allow"));
    }

    @Test
    void onJava21TheAdviceNeverNamesAnOptionThatJvmRejects() {
        assertThat(NettyMemoryAccess.advice(21, false, new IllegalStateException("io.netty.noUnsafe")))
                .hasValueSatisfying(advice -> assertThat(advice)
                        .doesNotContain("--sun-misc-unsafe-memory-access")
                        .contains("-Dio.netty.noUnsafe=true"));
    }

    @Test
    void aCauseWithoutMessageStillGivesAnAdvice() {
        assertThat(NettyMemoryAccess.advice(25, false, null)).hasValueSatisfying(advice -> assertThat(advice).contains("reason not given"));
    }
}
