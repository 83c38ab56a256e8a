package io.segstream.tenant;

import java.util.Optional;

/** What an API key may do. */
public enum Scope {
    /** POST events. */
    INGEST("ingest"),
    /** Queries, contacts, change streams. */
    READ("read"),
    /** Segments. */
    MANAGE("manage");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Scope> fromWire(String name) {
        for (Scope s : values()) {
            if (s.wireName.equals(name)) return Optional.of(s);
        }
        return Optional.empty();
    }
}
