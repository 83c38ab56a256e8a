package io.segstream.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.IntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The OpenAPI document offers the two ways a client authenticates (Swagger UI's "Authorize") and no
 * operation asks for the caller, which the security layer fills.
 */
@IntegrationTest
class OpenApiSecurityIT {

    @Autowired
    WebTestClient client;

    @Test
    @SuppressWarnings("unchecked")
    void theDocumentDeclaresBearerAndSessionSchemesAndNoCallerParameter() {
        // The first request builds the document (a scan of every handler): seconds on a busy machine.
        Map<String, Object> doc = client.mutate().responseTimeout(Duration.ofSeconds(60)).build().get().uri("/v3/api-docs").exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();

        Map<String, Object> schemes = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("securitySchemes");
        assertThat(schemes).containsKeys(OpenApiSecurity.BEARER, OpenApiSecurity.SESSION);
        assertThat((Map<String, Object>) schemes.get(OpenApiSecurity.BEARER)).containsEntry("type", "http").containsEntry("scheme", "bearer");
        assertThat((Map<String, Object>) schemes.get(OpenApiSecurity.SESSION)).containsEntry("type", "apiKey")
                .containsEntry("in", "cookie").containsEntry("name", SessionCookies.NAME);
        assertThat((List<Map<String, Object>>) doc.get("security"))
                .anySatisfy(requirement -> assertThat(requirement).containsKey(OpenApiSecurity.BEARER));

        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) doc.get("paths");
        assertThat(paths).containsKeys("/v1/events", "/v1/segments", "/v1/segments/{id}/count");
        List<String> parameters = new ArrayList<>();
        paths.values().forEach(operations -> operations.values().forEach(op -> {
            if (!(op instanceof Map<?, ?> operation) || !(operation.get("parameters") instanceof List<?> list)) return;
            list.forEach(p -> parameters.add(String.valueOf(((Map<String, Object>) p).get("name"))));
        }));
        assertThat(parameters).isNotEmpty().doesNotContain("caller");
    }
}
