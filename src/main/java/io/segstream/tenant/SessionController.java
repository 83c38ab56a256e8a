package io.segstream.tenant;

import io.segstream.platform.ProblemException;
import java.util.List;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Sign-in and sign-out for browsers: {@code POST /v1/sessions {"key"}} trades an API key for a session
 * cookie ({@link Sessions}); {@code DELETE /v1/sessions/current} ends the session of the cookie sent.
 */
@RestController
@RequestMapping(path = "/v1/sessions", produces = MediaType.APPLICATION_JSON_VALUE)
class SessionController {

    private static final int MAX_KEY_LENGTH = 1024;

    /** The answer to a sign-in. */
    record SessionView(String tenant, List<String> scopes, String expiresAt) {}

    private final Authenticator authenticator;
    private final Sessions sessions;

    SessionController(Authenticator authenticator, Sessions sessions) {
        this.authenticator = authenticator;
        this.sessions = sessions;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<SessionView>> signIn(@RequestBody JsonNode body, ServerHttpRequest request) {
        JsonNode key = body == null || !body.isObject() ? null : body.get("key");
        if (key == null || !key.isString() || key.stringValue().isBlank()) {
            throw ProblemException.validation("/key", "must be an API key");
        }
        if (key.stringValue().length() > MAX_KEY_LENGTH) {
            throw ProblemException.validation("/key", "must be at most " + MAX_KEY_LENGTH + " characters");
        }
        return authenticator.authenticate(key.stringValue().trim())
                .flatMap(sessions::open)
                .map(opened -> ResponseEntity.status(HttpStatus.CREATED)
                        .header(HttpHeaders.SET_COOKIE, SessionCookies.issue(request, opened.id(), sessions.ttl()).toString())
                        .body(new SessionView(opened.caller().tenantId(),
                                opened.caller().scopes().stream().map(Scope::wireName).sorted().toList(),
                                opened.expiresAt().toString())));
    }

    @DeleteMapping("/current")
    Mono<ResponseEntity<Void>> signOut(Caller caller, ServerHttpRequest request) {
        HttpCookie cookie = request.getCookies().getFirst(SessionCookies.NAME);
        if (cookie == null || cookie.getValue().isEmpty()) {
            return Mono.error(ProblemException.notFound("A session cookie"));
        }
        return sessions.end(cookie.getValue(), caller)
                .thenReturn(ResponseEntity.noContent()
                        .header(HttpHeaders.SET_COOKIE, SessionCookies.clear(request).toString())
                        .<Void>build());
    }
}
