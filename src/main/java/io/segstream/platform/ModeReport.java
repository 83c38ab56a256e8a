package io.segstream.platform;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Says once, when the application is ready, which PostgreSQL and Redis it runs against, and warns when Netty
 * runs without {@code sun.misc.Unsafe} ({@link NettyMemoryAccess}).
 */
@Component
class ModeReport {

    private static final Logger log = LoggerFactory.getLogger(ModeReport.class);

    private final Environment env;
    private final ObjectProvider<EmbeddedPostgresServer> postgres;
    private final ObjectProvider<EmbeddedRedisServer> redis;
    private final SegstreamProperties properties;

    ModeReport(Environment env, ObjectProvider<EmbeddedPostgresServer> postgres, ObjectProvider<EmbeddedRedisServer> redis,
            SegstreamProperties properties) {
        this.env = env;
        this.postgres = postgres;
        this.redis = redis;
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    void report() {
        EmbeddedPostgresServer pg = postgres.getIfAvailable();
        EmbeddedRedisServer rd = redis.getIfAvailable();
        String pgMode = pg != null ? "embedded on 127.0.0.1:" + pg.port() : "external " + EmbeddedServersConfiguration.redact(env.getProperty("spring.r2dbc.url"));
        String redisUrl = env.getProperty("spring.data.redis.url");
        String clusterNodes = env.getProperty("spring.data.redis.cluster.nodes");
        String redisMode = rd != null ? "embedded on 127.0.0.1:" + rd.port()
                : clusterNodes != null && !clusterNodes.isBlank() ? "cluster " + clusterNodes
                : "external " + (redisUrl != null ? EmbeddedServersConfiguration.redact(redisUrl)
                        : env.getProperty("spring.data.redis.host") + ":" + env.getProperty("spring.data.redis.port", "6379"));
        String folder = pg != null || rd != null
                ? ", data folder " + properties.dataDir().toAbsolutePath().normalize()
                : "";
        log.info("segstream ready: PostgreSQL {}, Redis {}{}", pgMode, redisMode, folder);
        NettyMemoryAccess.advice().ifPresent(log::warn);
    }
}
