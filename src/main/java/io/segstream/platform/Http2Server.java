package io.segstream.platform;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import reactor.netty.http.Http2SettingsSpec;
import reactor.netty.http.server.HttpServer;

/**
 * HTTP/2's per-connection settings, used when {@code server.http2.enabled} is on (h2c without TLS, h2 with
 * {@code server.ssl.*}). A change stream is one HTTP/2 stream, so the number of concurrent streams a client may
 * open on one connection is the number of change streams it can hold there; Netty's default of 100 is raised.
 *
 * <p>Design note: Reactor Netty's {@code http2Settings(...)} replaces the settings set before it, and Spring Boot
 * sets the maximum header list size that way from {@code server.max-http-request-header-size}; so this runs after
 * Spring Boot's customizers and carries over what they set.
 */
@Configuration(proxyBeanMethods = false)
class Http2Server {

    /**
     * {@code segstream.http2.*}.
     *
     * @param maxConcurrentStreams streams one HTTP/2 connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS)
     */
    @ConfigurationProperties("segstream.http2")
    record Http2Properties(@DefaultValue("1000") long maxConcurrentStreams) {
        Http2Properties {
            if (maxConcurrentStreams < 1) throw new IllegalArgumentException("segstream.http2.max-concurrent-streams must be at least 1");
        }
    }

    @Bean
    WebServerFactoryCustomizer<NettyReactiveWebServerFactory> http2Settings(Http2Properties properties) {
        return new LastCustomizer(properties.maxConcurrentStreams());
    }

    /** Adds the settings' customizer after every other factory customizer has added its own. */
    record LastCustomizer(long maxConcurrentStreams) implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {
        @Override
        public void customize(NettyReactiveWebServerFactory factory) {
            factory.addServerCustomizers(this::apply);
        }

        HttpServer apply(HttpServer server) {
            Http2SettingsSpec before = server.configuration().http2SettingsSpec();
            return server.http2Settings(b -> {
                if (before != null) {
                    if (before.maxHeaderListSize() != null) b.maxHeaderListSize(before.maxHeaderListSize());
                    if (before.headerTableSize() != null) b.headerTableSize(before.headerTableSize());
                    if (before.initialWindowSize() != null) b.initialWindowSize(before.initialWindowSize());
                    if (before.maxFrameSize() != null) b.maxFrameSize(before.maxFrameSize());
                }
                b.maxConcurrentStreams(maxConcurrentStreams);
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
