package io.segstream.tenant;

import java.nio.charset.StandardCharsets;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Stream tokens ({@code segstream.stream-tokens.*}).
 *
 * @param secret the HMAC-SHA256 key tokens are signed with (at least 32 bytes); empty: a random one is
 *        generated once and kept in PostgreSQL, shared by every instance
 */
@ConfigurationProperties("segstream.stream-tokens")
public record StreamTokenProperties(@DefaultValue("") String secret) {

    static final int MIN_SECRET_BYTES = 32;

    public StreamTokenProperties {
        secret = secret == null ? "" : secret;
        if (!secret.isEmpty() && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "segstream.stream-tokens.secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
    }
}
