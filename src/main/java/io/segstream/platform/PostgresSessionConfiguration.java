package io.segstream.platform;

import java.util.Map;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Session settings of every PostgreSQL connection, sent in its startup message.
 *
 * <ul>
 *   <li>{@code plan_cache_mode = force_custom_plan}: every execution of a prepared statement is planned
 *       for its parameters and the table's current size. Otherwise PostgreSQL may keep a plan chosen
 *       while a table was small, on one pooled connection, until the table is next analyzed (never,
 *       with autovacuum off, as on the benchmark host): one connection took 3.7 s per 100-id lookup at
 *       855,000 contacts while the 19 others took a millisecond. The lookups themselves are written so
 *       that every plan probes the index once per id ({@code ContactStore.BY_IDS}).</li>
 *   <li>{@code jit = off}: without statistics the planner's cost estimates for those statements exceed
 *       the JIT threshold, and compiling them costs milliseconds on every execution of a statement that
 *       runs in one; JIT serves long analytical queries, which segstream does not run.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class PostgresSessionConfiguration {

    static final Map<String, String> SESSION = Map.of("plan_cache_mode", "force_custom_plan", "jit", "off");

    @Bean
    ConnectionFactoryOptionsBuilderCustomizer segstreamPostgresSession() {
        return builder -> builder.option(io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider.OPTIONS, SESSION);
    }
}
