package io.segstream.platform;

import java.util.Objects;

/** One validation problem: a JSON pointer (RFC 6901) into the request and what is wrong there. */
public record FieldError(String pointer, String message) {

    public FieldError {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(message, "message");
    }

    /** Escapes one reference token of a JSON pointer ({@code ~} and {@code /}). */
    public static String token(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    @Override
    public String toString() {
        return (pointer.isEmpty() ? "/" : pointer) + ": " + message;
    }
}
