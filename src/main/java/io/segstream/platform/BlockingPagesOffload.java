package io.segstream.platform;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Serves everything that is neither the API ({@code /v1/**}) nor the actuator off the event loops: the
 * dashboard's files, Swagger UI and the OpenAPI document. Their handlers block. Spring resolves a static
 * file packed in a jar by opening the jar entry (the dashboard in the production jar, Swagger UI in its
 * webjar), and springdoc builds the OpenAPI document synchronously the first time it is asked for,
 * scanning the class path and reading class files (seconds on a busy machine). Subscribing to the rest
 * of the chain on the bounded-elastic scheduler keeps that away from the threads that serve ingest,
 * queries and streams; pages are few requests, so the thread hop costs nothing that matters.
 */
@Component
class BlockingPagesOffload implements WebFilter, Ordered {

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return onEventLoop(exchange.getRequest().getPath().pathWithinApplication().value())
                ? chain.filter(exchange)
                : chain.filter(exchange).subscribeOn(Schedulers.boundedElastic());
    }

    /** The API and the actuator never block: they stay on the event loop that took the request. */
    static boolean onEventLoop(String path) {
        return path.startsWith("/v1/") || path.equals("/v1") || path.startsWith("/actuator/") || path.equals("/actuator");
    }
}
