package io.segstream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Swagger UI in a real browser (headless chromium) under the application's Content-Security-Policy: a
 * developer authorizes with a bearer key, tries {@code GET /v1/segments} and sees the tenant's segments.
 */
@ExtendWith(Chromium.Installed.class)
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwaggerUiIT {

    @Autowired
    WebTestClient client;

    @LocalServerPort
    int port;

    private ChromeDriver browser;

    @BeforeAll
    void startBrowser() throws IOException {
        browser = Chromium.start();
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) browser.quit();
    }

    private org.awaitility.core.ConditionFactory waitUpTo(Duration d) {
        return await().atMost(d).pollInterval(Duration.ofMillis(100)).ignoreExceptions();
    }

    @Test
    void aDeveloperAuthorizesWithABearerKeyAndTriesListingSegments() throws IOException {
        Api.TestTenant tenant = new Api(client).newTenant();
        new Api(client).createSegment(tenant.key(), "{\"id\": \"vip\", \"name\": \"VIP customers\", \"ruleText\": \"has tag vip\"}")
                .expectStatus().isCreated();
        try {
            // The document is built on the first request: seconds on a busy machine.
            browser.get("http://127.0.0.1:" + port + "/swagger-ui.html");
            waitUpTo(Duration.ofSeconds(90)).until(() -> browser.findElement(By.cssSelector("button.btn.authorize")).isDisplayed());

            browser.findElement(By.cssSelector("button.btn.authorize")).click();
            bearerScheme().findElement(By.tagName("input")).sendKeys(tenant.key());
            bearerScheme().findElement(By.cssSelector("button.authorize")).click();
            waitUpTo(Duration.ofSeconds(5)).until(() -> bearerScheme().getText().contains("Authorized")
                    && bearerScheme().findElements(By.tagName("button")).stream().anyMatch(b -> b.getText().equals("Logout")));
            browser.findElement(By.cssSelector(".modal-ux button.close-modal")).click();
            waitUpTo(Duration.ofSeconds(5)).until(() -> browser.findElements(By.cssSelector(".modal-ux")).isEmpty());

            WebElement operation = browser.findElement(By.id("operations-Segments-listSegments"));
            scrollTo(operation);
            operation.findElement(By.cssSelector(".opblock-summary-control")).click();
            WebElement tryItOut = waitUpTo(Duration.ofSeconds(5)).until(() -> operation.findElement(By.cssSelector("button.try-out__btn")),
                    b -> b.isDisplayed());
            scrollTo(tryItOut);
            tryItOut.click();
            WebElement execute = waitUpTo(Duration.ofSeconds(5)).until(() -> operation.findElement(By.cssSelector("button.execute")),
                    b -> b.isDisplayed());
            scrollTo(execute);
            execute.click();

            WebElement answer = waitUpTo(Duration.ofSeconds(20)).until(
                    () -> operation.findElement(By.cssSelector(".live-responses-table tr.response")), row -> row.isDisplayed());
            assertThat(answer.findElement(By.cssSelector(".response-col_status")).getText().strip()).isEqualTo("200");
            String body = answer.findElement(By.cssSelector(".response-col_description")).getDomProperty("textContent");
            assertThat(body).contains("\"vip\"", "VIP customers", "has tag vip");
            // The request it shows (and sent) carried the key.
            assertThat(operation.findElement(By.cssSelector(".curl-command, .curl")).getText()).contains("Authorization: Bearer " + tenant.key());
            assertNoPolicyViolation();
        } catch (AssertionError | RuntimeException e) {
            Path shot = Path.of("target", "swagger-ui-failure.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
            throw e;
        }
    }

    /** The bearer scheme's part of the authorize dialog (looked up afresh: the dialog re-renders). */
    private WebElement bearerScheme() {
        return waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElements(By.cssSelector(".modal-ux .auth-container")).stream()
                .filter(c -> c.findElement(By.tagName("h4")).getText().startsWith("bearer")).findFirst().orElse(null), c -> c != null);
    }

    private void scrollTo(WebElement element) {
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
    }

    /** The page ran under the policy with nothing refused (a refused inline style or script is logged). */
    private void assertNoPolicyViolation() {
        List<LogEntry> entries = browser.manage().logs().get(LogType.BROWSER).getAll();
        assertThat(entries).extracting(LogEntry::getMessage).noneMatch(m -> m.contains("Content Security Policy"));
    }
}
