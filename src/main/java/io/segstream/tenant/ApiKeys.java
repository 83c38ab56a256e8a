package io.segstream.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Key material. A generated key reads {@code sgs_<keyId>_<secret>} with 256 random bits of secret; it
 * is shown once and only its SHA-256 is stored.
 *
 * <p>Design note: a fast hash is right here because the keys are random and long; slow password hashes
 * protect low-entropy secrets, and would cost every request.
 */
final class ApiKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private ApiKeys() {}

    record Generated(String id, String key) {}

    static Generated generate() {
        byte[] idBytes = new byte[6];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secret);
        String id = HexFormat.of().formatHex(idBytes);
        return new Generated(id, "sgs_" + id + "_" + URL.encodeToString(secret));
    }

    static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    /** Compares secrets in time independent of where they differ. */
    static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
