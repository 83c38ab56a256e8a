package io.segstream.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.BrowserSecurityTest;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

@BrowserSecurityTest
class BrowserSecurityIT {

    /** Every page but Swagger UI's: no inline style either. */
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
            + "form-action 'self'; frame-ancestors 'none'";
    /** Swagger UI's pages: inline styles (React style attributes), scripts still from this origin only. */
    private static final String SWAGGER_UI_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
            + "form-action 'self'; frame-ancestors 'none'";

    @Autowired
    WebTestClient client;

    Api api;

    @BeforeEach
    void setUp() {
        client = client.mutate().responseTimeout(java.time.Duration.ofSeconds(30)).build(); // a loaded CI machine
        api = new Api(client);
    }

    @Test
    void anAllowedOriginsPreflightIsAnsweredWithoutAuthentication() {
        client.options().uri("/v1/segments/vip/changes")
                .header(HttpHeaders.ORIGIN, BrowserSecurityTest.ALLOWED_ORIGIN)
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "authorization, last-event-id, x-xsrf-token, content-type")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, BrowserSecurityTest.ALLOWED_ORIGIN)
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true")
                .expectHeader().value(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, h -> assertThat(h.toLowerCase())
                        .contains("authorization").contains("last-event-id").contains("x-xsrf-token").contains("content-type"));
        client.options().uri("/v1/segments")
                .header(HttpHeaders.ORIGIN, "https://second.example")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "https://second.example");
    }

    @Test
    void anOptionsRequestThatIsNoPreflightNeedsACredential() {
        client.options().uri("/v1/segments").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void anAllowedOriginCallsTheApiAndSeesRetryAfter() {
        var tenant = api.newTenant();
        client.get().uri("/v1/segments").header(HttpHeaders.ORIGIN, BrowserSecurityTest.ALLOWED_ORIGIN)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, BrowserSecurityTest.ALLOWED_ORIGIN)
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true")
                .expectHeader().value(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, h -> assertThat(h).contains("Retry-After"));
    }

    @Test
    void anotherOriginIsRefused() {
        client.options().uri("/v1/segments")
                .header(HttpHeaders.ORIGIN, "https://evil.example")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET")
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.status").isEqualTo(403).jsonPath("$.type").isEqualTo("urn:segstream:problem:forbidden");
        var tenant = api.newTenant();
        client.get().uri("/v1/segments").header(HttpHeaders.ORIGIN, "https://evil.example")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.status").isEqualTo(403).jsonPath("$.type").isEqualTo("urn:segstream:problem:forbidden");
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() {
        var tenant = api.newTenant();
        expectSecurityHeaders(api.get(tenant.key(), "/v1/segments").expectStatus().isOk());
        expectSecurityHeaders(client.get().uri("/v1/segments").exchange().expectStatus().isUnauthorized());
        expectSecurityHeaders(client.get().uri("/actuator/health").exchange().expectStatus().isOk());
        expectSecurityHeaders(client.get().uri("/v3/api-docs").exchange().expectStatus().isOk());
        expectSecurityHeaders(client.get().uri("/no-such-page").exchange().expectStatus().isNotFound());
    }

    @Test
    void publicPathsNeedNoCredential() {
        client.get().uri("/actuator/health").exchange().expectStatus().isOk();
        client.get().uri("/v3/api-docs").exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON);
        for (String path : new String[] {"/", "/index.html", "/favicon.ico", "/assets/app.js"}) {
            client.get().uri(path).exchange().expectStatus().value(s -> assertThat(s).as(path).isNotIn(401, 403));
        }
    }

    @Test
    void swaggerUiLoadsUnderTheContentSecurityPolicy() {
        String location = client.get().uri("/swagger-ui.html").exchange().expectStatus().is3xxRedirection()
                .returnResult(Void.class).getResponseHeaders().getLocation().toString();
        byte[] page = client.get().uri(location).exchange().expectStatus().isOk()
                .expectHeader().valueEquals("Content-Security-Policy", SWAGGER_UI_CSP)
                .expectBody().returnResult().getResponseBody();
        String html = new String(page, StandardCharsets.UTF_8);
        // Scripts are all files of this origin (no inline script, which the policy forbids) ...
        Matcher scripts = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(html);
        String base = location.substring(0, location.lastIndexOf('/') + 1);
        int count = 0;
        while (scripts.find()) {
            count++;
            assertThat(scripts.group(2)).as("inline script").isBlank();
            Matcher src = Pattern.compile("src=\"([^\"]+)\"").matcher(scripts.group(1));
            assertThat(src.find()).isTrue();
            assertThat(src.group(1)).doesNotStartWith("http");
            client.get().uri(base + src.group(1).replaceFirst("^\\./", "")).exchange().expectStatus().isOk();
        }
        assertThat(count).isPositive();
        // ... and the initializer reads its configuration, then the API document, from this origin.
        byte[] init = client.get().uri(base + "swagger-initializer.js").exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody();
        assertThat(new String(init, StandardCharsets.UTF_8))
                .contains("\"configUrl\" : \"/v3/api-docs/swagger-config\"").doesNotContain("petstore");
        client.get().uri("/v3/api-docs/swagger-config").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.url").isEqualTo("/v3/api-docs")
                .jsonPath("$.validatorUrl").isEqualTo("none");
    }

    private static void expectSecurityHeaders(WebTestClient.ResponseSpec spec) {
        spec.expectHeader().valueEquals("Content-Security-Policy", CSP)
                .expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
                .expectHeader().valueEquals("Referrer-Policy", "no-referrer");
    }
}
