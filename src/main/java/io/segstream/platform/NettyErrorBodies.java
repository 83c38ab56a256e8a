package io.segstream.platform;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.NettyPipeline;

/**
 * Gives the error answers written below the application (Reactor Netty's own 400/413/414/431 when its
 * HTTP decoder fails on a request line or headers too long; Spring's adapter's 400 for a URI it cannot
 * parse such as {@code %ZZ}) an RFC 9457 problem+json body like every other error, instead of an empty
 * one. Only empty answers without a content type are rewritten: the application's own errors already
 * carry their problem+json.
 *
 * <p>Design note: those answers are written before any {@code WebHandler} exists for the request, so
 * {@link ProblemWebExceptionHandler} never sees them; a Netty handler just after the HTTP codec sees
 * every response on its way out, and is the only hook Reactor Netty offers for them.
 */
@Configuration(proxyBeanMethods = false)
class NettyErrorBodies {

    private static final String REWRITER = "segstream.problemJson";

    private static final Set<Integer> REWRITTEN = Set.of(400, 413, 414, 431);

    @Bean
    NettyServerCustomizer problemJsonForProtocolErrors() {
        return server -> server.doOnChannelInit((observer, channel, remote) -> {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(REWRITER) != null) return;
            if (pipeline.get(NettyPipeline.HttpCodec) != null) {
                pipeline.addAfter(NettyPipeline.HttpCodec, REWRITER, new Rewriter());
            } else if (pipeline.get(NettyPipeline.H2CUpgradeHandler) != null && pipeline.get(NettyPipeline.HttpTrafficHandler) != null) {
                // HTTP/2 enabled: the HTTP/1.1 codec is added later, in front of the h2c upgrade handler; the
                // answers come from the traffic handler, so the rewriter goes just before it.
                pipeline.addBefore(NettyPipeline.HttpTrafficHandler, REWRITER, new Rewriter());
            }
        });
    }

    /** Fills empty 4xx protocol-error responses with a problem+json body. */
    static final class Rewriter extends ChannelDuplexHandler {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof FullHttpResponse r && r.content().readableBytes() == 0 && rewritten(r)) {
                ByteBuf body = Unpooled.wrappedBuffer(body(r.status()));
                FullHttpResponse filled = r.replace(body);
                filled.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
                filled.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
                r.release();
                super.write(ctx, filled, promise);
                return;
            }
            super.write(ctx, msg, promise);
        }

        private static boolean rewritten(HttpResponse r) {
            return REWRITTEN.contains(r.status().code()) && !r.headers().contains(HttpHeaderNames.CONTENT_TYPE);
        }

        static byte[] body(HttpResponseStatus status) {
            String detail = switch (status.code()) {
                case 413 -> "The request is too large for the server to read";
                case 414 -> "The request line (method, path and query) is too long";
                case 431 -> "The request headers are too large";
                default -> "The request could not be read as HTTP (malformed request line, headers or URI)";
            };
            return ("{\"type\":\"" + Problems.MALFORMED_REQUEST + "\",\"title\":\"" + status.reasonPhrase() + "\",\"status\":" + status.code()
                    + ",\"detail\":\"" + detail + "\"}").getBytes(StandardCharsets.UTF_8);
        }
    }
}
