package io.segstream.platform;

/**
 * A start needs an embedded PostgreSQL or Redis (none is configured) that this build does not include.
 * Reported as one sentence by {@link EmbeddedServersNotIncludedFailureAnalyzer}, without a stack trace.
 */
public final class EmbeddedServersNotIncludedException extends IllegalStateException {

    EmbeddedServersNotIncludedException(String sentence) {
        super(sentence);
    }
}
