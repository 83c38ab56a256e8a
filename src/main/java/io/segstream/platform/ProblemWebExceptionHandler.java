package io.segstream.platform;

import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders every error as RFC 9457 {@code application/problem+json}: our own {@link ProblemException}s,
 * the framework's (unknown route 404, 405, 415, 406, undecodable body 400, too large 413) and
 * unexpected failures (500, logged). Database unavailability becomes 503 with {@code Retry-After}.
 *
 * <p>Design note: ordered before Boot's default handler so that nothing answers in another format.
 */
@Component
public class ProblemWebExceptionHandler implements WebExceptionHandler, Ordered {

    private static final Logger log = LoggerFactory.getLogger(ProblemWebExceptionHandler.class);
    static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;
    private static final Duration STORAGE_RETRY_AFTER = Duration.ofSeconds(5);

    private final JsonMapper json;

    public ProblemWebExceptionHandler(JsonMapper json) {
        this.json = json;
    }

    @Override
    public int getOrder() {
        return -2;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(ex);
        }
        ProblemException problem = toProblem(ex);
        if (problem.status().is5xxServerError() && problem.retryAfter() == null) {
            log.error("Request {} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex);
        } else if (problem.status().is5xxServerError()) {
            log.warn("Request {} {} answered {}: {}", exchange.getRequest().getMethod(),
                    exchange.getRequest().getPath(), problem.status().value(), ex.toString());
        }
        ProblemDetails body = new ProblemDetails(problem.type(), problem.title(), problem.status().value(),
                problem.getMessage(), exchange.getRequest().getPath().value(), problem.errors());
        response.setStatusCode(problem.status());
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(PROBLEM_JSON);
        if (problem.retryAfter() != null) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, problem.retryAfter().toSeconds())));
        }
        if (ex instanceof MethodNotAllowedException m && !m.getSupportedMethods().isEmpty()) {
            headers.setAllow(m.getSupportedMethods());
        }
        if (problem.status() == HttpStatus.UNAUTHORIZED) {
            headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        byte[] bytes = json.writeValueAsBytes(body);
        DataBuffer buffer = response.bufferFactory().wrap(bytes);
        return response.writeWith(Mono.just(buffer));
    }

    static ProblemException toProblem(Throwable ex) {
        if (ex instanceof ProblemException p) return p;
        if (ex instanceof DataBufferLimitException) return ProblemException.tooLarge(ex.getMessage());
        if (ex instanceof DecodingException d) return malformed(d);
        if (ex instanceof MethodNotAllowedException m) {
            return new ProblemException(HttpStatus.METHOD_NOT_ALLOWED, Problems.METHOD_NOT_ALLOWED, "Method not allowed",
                    "Method " + m.getHttpMethod() + " is not allowed here; allowed: "
                            + m.getSupportedMethods().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")));
        }
        if (ex instanceof UnsupportedMediaTypeStatusException u) {
            return new ProblemException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, Problems.UNSUPPORTED_MEDIA_TYPE,
                    "Unsupported media type", "Content type " + u.getContentType() + " is not supported; use one of "
                            + u.getSupportedMediaTypes());
        }
        if (ex instanceof NotAcceptableStatusException n) {
            return new ProblemException(HttpStatus.NOT_ACCEPTABLE, Problems.NOT_ACCEPTABLE, "Not acceptable",
                    "This resource can be served as " + n.getSupportedMediaTypes());
        }
        if (ex instanceof ServerWebInputException in) {
            Throwable cause = in.getCause();
            if (cause instanceof DataBufferLimitException || cause instanceof DecodingException) {
                return toProblem(cause);
            }
            return new ProblemException(HttpStatus.BAD_REQUEST, Problems.MALFORMED, "Bad request", in.getReason());
        }
        if (ex instanceof ResponseStatusException rse) {
            HttpStatus status = HttpStatus.resolve(rse.getStatusCode().value());
            if (status == null) status = HttpStatus.INTERNAL_SERVER_ERROR;
            String type = status == HttpStatus.NOT_FOUND ? Problems.NOT_FOUND : Problems.HTTP;
            String detail = status == HttpStatus.NOT_FOUND ? "No resource here" : rse.getReason();
            return new ProblemException(status, type, status.getReasonPhrase(), detail);
        }
        if (isStorageUnavailable(ex)) {
            return ProblemException.unavailable("Storage is unavailable; retry later", STORAGE_RETRY_AFTER);
        }
        return new ProblemException(HttpStatus.INTERNAL_SERVER_ERROR, Problems.INTERNAL, "Internal error",
                "The request failed unexpectedly; it was logged");
    }

    private static ProblemException malformed(DecodingException d) {
        String detail = d.getMostSpecificCause().getMessage();
        if (detail != null) {
            int nl = detail.indexOf('\n');
            if (nl > 0) detail = detail.substring(0, nl);
        }
        return new ProblemException(HttpStatus.BAD_REQUEST, Problems.MALFORMED, "Malformed JSON",
                "The body is not valid JSON: " + detail);
    }

    private static boolean isStorageUnavailable(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof R2dbcTransientException
                    || t instanceof R2dbcNonTransientResourceException
                    || t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessException
                    || t instanceof TimeoutException
                    || t instanceof java.net.ConnectException
                    || t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
        }
        return false;
    }
}
