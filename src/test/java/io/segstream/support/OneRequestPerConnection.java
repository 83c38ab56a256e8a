package io.segstream.support;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.WebTestClientBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The integration tests' HTTP client opens a connection per request. It was added when Reactor Netty
 * 1.3.6 (the server) could stop reading a keep-alive connection after a request that completed
 * synchronously, such as a 401 (reactor/reactor-netty#4361): seen once in CI, {@code AuthenticationIT}
 * waited 5 s for the answer to an ingest after nine rejected requests. Reactor Netty 1.3.8 fixes it
 * ({@code KeepAliveIT} checks keep-alive itself, docs/decisions.md); the tests do not rely on this.
 */
@TestConfiguration(proxyBeanMethods = false)
public class OneRequestPerConnection {

    @Bean
    WebTestClientBuilderCustomizer oneRequestPerConnection() {
        return builder -> builder.clientConnector(new ReactorClientHttpConnector(HttpClient.create().keepAlive(false)))
                .filter(readWhole());
    }

    /**
     * Reads every answer but streams (SSE, NDJSON) whole into heap memory before the test sees it. Tests
     * that only check a status never read the body, and Netty's buffers of an unread body were reported
     * by its leak detector (164 reports over the ITs with paranoid detection, all on the client's side).
     */
    static ExchangeFilterFunction readWhole() {
        return (request, next) -> next.exchange(request).flatMap(response -> {
            boolean stream = response.headers().contentType()
                    .map(t -> t.isCompatibleWith(MediaType.TEXT_EVENT_STREAM) || t.isCompatibleWith(MediaType.APPLICATION_NDJSON))
                    .orElse(false);
            if (stream) return Mono.just(response);
            return DataBufferUtils.join(response.body(BodyExtractors.toDataBuffers()))
                    .map(joined -> {
                        byte[] bytes = new byte[joined.readableByteCount()];
                        joined.read(bytes);
                        DataBufferUtils.release(joined);
                        return bytes;
                    })
                    .defaultIfEmpty(new byte[0])
                    .map(bytes -> response.mutate().body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes))).build());
        });
    }
}
