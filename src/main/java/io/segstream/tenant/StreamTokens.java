package io.segstream.tenant;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.TreeSet;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Stream tokens: short-lived, signed credentials that let a page on another origin read change streams
 * with {@code ?access_token=} (an {@code EventSource} cannot send headers). A token reads
 * {@code base64url(payload) "." base64url(HMAC-SHA256(payload))}, the payload being
 * {@code v1|tenant|keyId|expiry epoch seconds|segments} (segments comma-separated, {@code *} for all).
 * Nothing is stored per token; a token ends at its expiry or when its key is revoked (within
 * {@link Authenticator#CACHE_TTL}).
 */
@Component
public class StreamTokens {

    /** Longest lifetime a token may be minted with. */
    public static final Duration MAX_TTL = Duration.ofHours(1);
    /** Lifetime when none is asked for. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(15);

    private static final String VERSION = "v1";
    private static final String ALL = "*";
    private static final int MAX_TOKEN_LENGTH = 32 * 1024;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    /** A minted token and when it expires. */
    public record Minted(String token, Instant expiresAt) {
        @Override
        public String toString() {
            return "Minted[***, " + expiresAt + "]";
        }
    }

    private final StreamTokenSecret secret;
    private final Authenticator authenticator;
    private final Clock clock;

    StreamTokens(StreamTokenSecret secret, Authenticator authenticator, Clock clock) {
        this.secret = secret;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    /**
     * A token for {@code caller}'s key, limited to {@code segments} (null: every segment of the tenant).
     * The caller checks scope, segments and {@code ttl} (at most {@link #MAX_TTL}) beforehand.
     */
    public Mono<Minted> mint(Caller caller, Set<String> segments, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("ttl must be within (0, " + MAX_TTL + "]");
        }
        Instant expiresAt = clock.instant().plus(ttl);
        String list = segments == null ? ALL : String.join(",", new TreeSet<>(segments));
        String payload = String.join("|", VERSION, caller.tenantId(), caller.keyId(),
                Long.toString(expiresAt.getEpochSecond()), list);
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return secret.key().map(key -> new Minted(
                ENCODER.encodeToString(bytes) + "." + ENCODER.encodeToString(sign(key, bytes)),
                Instant.ofEpochSecond(expiresAt.getEpochSecond())));
    }

    /**
     * The caller a token stands for, limited to its segments and to reading; empty when it is malformed,
     * tampered with, expired, or its key is revoked or lacks the {@code read} scope.
     */
    Mono<Caller> verify(String token) {
        if (token.length() > MAX_TOKEN_LENGTH) return Mono.empty();
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) return Mono.empty();
        byte[] payload;
        byte[] signature;
        try {
            payload = DECODER.decode(token.substring(0, dot));
            signature = DECODER.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Mono.empty();
        }
        return secret.key()
                .filter(key -> MessageDigest.isEqual(sign(key, payload), signature))
                .flatMap(key -> Mono.justOrEmpty(Claims.parse(new String(payload, StandardCharsets.UTF_8))))
                .filter(claims -> claims.expiresAt().isAfter(clock.instant()))
                .flatMap(claims -> authenticator.callerOfKey(claims.keyId())
                        .filter(c -> c.tenantId().equals(claims.tenantId()) && c.scopes().contains(Scope.READ))
                        .map(c -> new Caller(c.tenantId(), c.timeZone(), c.keyId(), Set.of(Scope.READ))
                                .limitedTo(claims.segments())));
    }

    private record Claims(String tenantId, String keyId, Instant expiresAt, Set<String> segments) {
        static Claims parse(String payload) {
            String[] parts = payload.split("\\|", -1);
            if (parts.length != 5 || !VERSION.equals(parts[0])) return null;
            try {
                Instant expiresAt = Instant.ofEpochSecond(Long.parseLong(parts[3]));
                Set<String> segments = ALL.equals(parts[4]) ? null
                        : parts[4].isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(parts[4].split(",")));
                return new Claims(parts[1], parts[2], expiresAt, segments);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private static byte[] sign(byte[] key, byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing", e);
        }
    }
}
