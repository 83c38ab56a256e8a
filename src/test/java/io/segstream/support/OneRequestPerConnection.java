package io.segstream.support;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.WebTestClientBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import reactor.netty.http.client.HttpClient;

/**
 * The integration tests' HTTP client opens a connection per request. Reactor Netty 1.3.6 (the server)
 * can stop reading a keep-alive connection after a request that completed synchronously, such as a 401
 * (reactor/reactor-netty#4361, docs/decisions.md); the next request on it then gets no answer. Seen once
 * in CI: {@code AuthenticationIT}, after nine rejected requests, waited 5 s for the answer to an ingest.
 * What this means in production, and the upgrade that fixes it, is in docs/decisions.md.
 */
@TestConfiguration(proxyBeanMethods = false)
public class OneRequestPerConnection {

    @Bean
    WebTestClientBuilderCustomizer oneRequestPerConnection() {
        return builder -> builder.clientConnector(new ReactorClientHttpConnector(HttpClient.create().keepAlive(false)));
    }
}
