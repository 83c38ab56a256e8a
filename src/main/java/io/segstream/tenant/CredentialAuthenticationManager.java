package io.segstream.tenant;

import io.segstream.platform.ProblemException;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Checks a {@link PresentedCredential}: an API key through {@link Authenticator} (keys cached for five
 * seconds), a session cookie through {@link Sessions}, a stream token through {@link StreamTokens}.
 * Emits {@link BadCredentialsException} with a message safe to show (never the secret) when it does not
 * authenticate; storage failures pass through as they are (503).
 */
@Component
class CredentialAuthenticationManager implements ReactiveAuthenticationManager {

    private final Authenticator authenticator;
    private final Sessions sessions;
    private final StreamTokens streamTokens;

    CredentialAuthenticationManager(Authenticator authenticator, Sessions sessions, StreamTokens streamTokens) {
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.streamTokens = streamTokens;
    }

    @Override
    public Mono<Authentication> authenticate(Authentication authentication) {
        if (!(authentication instanceof PresentedCredential presented)) {
            return Mono.empty();
        }
        return switch (presented.credential()) {
            case Credential.AdminKey admin -> authenticator.isAdmin(admin.key())
                    ? Mono.just(new AdminAuthentication())
                    : Mono.error(new BadCredentialsException("This needs the admin key"));
            case Credential.BearerKey bearer -> authenticator.authenticate(bearer.key())
                    .onErrorMap(e -> e instanceof ProblemException p && p.status() == HttpStatus.UNAUTHORIZED,
                            e -> new BadCredentialsException(e.getMessage()))
                    .map(c -> new CallerAuthentication(c, CallerAuthentication.Kind.BEARER_KEY));
            case Credential.SessionCookie cookie -> sessions.resolve(cookie.sessionId())
                    .map(c -> (Authentication) new CallerAuthentication(c, CallerAuthentication.Kind.SESSION))
                    .switchIfEmpty(Mono.error(() -> new BadCredentialsException("The session has ended or expired")));
            case Credential.StreamToken token -> streamTokens.verify(token.token())
                    .map(c -> (Authentication) new CallerAuthentication(c, CallerAuthentication.Kind.STREAM_TOKEN))
                    .switchIfEmpty(Mono.error(() -> new BadCredentialsException(
                            "The stream token is expired, tampered with, or its key was revoked")));
        };
    }
}
