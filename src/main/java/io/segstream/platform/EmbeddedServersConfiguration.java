package io.segstream.platform;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.flyway.autoconfigure.FlywayConnectionDetails;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import io.r2dbc.spi.ConnectionFactoryOptions;

/**
 * Embedded mode: with no PostgreSQL URL ({@code spring.r2dbc.url}) configured, segstream starts an
 * embedded PostgreSQL; with no Redis URL or host ({@code spring.data.redis.url}/{@code .host}), an
 * embedded Redis. Both keep their data under {@code segstream.data-dir}. With a PostgreSQL URL, the
 * migration's JDBC URL is derived from it unless {@code spring.flyway.url} is set.
 *
 * <p>Design note: connection-details beans rather than properties, because the embedded servers'
 * ports are only known once they run; the details beans depend on the server beans, so the servers
 * start before any pool and stop after every pool has closed.
 */
@Configuration(proxyBeanMethods = false)
class EmbeddedServersConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServersConfiguration.class);

    @Configuration(proxyBeanMethods = false)
    @Conditional(EmbeddedPostgresCondition.class)
    static class EmbeddedPostgresConfiguration {

        @Bean
        EmbeddedPostgresServer embeddedPostgresServer(SegstreamProperties properties,
                @org.springframework.beans.factory.annotation.Value("${segstream.embedded.durable:true}") boolean durable) {
            log.info("Mode: embedded PostgreSQL (no spring.r2dbc.url configured), data folder {}",
                    properties.dataDir().toAbsolutePath().normalize());
            return new EmbeddedPostgresServer(properties.dataDir(), durable);
        }

        @Bean
        R2dbcConnectionDetails embeddedR2dbcConnectionDetails(EmbeddedPostgresServer server) {
            ConnectionFactoryOptions options = ConnectionFactoryOptions.parse(server.r2dbcUrl()).mutate()
                    .option(ConnectionFactoryOptions.USER, EmbeddedPostgresServer.USER)
                    .build();
            return () -> options;
        }

        @Bean
        MigrationConnectionDetails embeddedMigrationConnectionDetails(EmbeddedPostgresServer server) {
            return new MigrationConnectionDetails(server.jdbcUrl(), EmbeddedPostgresServer.USER, null);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(ExternalPostgresWithoutFlywayUrl.class)
    static class ExternalPostgresMigrationConfiguration {

        @Bean
        MigrationConnectionDetails externalMigrationConnectionDetails(Environment env) {
            String r2dbc = env.getRequiredProperty("spring.r2dbc.url");
            log.info("Mode: external PostgreSQL at {}", redact(r2dbc));
            return new MigrationConnectionDetails(
                    toJdbcUrl(r2dbc), env.getProperty("spring.r2dbc.username"), env.getProperty("spring.r2dbc.password"));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(NoRedisConfigured.class)
    static class EmbeddedRedisConfiguration {

        @Bean
        EmbeddedRedisServer embeddedRedisServer(SegstreamProperties properties) {
            log.info("Mode: embedded Redis (no spring.data.redis.url or host configured), data folder {}",
                    properties.dataDir().toAbsolutePath().normalize());
            return new EmbeddedRedisServer(properties.dataDir());
        }

        @Bean
        DataRedisConnectionDetails embeddedRedisConnectionDetails(EmbeddedRedisServer server) {
            var standalone = DataRedisConnectionDetails.Standalone.of("127.0.0.1", server.port());
            return new DataRedisConnectionDetails() {
                @Override
                public Standalone getStandalone() {
                    return standalone;
                }
            };
        }
    }

    /** {@code r2dbc:postgresql://host:port/db?opts} to {@code jdbc:postgresql://host:port/db?opts}. */
    static String toJdbcUrl(String r2dbcUrl) {
        String lower = r2dbcUrl.toLowerCase(Locale.ROOT);
        if (lower.startsWith("r2dbc:pool:postgresql://")) {
            return "jdbc:postgresql://" + r2dbcUrl.substring("r2dbc:pool:postgresql://".length());
        }
        if (lower.startsWith("r2dbc:postgresql://")) {
            return "jdbc:postgresql://" + r2dbcUrl.substring("r2dbc:postgresql://".length());
        }
        throw new IllegalStateException("spring.r2dbc.url must be an r2dbc:postgresql:// URL; set spring.flyway.url for others");
    }

    /** The URL without credentials, for logs. */
    static String redact(String url) {
        return url == null ? "?" : url.replaceAll("//[^@/]*@", "//***@");
    }

    /** The JDBC connection Flyway migrates through (the only use of JDBC). */
    record MigrationConnectionDetails(String jdbcUrl, String username, String password)
            implements JdbcConnectionDetails, FlywayConnectionDetails {

        @Override
        public String getJdbcUrl() {
            return jdbcUrl;
        }

        @Override
        public String getUsername() {
            return username;
        }

        @Override
        public String getPassword() {
            return password;
        }

        @Override
        public String getDriverClassName() {
            return "org.postgresql.Driver";
        }
    }

    static final class ExternalPostgresWithoutFlywayUrl implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Environment env = context.getEnvironment();
            return hasText(env, "spring.r2dbc.url") && !hasText(env, "spring.flyway.url");
        }
    }

    static final class NoRedisConfigured implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return EmbeddedServersIncluded.redisEmbedded(context.getEnvironment());
        }
    }

    private static boolean hasText(Environment env, String key) {
        String v = env.getProperty(key);
        return v != null && !v.isBlank();
    }
}
