package io.segstream.rules;

import java.util.Objects;

/** A problem with a readable rule: where it is (1-based line and column) and what is wrong there. */
public record RuleTextError(int line, int column, String message) {

    public RuleTextError {
        Objects.requireNonNull(message, "message");
        if (line < 1 || column < 1) throw new IllegalArgumentException("line and column are 1-based");
    }

    @Override
    public String toString() {
        return "line " + line + ", column " + column + ": " + message;
    }
}
