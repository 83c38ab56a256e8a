package io.segstream.changefeed;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

/**
 * Change streams are not observed as HTTP requests ({@code http.server.requests}): a stream lasts minutes or hours,
 * so its "request duration" would only stretch the latency histogram of the API's requests, and its observation
 * would be held for the stream's whole life. Streams have their own metrics ({@code segstream_sse_*},
 * docs/operations.md).
 */
@Configuration(proxyBeanMethods = false)
class StreamObservations {

    @Bean
    ObservationPredicate changeStreamsAreNotObservedAsRequests() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request && isChangeStream(request.getCarrier()));
    }

    /** {@code GET /v1/changes} and {@code GET /v1/segments/{id}/changes}, the two stream endpoints. */
    static boolean isChangeStream(ServerHttpRequest request) {
        if (request == null || !"GET".equals(request.getMethod().name())) return false;
        String path = request.getPath().pathWithinApplication().value();
        if (path.equals("/v1/changes")) return true;
        String prefix = "/v1/segments/", suffix = "/changes";
        if (path.length() <= prefix.length() + suffix.length() || !path.startsWith(prefix) || !path.endsWith(suffix)) return false;
        return path.indexOf('/', prefix.length()) == path.length() - suffix.length();
    }
}
