package io.segstream.contact;

import java.util.List;
import java.util.Optional;

/** A messaging channel a contact can unsubscribe from. */
public enum Channel {
    EMAIL("email"),
    SMS("sms");

    private final String wireName;

    Channel(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Resolves {@code email}, {@code sms} or {@code all} (every channel); empty for anything else. */
    public static Optional<List<Channel>> parseTarget(String name) {
        return switch (name) {
            case "email" -> Optional.of(List.of(EMAIL));
            case "sms" -> Optional.of(List.of(SMS));
            case "all" -> Optional.of(List.of(Channel.values()));
            default -> Optional.empty();
        };
    }

    public static Optional<Channel> fromWire(String name) {
        for (Channel c : values()) {
            if (c.wireName.equals(name)) return Optional.of(c);
        }
        return Optional.empty();
    }
}
