package io.segstream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.support.IntegrationTest;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The dashboard in a real browser (headless chromium), against the whole application. The browser
 * reaches the application through a {@link TcpProxy} the test can cut.
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardIT {

    @Autowired
    WebTestClient client;

    @LocalServerPort
    int port;

    private TcpProxy proxy;
    private ChromeDriver browser;

    @BeforeAll
    void startBrowser() throws IOException {
        Chromium.assumeInstalled();
        proxy = new TcpProxy(port);
        browser = Chromium.start();
    }

    @AfterAll
    void stopBrowser() throws IOException {
        if (browser != null) browser.quit();
        if (proxy != null) proxy.close();
    }

    private String origin() {
        return "http://127.0.0.1:" + proxy.port();
    }

    private org.awaitility.core.ConditionFactory waitUpTo(Duration d) {
        return await().atMost(d).pollInterval(Duration.ofMillis(50)).ignoreExceptions();
    }

    @Test
    void theJarServesThePageAndItsModules() {
        String page = client.get().uri("/").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(page).contains("<script type=\"module\" src=\"assets/app.js\">").doesNotContain("http://", "https://");
        for (String module : List.of("app.js", "api.js", "dom.js", "live.js", "chart.js", "session.js", "views/overview.js",
                "views/segment.js", "views/contact.js", "views/editor.js", "views/signin.js")) {
            client.get().uri("/assets/" + module).exchange()
                    .expectStatus().isOk()
                    .expectHeader().contentTypeCompatibleWith("text/javascript");
        }
        client.get().uri("/assets/app.css").exchange().expectStatus().isOk().expectHeader().contentTypeCompatibleWith("text/css");
    }

    @Test
    void aVisitorWithoutSessionIsAskedForAKeyAndNothingIsLoadedFromOtherHosts() {
        browser.get(origin() + "/");
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("key")).isDisplayed());
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Sign in");
        assertThat(browser.findElement(By.cssSelector("label[for=key]")).getText()).isEqualTo("API key");
        assertSameOriginOnly();
        assertNoScriptErrors();
    }

    /** Every resource the page fetched (scripts, styles, API calls, streams) came from its own origin. */
    private void assertSameOriginOnly() {
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) browser.executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name)");
        assertThat(resources).isNotEmpty().allSatisfy(url -> assertThat(url).startsWith(origin() + "/"));
    }

    /** No script error, no Content-Security-Policy violation (failed API answers such as 401 are expected). */
    private void assertNoScriptErrors() {
        List<LogEntry> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .filter(e -> !(e.getMessage().contains("/v1/") && e.getMessage().contains("Failed to load resource")))
                .toList();
        assertThat(severe).extracting(LogEntry::getMessage).isEmpty();
    }
}
