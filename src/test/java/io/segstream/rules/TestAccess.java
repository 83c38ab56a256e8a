package io.segstream.rules;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/** Test access to the shared comparison semantics (package-private in main code). */
public final class TestAccess {
    private TestAccess() {}

    public static boolean test(Test t, Optional<Value> value, ZoneId zone, Instant now) {
        return Comparisons.test(t.op(), t.operand(), value, zone, now);
    }
}
