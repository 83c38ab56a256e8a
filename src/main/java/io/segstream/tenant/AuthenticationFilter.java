package io.segstream.tenant;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Authenticates every {@code /v1} request: {@code /v1/admin/**} needs the admin key, everything else a
 * tenant key, whose {@link Caller} is then available to controllers as a parameter. A missing or
 * unknown key is 401, before routing, so unknown routes reveal nothing to anonymous callers.
 */
@Component
public class AuthenticationFilter implements WebFilter, Ordered {

    static final String CALLER_ATTRIBUTE = Caller.class.getName();
    private static final String BEARER = "Bearer ";

    private final Authenticator authenticator;

    public AuthenticationFilter(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.equals("/v1") && !path.startsWith("/v1/")) {
            return chain.filter(exchange);
        }
        String key = bearerKey(exchange);
        if (key == null) {
            return Mono.error(Authenticator.unauthorized("Send 'Authorization: Bearer <key>'"));
        }
        if (path.equals("/v1/admin") || path.startsWith("/v1/admin/")) {
            return authenticator.isAdmin(key)
                    ? chain.filter(exchange)
                    : Mono.error(Authenticator.unauthorized("This needs the admin key"));
        }
        return authenticator.authenticate(key).flatMap(caller -> {
            exchange.getAttributes().put(CALLER_ATTRIBUTE, caller);
            return chain.filter(exchange);
        });
    }

    private static String bearerKey(ServerWebExchange exchange) {
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String key = header.substring(BEARER.length()).trim();
        return key.isEmpty() ? null : key;
    }
}
