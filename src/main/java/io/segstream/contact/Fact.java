package io.segstream.contact;

import java.util.Objects;

/**
 * The latest known state of one profile key and when it was observed. {@code value} is null for a
 * removal (a tombstone), which is kept so that an older "set" arriving later cannot resurrect it.
 */
public record Fact<T>(T value, Stamp stamp) {

    public Fact {
        Objects.requireNonNull(stamp, "stamp");
    }

    public boolean present() {
        return value != null;
    }
}
