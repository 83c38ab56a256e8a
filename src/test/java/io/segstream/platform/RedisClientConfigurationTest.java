package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions.RefreshTrigger;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;

class RedisClientConfigurationTest {

    @Test
    void theFailurePolicyKeepsWhatTheRedisPropertiesConfigured() {
        DataRedisProperties properties = new DataRedisProperties();
        properties.getLettuce().getCluster().getRefresh().setPeriod(Duration.ofSeconds(30));
        SslOptions ssl = SslOptions.builder().build();
        // What Spring Boot builds from spring.data.redis.* (an SSL bundle here), then hands to the customizers.
        ClusterClientOptions.Builder builder = ClusterClientOptions.builder().sslOptions(ssl);

        new RedisClientConfiguration().segstreamLettuceOptions(properties).customize(builder);
        ClusterClientOptions options = builder.build();

        assertThat(options.getDisconnectedBehavior()).isEqualTo(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        assertThat(options.getRequestQueueSize()).isEqualTo(10_000);
        assertThat(options.getTimeoutOptions().isTimeoutCommands()).isTrue();
        assertThat(options.getSslOptions()).as("the SSL bundle's options survive").isSameAs(ssl);
        var topology = options.getTopologyRefreshOptions();
        assertThat(topology.getAdaptiveRefreshTriggers()).contains(RefreshTrigger.MOVED_REDIRECT, RefreshTrigger.ASK_REDIRECT,
                RefreshTrigger.PERSISTENT_RECONNECTS);
        assertThat(topology.isPeriodicRefreshEnabled()).as("spring.data.redis.lettuce.cluster.refresh.period is honoured").isTrue();
        assertThat(topology.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(topology.useDynamicRefreshSources()).isTrue();
    }

    @Test
    void aStandaloneClientGetsTheSameFailurePolicy() {
        ClientOptions.Builder builder = ClientOptions.builder();
        new RedisClientConfiguration().segstreamLettuceOptions(new DataRedisProperties()).customize(builder);
        ClientOptions options = builder.build();
        assertThat(options.getDisconnectedBehavior()).isEqualTo(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        assertThat(options.getSocketOptions().getConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
    }
}
