package io.segstream.platform;

import io.netty.util.internal.PlatformDependent;
import java.util.Optional;

/**
 * Whether Netty's buffers run with {@code sun.misc.Unsafe}, and what an operator should do when they do not.
 *
 * <p>Netty 4.2 stops using {@code sun.misc.Unsafe} by default on Java 25 and later (JEP 471/498 deprecate its
 * memory access); its buffers then take bounds-checked paths that cost the ingest measurably more CPU per
 * event (docs/operations.md, "Java version"). The JVM option {@code --sun-misc-unsafe-memory-access=allow}
 * (Java 23 and later) gives it back without the JVM's warnings; Java 21 has Unsafe and rejects the option.
 * segstream does not force it: the choice stays with whoever starts the JVM.
 */
final class NettyMemoryAccess {

    static final String OPTION = "--sun-misc-unsafe-memory-access=allow";

    private NettyMemoryAccess() {}

    /** The advice for this JVM, empty when Netty has Unsafe. */
    static Optional<String> advice() {
        return advice(Runtime.version().feature(), PlatformDependent.hasUnsafe(), PlatformDependent.getUnsafeUnavailabilityCause());
    }

    static Optional<String> advice(int javaFeature, boolean hasUnsafe, Throwable cause) {
        if (hasUnsafe) {
            return Optional.empty();
        }
        String why = cause == null || cause.getMessage() == null ? "reason not given" : cause.getMessage();
        String remedy = javaFeature >= 23
                ? "start the JVM with " + OPTION + " (for ./mvnw spring-boot:run: -Dspring-boot.run.jvmArguments=" + OPTION + ")"
                : "check that nothing sets -Dio.netty.noUnsafe=true";
        return Optional.of("Netty runs without sun.misc.Unsafe on Java " + javaFeature + " (" + why
                + "): network buffers take slower bounds-checked paths and ingest costs more CPU per event; "
                + remedy + " (docs/operations.md, \"Java version\")");
    }
}
