package io.segstream.tenant;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Browser sessions: a sign-in with an API key opens one for {@link SessionProperties#ttl()}; its random
 * id travels in the session cookie and stands for that key. A session authenticates as the key's
 * tenant with the key's scopes, and ends with the key ({@link Authenticator#callerOfKey}), at sign-out,
 * or at expiry.
 *
 * <p>Design note: like API keys, a session's row is cached for {@link Authenticator#CACHE_TTL}; a
 * sign-out forgets it here at once, and other instances stop accepting it within that time.
 */
@Component
class Sessions {

    /** An opened session: the cookie value (shown once), the caller it stands for and its expiry. */
    record Opened(String id, Caller caller, Instant expiresAt) {
        @Override
        public String toString() {
            return "Opened[" + caller.tenantId() + "/" + caller.keyId() + ", " + expiresAt + "]";
        }
    }

    private record Cached(SessionStore.Row row, long expiresAtNanos) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
    private static final int CACHE_MAX = 10_000;
    /** Expired sessions are deleted a day after their expiry (they can no longer authenticate anyway). */
    private static final Duration KEEP_EXPIRED = Duration.ofDays(1);

    private final SessionStore store;
    private final Authenticator authenticator;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    Sessions(SessionStore store, Authenticator authenticator, SessionProperties properties, Clock clock) {
        this.store = store;
        this.authenticator = authenticator;
        this.ttl = properties.ttl();
        this.clock = clock;
    }

    Duration ttl() {
        return ttl;
    }

    /** Opens a session for the key's caller; long-expired sessions are deleted on the way. */
    Mono<Opened> open(Caller caller) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String id = URL.encodeToString(bytes);
        Instant now = clock.instant();
        Instant expiresAt = now.plus(ttl);
        return store.deleteExpiredBefore(now.minus(KEEP_EXPIRED))
                .then(store.insert(ApiKeys.hash(id), caller.tenantId(), caller.keyId(), expiresAt))
                .thenReturn(new Opened(id, caller, expiresAt));
    }

    /** The caller of a live session with this id, or empty when it is unknown, ended, expired or its key revoked. */
    Mono<Caller> resolve(String id) {
        String hash = ApiKeys.hash(id);
        Cached hit = cache.get(hash);
        Mono<SessionStore.Row> row = hit != null && hit.expiresAtNanos - System.nanoTime() > 0
                ? Mono.just(hit.row)
                : store.find(hash).doOnNext(r -> {
                    if (cache.size() >= CACHE_MAX) cache.clear();
                    cache.put(hash, new Cached(r, System.nanoTime() + Authenticator.CACHE_TTL.toNanos()));
                });
        return row.filter(r -> r.expiresAt().isAfter(clock.instant()))
                .flatMap(r -> authenticator.callerOfKey(r.keyId()).filter(c -> c.tenantId().equals(r.tenantId())));
    }

    /**
     * Ends the session with this id if it belongs to the caller's tenant (nothing when there is none). A
     * request authenticated otherwise (a bearer key of another tenant) that carries some other tenant's
     * cookie ends nothing.
     */
    Mono<Void> end(String id, Caller caller) {
        String hash = ApiKeys.hash(id);
        return store.end(hash, caller.tenantId()).doOnSuccess(v -> cache.remove(hash));
    }
}
