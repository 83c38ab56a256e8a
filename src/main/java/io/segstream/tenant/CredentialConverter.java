package io.segstream.tenant;

import java.util.regex.Pattern;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Finds the credential a {@code /v1} request presents, in this order: {@code Authorization: Bearer}
 * (the admin key on {@code /v1/admin/**}, a tenant key elsewhere); {@code ?access_token=} on a GET of a
 * change stream (ignored anywhere else); the session cookie. Admin paths take the bearer admin key only.
 * Empty when there is none: authorization then answers 401.
 */
final class CredentialConverter implements ServerAuthenticationConverter {

    static final String ACCESS_TOKEN = "access_token";
    private static final String BEARER = "Bearer ";
    private static final Pattern CHANGE_STREAM = Pattern.compile("/v1/changes|/v1/segments/[^/]+/changes");

    @Override
    public Mono<Authentication> convert(ServerWebExchange exchange) {
        return Mono.justOrEmpty(credential(exchange.getRequest())).map(PresentedCredential::new);
    }

    static Credential credential(ServerHttpRequest request) {
        String bearer = bearerKey(request);
        if (isAdminPath(request)) {
            return bearer == null ? null : new Credential.AdminKey(bearer);
        }
        if (bearer != null) return new Credential.BearerKey(bearer);
        if (isChangeStream(request)) {
            String token = request.getQueryParams().getFirst(ACCESS_TOKEN);
            if (token != null && !token.isEmpty()) return new Credential.StreamToken(token);
        }
        HttpCookie cookie = request.getCookies().getFirst(SessionCookies.NAME);
        if (cookie != null && !cookie.getValue().isEmpty()) return new Credential.SessionCookie(cookie.getValue());
        return null;
    }

    static boolean isAdminPath(ServerHttpRequest request) {
        String path = request.getPath().pathWithinApplication().value();
        return path.equals("/v1/admin") || path.startsWith("/v1/admin/");
    }

    static boolean isChangeStream(ServerHttpRequest request) {
        return HttpMethod.GET.equals(request.getMethod())
                && CHANGE_STREAM.matcher(request.getPath().pathWithinApplication().value()).matches();
    }

    static boolean hasBearer(ServerHttpRequest request) {
        return bearerKey(request) != null;
    }

    private static String bearerKey(ServerHttpRequest request) {
        String header = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String key = header.substring(BEARER.length()).trim();
        return key.isEmpty() ? null : key;
    }
}
