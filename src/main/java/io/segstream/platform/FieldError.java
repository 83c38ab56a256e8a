package io.segstream.platform;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One validation problem: a JSON pointer (RFC 6901) into the request and what is wrong there. When the
 * pointed-at field is text in a syntax of its own (a readable rule), {@code line} and {@code column}
 * (1-based) say where in that text; otherwise they are null and left out of the answer.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FieldError(String pointer, String message, Integer line, Integer column) {

    public FieldError {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(message, "message");
        if ((line == null) != (column == null)) throw new IllegalArgumentException("line and column go together");
    }

    public FieldError(String pointer, String message) {
        this(pointer, message, null, null);
    }

    /** Escapes one reference token of a JSON pointer ({@code ~} and {@code /}). */
    public static String token(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    @Override
    public String toString() {
        String where = line == null ? "" : " (line " + line + ", column " + column + ")";
        return (pointer.isEmpty() ? "/" : pointer) + where + ": " + message;
    }
}
