package io.segstream.tenant;

import io.segstream.platform.ProblemException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
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
@Tag(name = "Sessions", description = "Browser sign-in with a session cookie")
@RequestMapping(path = "/v1/sessions", produces = MediaType.APPLICATION_JSON_VALUE)
class SessionController {

    private static final int MAX_KEY_LENGTH = 1024;

    /** The answer to a sign-in. */
    @Schema(name = "Session")
    record SessionView(@Schema(example = "acme-paris") String tenant, @Schema(example = "[\"manage\", \"read\"]") List<String> scopes,
            @Schema(format = "date-time", example = "2026-11-28T22:00:00Z") String expiresAt) {}

    /** The body of a sign-in, for the document only (read as JSON to answer 400 at its pointer). */
    @Schema(name = "SessionInput", requiredProperties = "key")
    record SessionRequest(@Schema(description = "An API key (`sgs_<keyId>_<secret>`)") String key) {}

    private final Authenticator authenticator;
    private final Sessions sessions;

    SessionController(Authenticator authenticator, Sessions sessions) {
        this.authenticator = authenticator;
        this.sessions = sessions;
    }

    @Operation(operationId = "signIn", summary = "Sign in: trade an API key for a session cookie", description = "Sets an HttpOnly, SameSite=Strict "
            + "session cookie (Secure over HTTPS) that authenticates later requests with the key's tenant and scopes, and the "
            + "XSRF-TOKEN cookie to echo in X-XSRF-TOKEN on unsafe requests.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = SessionRequest.class), examples = {
                    @ExampleObject(name = "key", summary = "An API key", value = "{\"key\": \"sgs_0123abcd_secret\"}")}))
    @ApiResponse(responseCode = "201", description = "Signed in",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = SessionView.class)))
    @ApiResponse(responseCode = "400", description = "No key in the body")
    @ApiResponse(responseCode = "401", description = "Unknown or revoked key")
    @ApiResponse(responseCode = "415", description = "The body is not application/json")
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

    @Operation(operationId = "signOut", summary = "Sign out: end the session of the cookie sent", description = "Clears the cookie; that cookie value no "
            + "longer authenticates.")
    @ApiResponse(responseCode = "204", description = "Signed out")
    @ApiResponse(responseCode = "404", description = "No session cookie was sent")
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
