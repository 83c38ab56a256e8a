package io.segstream.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.core.env.PropertyResolver;
import org.springframework.util.ClassUtils;

/**
 * Which embedded servers a start needs (the ones whose PostgreSQL or Redis is not configured) and whether
 * this build includes them. The embedded servers are a development-time dependency: {@code ./mvnw
 * spring-boot:run}, the tests and a jar built with {@code -Pembedded} have them; the production jar and
 * image do not (docs/decisions.md, "The production jar and image carry no embedded servers").
 */
final class EmbeddedServersIncluded {

    static final String POSTGRES_CLASS = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";
    static final String REDIS_CLASS = "redis.embedded.RedisServer";

    private EmbeddedServersIncluded() {}

    /** No {@code spring.r2dbc.url}: PostgreSQL is embedded. */
    static boolean postgresEmbedded(PropertyResolver env) {
        return !hasText(env, "spring.r2dbc.url");
    }

    /** No Redis URL, host, cluster or sentinel: Redis is embedded. */
    static boolean redisEmbedded(PropertyResolver env) {
        return !hasText(env, "spring.data.redis.url") && !hasText(env, "spring.data.redis.host")
                && !hasText(env, "spring.data.redis.cluster.nodes") && !hasText(env, "spring.data.redis.sentinel.master");
    }

    /**
     * Empty when every server this start would embed is included in {@code loader}; otherwise the one
     * sentence that says what is not configured and how to run segstream on its embedded servers.
     */
    static Optional<String> missing(PropertyResolver env, ClassLoader loader) {
        List<String> missing = new ArrayList<>(2);
        if (postgresEmbedded(env) && !ClassUtils.isPresent(POSTGRES_CLASS, loader)) {
            missing.add("PostgreSQL configured (set SPRING_R2DBC_URL)");
        }
        if (redisEmbedded(env) && !ClassUtils.isPresent(REDIS_CLASS, loader)) {
            missing.add("Redis configured (set SPRING_DATA_REDIS_URL)");
        }
        if (missing.isEmpty()) return Optional.empty();
        return Optional.of("No " + String.join(" and no ", missing)
                + ", and this build of segstream does not include the embedded servers:"
                + " run it with ./mvnw spring-boot:run, or build it with ./mvnw -Pembedded package.");
    }

    /** Throws {@link EmbeddedServersNotIncludedException} with {@link #missing}'s sentence, if any. */
    static void require(PropertyResolver env, ClassLoader loader) {
        missing(env, loader).ifPresent(sentence -> {
            throw new EmbeddedServersNotIncludedException(sentence);
        });
    }

    private static boolean hasText(PropertyResolver env, String key) {
        String v = env.getProperty(key);
        return v != null && !v.isBlank();
    }
}
