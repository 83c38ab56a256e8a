package io.segstream.support;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.WebTestClientBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
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
        return builder -> builder.clientConnector(new ReactorClientHttpConnector(HttpClient.create().keepAlive(false)));
    }
}
