package io.segstream.platform;

import java.time.Duration;
import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * A failure with a defined HTTP meaning, rendered as RFC 9457 problem+json by
 * {@link ProblemWebExceptionHandler}. Thrown (or signalled) by controllers and the services they call.
 */
public class ProblemException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String title;
    private final List<FieldError> errors;
    private final Duration retryAfter;

    public ProblemException(HttpStatus status, String type, String title, String detail, List<FieldError> errors,
            Duration retryAfter) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.retryAfter = retryAfter;
    }

    public ProblemException(HttpStatus status, String type, String title, String detail) {
        this(status, type, title, detail, List.of(), null);
    }

    public static ProblemException validation(List<FieldError> errors) {
        String detail = errors.size() == 1 ? errors.get(0).toString() : errors.size() + " fields are invalid";
        return new ProblemException(HttpStatus.BAD_REQUEST, Problems.VALIDATION, "Invalid request", detail, errors, null);
    }

    public static ProblemException validation(String pointer, String message) {
        return validation(List.of(new FieldError(pointer, message)));
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(HttpStatus.CONTENT_TOO_LARGE, Problems.TOO_LARGE, "Payload too large", detail);
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(HttpStatus.NOT_FOUND, Problems.NOT_FOUND, "Not found", what + " was not found");
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(HttpStatus.CONFLICT, Problems.CONFLICT, "Conflict", detail);
    }

    public static ProblemException unavailable(String detail, Duration retryAfter) {
        return new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, Problems.UNAVAILABLE, "Service unavailable", detail,
                List.of(), retryAfter);
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** How long the client should wait before retrying, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
