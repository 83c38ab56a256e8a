package io.segstream.platform;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * The body of every error answer, RFC 9457 {@code application/problem+json}. {@code errors} (validation
 * problems, each at a JSON pointer into the request) is left out when there are none.
 */
@Schema(name = "Problem", description = "RFC 9457 problem details; the error types are listed in docs/problems.md")
public record ProblemDetails(
        @Schema(description = "A URI naming the kind of problem", example = "urn:segstream:problem:validation") String type,
        @Schema(example = "Invalid request") String title,
        @Schema(description = "The HTTP status", example = "400") int status,
        @Schema(nullable = true, example = "/name: is required, 1-200 characters") String detail,
        @Schema(description = "The request path", example = "/v1/segments") String instance,
        @JsonInclude(JsonInclude.Include.NON_EMPTY)
        @Schema(description = "Validation problems, present only for them") List<FieldError> errors) {

    public ProblemDetails {
        errors = errors == null ? List.of() : List.copyOf(errors);
    }
}
