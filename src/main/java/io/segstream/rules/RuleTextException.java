package io.segstream.rules;

/** Stops reading a readable rule at its first syntax error; never leaves {@link RuleText}. */
final class RuleTextException extends RuntimeException {

    final RuleTextError error;

    RuleTextException(int line, int column, String message) {
        super(message, null, false, false);
        this.error = new RuleTextError(line, column, message);
    }
}
