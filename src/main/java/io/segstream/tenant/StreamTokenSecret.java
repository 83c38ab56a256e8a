package io.segstream.tenant;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The key stream tokens are signed with: {@code segstream.stream-tokens.secret} when set; otherwise a
 * random 256-bit key that the first instance to need it stores in PostgreSQL (insert if absent), so
 * that every instance signs and accepts the same tokens. Read once, on first use.
 */
@Component
class StreamTokenSecret {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Mono<byte[]> key;

    StreamTokenSecret(StreamTokenProperties properties, DatabaseClient db) {
        if (!properties.secret().isEmpty()) {
            this.key = Mono.just(properties.secret().getBytes(StandardCharsets.UTF_8));
        } else {
            Duration timeout = TenantStore.TIMEOUT;
            this.key = Mono.defer(() -> {
                        byte[] candidate = new byte[32];
                        RANDOM.nextBytes(candidate);
                        return db.sql("INSERT INTO stream_token_secret (id, secret) VALUES (1, :secret) ON CONFLICT (id) DO NOTHING")
                                .bind("secret", candidate)
                                .then()
                                .then(db.sql("SELECT secret FROM stream_token_secret WHERE id = 1")
                                        .map(row -> row.get("secret", byte[].class))
                                        .one());
                    })
                    .timeout(timeout)
                    // Kept once read; a failure (storage down) is not kept, the next request tries again.
                    .cache(v -> Duration.ofMillis(Long.MAX_VALUE), e -> Duration.ZERO, () -> Duration.ZERO);
        }
    }

    Mono<byte[]> key() {
        return key;
    }
}
