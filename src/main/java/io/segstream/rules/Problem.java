package io.segstream.rules;

import java.util.Objects;

/** A problem with a rule: a JSON pointer into the request and what is wrong there. */
public record Problem(String pointer, String message) {
    public Problem {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return pointer + ": " + message;
    }
}
