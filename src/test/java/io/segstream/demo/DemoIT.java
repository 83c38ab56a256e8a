package io.segstream.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.SegstreamApplication;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * With {@code segstream.demo.enabled}, the embedded mode's tenant {@code demo} gets its example segments
 * and a stream of activity that fills them and moves the change feed; closing the context stops it.
 */
class DemoIT {

    private static final String DEV_KEY = "test-dev-key";
    private static final Duration CALL = Duration.ofSeconds(10);

    @Test
    void feedsTheDemoTenantUntilTheContextCloses() {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(SegstreamApplication.class)
                .profiles("test")
                .run("--server.port=0", "--segstream.demo.enabled=true", "--segstream.demo.rate=200");
        DemoSimulator simulator = app.getBean(DemoSimulator.class);
        try {
            WebClient api = WebClient.builder()
                    .baseUrl("http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort())
                    .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + DEV_KEY)
                    .build();

            // About 10 s on an idle machine (the seven segments are created one after another, each
            // transaction waiting for the builds before it); the margin is for a busy CI machine.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> assertThat(segmentIds(api))
                    .containsAll(DemoSegments.ALL.stream().map(DemoSegments.Definition::id).toList()));

            AtomicReference<String> filled = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                for (DemoSegments.Definition d : DemoSegments.ALL) {
                    if (count(api, d.id()) > 0) filled.set(d.id());
                }
                assertThat(filled).as("a demo segment with members").doesNotHaveNullValue();
            });

            // A member is a simulated contact with a profile.
            Map<String, Object> page = get(api, "/v1/segments/" + filled.get() + "/members?limit=1");
            String member = (String) ((List<?>) page.get("members")).get(0);
            Map<String, Object> contact = get(api, "/v1/contacts/" + member);
            assertThat(get(contact, "attributes").keySet()).contains("firstName", "city");
            assertThat((List<?>) contact.get("segments")).anySatisfy(s -> assertThat(s).isEqualTo(filled.get()));

            ServerSentEvent<String> change = api.get().uri("/v1/changes?after=0")
                    .accept(MediaType.TEXT_EVENT_STREAM)
                    .retrieve()
                    .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                    .filter(e -> "enter".equals(e.event()))
                    .blockFirst(CALL);
            assertThat(change).isNotNull();
            assertThat(change.data()).contains("\"change\":\"enter\"");
            assertThat(simulator.stored()).isPositive();
            assertThat(simulator.feeding()).isTrue();
        } finally {
            app.close();
        }

        assertThat(simulator.isRunning()).isFalse();
        assertThat(simulator.feeding()).isFalse();
        long stored = simulator.stored();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> simulator.stored() == stored);
    }

    private static List<String> segmentIds(WebClient api) {
        return ((List<?>) get(api, "/v1/segments").get("segments")).stream().map(s -> (String) ((Map<?, ?>) s).get("id")).toList();
    }

    private static long count(WebClient api, String segment) {
        return ((Number) get(api, "/v1/segments/" + segment + "/count").get("count")).longValue();
    }

    private static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT = new ParameterizedTypeReference<>() {};

    private static Map<String, Object> get(WebClient api, String uri) {
        return api.get().uri(uri).accept(MediaType.APPLICATION_JSON).retrieve().bodyToMono(JSON_OBJECT).block(CALL);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> get(Map<String, Object> object, String field) {
        return (Map<String, Object>) object.get(field);
    }
}
