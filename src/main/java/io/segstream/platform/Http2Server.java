package io.segstream.platform;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import reactor.netty.NettyPipeline;
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
 *
 * <p>Design note: on an HTTP/2 connection, an I/O error of the connection itself (a client that went away with a
 * reset) travels to the end of its pipeline, where Netty logs it as a warning with a stack trace; Reactor Netty
 * handles it for HTTP/1.1 connections only. For a server of long-lived streams a peer's reset is routine: it is
 * logged at debug, and the connection closed (its streams end as for any closed connection).
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

    private static final String PEER_RESETS = "segstream.http2PeerResets";

    @Bean
    NettyServerCustomizer http2PeerResets() {
        return server -> server.doOnChannelInit((observer, channel, remote) -> {
            // A connection (its parent is the listening channel), not one of an HTTP/2 connection's streams.
            boolean connection = channel.parent() == null || channel.parent() instanceof io.netty.channel.ServerChannel;
            if (connection && channel.pipeline().get(PEER_RESETS) == null) channel.pipeline().addLast(PEER_RESETS, PeerResets.INSTANCE);
        });
    }

    /** Ends an HTTP/2 connection whose peer reset it, quietly; anything else goes on down the pipeline. */
    @ChannelHandler.Sharable
    static final class PeerResets extends ChannelInboundHandlerAdapter {
        static final PeerResets INSTANCE = new PeerResets();
        private static final Logger log = LoggerFactory.getLogger(Http2Server.class);

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof IOException && ctx.pipeline().get(NettyPipeline.H2MultiplexHandler) != null) {
                log.debug("HTTP/2 connection from {} ended by the peer: {}", ctx.channel().remoteAddress(), cause.toString());
                ctx.close();
                return;
            }
            ctx.fireExceptionCaught(cause);
        }
    }
}
