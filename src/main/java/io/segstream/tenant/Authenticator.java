package io.segstream.tenant;

import io.segstream.platform.ProblemException;
import io.segstream.platform.Problems;
import io.segstream.platform.SegstreamProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Resolves bearer keys to callers. Recently seen keys are cached for {@link #CACHE_TTL}: a key revoked
 * on this instance stops working at once, on other instances within that time.
 */
@Component
public class Authenticator {

    static final Duration CACHE_TTL = Duration.ofSeconds(5);
    private static final int CACHE_MAX = 10_000;

    private record Cached(Caller caller, long expiresAtNanos) {}

    private final TenantStore store;
    private final String adminKey;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, Cached> byKeyId = new ConcurrentHashMap<>();

    public Authenticator(TenantStore store, SegstreamProperties properties) {
        this.store = store;
        this.adminKey = properties.adminKey() == null ? "" : properties.adminKey();
    }

    /** The caller owning {@code key}; 401 problem when the key is unknown or revoked. */
    public Mono<Caller> authenticate(String key) {
        String hash = ApiKeys.hash(key);
        Cached hit = cache.get(hash);
        long now = System.nanoTime();
        if (hit != null && hit.expiresAtNanos - now > 0) {
            return Mono.just(hit.caller);
        }
        return store.findCaller(hash)
                .doOnNext(c -> {
                    if (cache.size() >= CACHE_MAX) cache.clear();
                    cache.put(hash, new Cached(c, System.nanoTime() + CACHE_TTL.toNanos()));
                })
                .switchIfEmpty(Mono.error(() -> unauthorized("The API key is unknown or revoked")));
    }

    /**
     * The caller of the unrevoked key with this id, or empty; used by credentials derived from a key
     * (sessions, stream tokens), which therefore end with the key: at once on this instance, on others
     * within {@link #CACHE_TTL}.
     */
    public Mono<Caller> callerOfKey(String keyId) {
        Cached hit = byKeyId.get(keyId);
        if (hit != null && hit.expiresAtNanos - System.nanoTime() > 0) {
            return Mono.just(hit.caller);
        }
        return store.findCallerByKeyId(keyId)
                .doOnNext(c -> {
                    if (byKeyId.size() >= CACHE_MAX) byKeyId.clear();
                    byKeyId.put(keyId, new Cached(c, System.nanoTime() + CACHE_TTL.toNanos()));
                });
    }

    /** True when {@code key} is the configured admin key (never when none is configured). */
    public boolean isAdmin(String key) {
        return !adminKey.isEmpty() && ApiKeys.constantTimeEquals(adminKey, key);
    }

    void forgetKey(String keyId) {
        cache.values().removeIf(c -> c.caller.keyId().equals(keyId));
        byKeyId.remove(keyId);
    }

    static ProblemException unauthorized(String detail) {
        return new ProblemException(HttpStatus.UNAUTHORIZED, Problems.UNAUTHORIZED, "Unauthorized", detail);
    }
}
