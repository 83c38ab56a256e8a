package io.segstream.platform;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import java.time.Duration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Lettuce's failure policy. While Redis is unreachable, commands are rejected at once instead of
 * queueing (the default queues without bound); the request queue is bounded; connects and commands
 * time out. Callers treat Redis failures deliberately: ingestion commits to PostgreSQL and the
 * projection catches up later; queries answer 503 with Retry-After. On a Redis Cluster the topology is
 * refreshed on every adaptive trigger (MOVED/ASK redirects, reconnects, unknown nodes), and also every
 * {@code spring.data.redis.lettuce.cluster.refresh.period} when that is set.
 *
 * <p>Design note: this customizes the client options Spring Boot builds from the {@code spring.data.redis.*}
 * properties (SSL bundle, refresh period, dynamic refresh sources) rather than replacing them; replacing
 * them with a whole {@code ClientOptions} of our own silently dropped those settings.
 */
@Configuration(proxyBeanMethods = false)
class RedisClientConfiguration {

    @Bean
    LettuceClientOptionsBuilderCustomizer segstreamLettuceOptions(DataRedisProperties properties) {
        return builder -> failurePolicy(builder, properties.getLettuce().getCluster().getRefresh());
    }

    static void failurePolicy(ClientOptions.Builder builder, DataRedisProperties.Lettuce.Cluster.Refresh refresh) {
        builder.autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(10_000)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)));
        if (builder instanceof ClusterClientOptions.Builder cluster) {
            ClusterTopologyRefreshOptions.Builder topology = ClusterTopologyRefreshOptions.builder()
                    .enableAllAdaptiveRefreshTriggers()
                    .dynamicRefreshSources(refresh.isDynamicRefreshSources());
            if (refresh.getPeriod() != null) topology.enablePeriodicRefresh(refresh.getPeriod());
            cluster.topologyRefreshOptions(topology.build());
        }
    }
}
