package io.segstream.ingest;

import io.segstream.platform.FieldError;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An event of a batch that was not accepted: its position in the request, its id when it had a readable
 * one, and what is wrong, with JSON pointers relative to the event.
 */
public record Rejection(long index, String id, String error, List<FieldError> errors) {

    public Rejection {
        errors = List.copyOf(errors);
    }

    static Rejection of(long index, String id, List<FieldError> errors) {
        String error = errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
        return new Rejection(index, id, error, errors);
    }
}
