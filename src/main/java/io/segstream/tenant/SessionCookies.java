package io.segstream.tenant;

import java.time.Duration;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * The session cookie: HttpOnly, SameSite=Strict, Path=/, Secure when the request came over HTTPS (as
 * the request's own scheme says; behind a TLS-terminating proxy, set {@code server.forward-headers-strategy}
 * so that it reflects {@code X-Forwarded-Proto}).
 */
final class SessionCookies {

    static final String NAME = "segstream_session";

    private SessionCookies() {}

    static ResponseCookie issue(ServerHttpRequest request, String id, Duration maxAge) {
        return base(request, id).maxAge(maxAge).build();
    }

    static ResponseCookie clear(ServerHttpRequest request) {
        return base(request, "").maxAge(Duration.ZERO).build();
    }

    private static ResponseCookie.ResponseCookieBuilder base(ServerHttpRequest request, String value) {
        return ResponseCookie.from(NAME, value)
                .httpOnly(true)
                .sameSite("Strict")
                .path("/")
                .secure(isHttps(request));
    }

    static boolean isHttps(ServerHttpRequest request) {
        return request.getSslInfo() != null || "https".equalsIgnoreCase(request.getURI().getScheme());
    }
}
