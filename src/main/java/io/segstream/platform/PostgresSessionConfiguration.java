package io.segstream.platform;

import java.util.Map;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Session settings of every PostgreSQL connection, sent in its startup message.
 *
 * <p>{@code plan_cache_mode = force_custom_plan}: every execution of a prepared statement is planned
 * with its actual parameters. PostgreSQL otherwise switches a statement to a generic plan after five
 * executions and keeps it on that connection until the table is next analyzed; a generic plan made
 * while {@code contacts} was nearly empty scanned the whole table for each 100-id lookup once it held
 * 855,000 rows (3.7 s per batch on one pooled connection, measured with autovacuum off). Our statements
 * bind arrays of varying length, so their best plans differ anyway; planning costs tens of microseconds.
 */
@Configuration(proxyBeanMethods = false)
class PostgresSessionConfiguration {

    static final Map<String, String> SESSION = Map.of("plan_cache_mode", "force_custom_plan");

    @Bean
    ConnectionFactoryOptionsBuilderCustomizer segstreamPostgresSession() {
        return builder -> builder.option(io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider.OPTIONS, SESSION);
    }
}
