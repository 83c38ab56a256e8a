package io.segstream.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The dashboard in a real browser (headless chromium), against the whole application. The browser
 * reaches the application through a {@link TcpProxy} the test can cut.
 */
@ExtendWith(Chromium.Installed.class)
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardIT {

    /** Started before the application, whose CORS configuration must name its origin. */
    private static final OtherOriginPage OTHER_ORIGIN = new OtherOriginPage();

    @DynamicPropertySource
    static void allowTheOtherOrigin(DynamicPropertyRegistry registry) {
        registry.add("segstream.cors.allowed-origins", OTHER_ORIGIN::origin);
    }

    @Autowired
    WebTestClient client;

    @Autowired
    org.springframework.r2dbc.core.DatabaseClient db;

    @LocalServerPort
    int port;

    private TcpProxy proxy;
    private ChromeDriver browser;

    @BeforeAll
    void startBrowser() throws IOException {
        proxy = new TcpProxy(port);
        browser = Chromium.start();
    }

    /** Every test starts signed out. */
    @BeforeEach
    void signedOut() {
        browser.get(origin() + "/assets/app.css");
        browser.manage().deleteAllCookies();
        browser.executeScript("sessionStorage.clear()");
        browser.manage().logs().get(LogType.BROWSER); // drained: each test sees its own page's messages
    }

    @AfterAll
    void stopBrowser() throws IOException {
        if (browser != null) browser.quit();
        if (proxy != null) proxy.close();
        OTHER_ORIGIN.close();
    }

    private final AtomicInteger events = new AtomicInteger();

    private Api api() {
        return new Api(client);
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

    @Test
    void signingInWithAKeyOpensTheOverviewAndSigningOutEndsTheSession() {
        Api.TestTenant tenant = api().newTenant();
        createSegment(tenant, "vip", "VIP customers", "{\"tag\":\"vip\"}");
        browser.get(origin() + "/#/signin");
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("key")).isDisplayed());
        browser.findElement(By.id("key")).sendKeys("not-a-key");
        browser.findElement(By.cssSelector("form.signin button[type=submit]")).click();
        waitUpTo(Duration.ofSeconds(5)).until(() -> browser.findElement(By.id("signin-error")).getText().equals("That key is not valid."));

        signIn(tenant);
        waitUpTo(Duration.ofSeconds(5)).until(() -> browser.findElement(By.cssSelector("tr[data-segment=vip] th a")).getText()
                .equals("VIP customers"));
        assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("tenant " + tenant.id());
        // The session cookie is HttpOnly: the page sees only the CSRF token's cookie.
        assertThat((String) browser.executeScript("return document.cookie")).contains("XSRF-TOKEN=");
        assertThat(browser.manage().getCookies()).anySatisfy(c -> assertThat(c.isHttpOnly()).isTrue());

        // By keyboard: from the page's heading, Tab reaches "New segment" with a visible focus ring; Enter opens it.
        new org.openqa.selenium.interactions.Actions(browser).sendKeys(org.openqa.selenium.Keys.TAB).perform();
        assertThat(browser.executeScript("return document.activeElement.textContent")).isEqualTo("New segment");
        assertThat(browser.executeScript("return getComputedStyle(document.activeElement).outlineStyle")).isEqualTo("solid");
        new org.openqa.selenium.interactions.Actions(browser).sendKeys(org.openqa.selenium.Keys.ENTER).perform();
        waitUpTo(Duration.ofSeconds(5)).until(() -> browser.findElement(By.tagName("h1")).getText().equals("New segment"));

        browser.findElement(By.id("sign-out")).click();
        waitUpTo(Duration.ofSeconds(5)).until(() -> browser.findElement(By.tagName("h1")).getText().equals("Sign in"));
        browser.get(origin() + "/#/");
        browser.navigate().refresh();
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.tagName("h1")).getText().equals("Sign in"));
        assertNoScriptErrors();
    }

    @Test
    void theEditorShowsRuleErrorsAtLineAndColumnPreviewsAndSavesAndTheSegmentGoesLive() {
        Api.TestTenant tenant = api().newTenant();
        tag(tenant, "c-1", "gold");
        signIn(tenant);
        browser.get(origin() + "/#/new");
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("seg-name")).isDisplayed());
        browser.findElement(By.id("seg-id")).sendKeys("gold");
        browser.findElement(By.id("seg-name")).sendKeys("Gold customers");
        WebElement rule = browser.findElement(By.id("rule-text"));
        rule.sendKeys("has tag gold\nadn has tag vip");
        browser.findElement(By.cssSelector("form.editor button[type=submit]")).click();

        // The server's 400 names line 2, column 1; choosing the error puts the caret there.
        waitUpTo(Duration.ofSeconds(5)).until(() -> !browser.findElements(By.cssSelector("#rule-errors li")).isEmpty());
        WebElement error = browser.findElement(By.cssSelector("#rule-errors li"));
        assertThat(error.getText()).startsWith("Line 2, column 1: ").contains("adn");
        assertThat(rule.getDomAttribute("aria-invalid")).isEqualTo("true");
        error.findElement(By.tagName("button")).click();
        assertThat(browser.executeScript("return document.activeElement.id")).isEqualTo("rule-text");
        assertThat(((Number) browser.executeScript("return document.activeElement.selectionStart")).intValue())
                .isEqualTo("has tag gold\n".length());

        rule.clear();
        rule.sendKeys("has tag gold");
        browser.findElement(By.xpath("//button[text()='Preview']")).click();
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.cssSelector(".preview-count")).getText().equals("1"));
        assertThat(browser.findElement(By.cssSelector(".preview")).getText()).contains("c-1");
        browser.findElement(By.cssSelector("form.editor button[type=submit]")).click();

        // Saved with the session cookie and the CSRF header; the segment's page follows it to live.
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.getCurrentUrl().endsWith("#/segments/gold"));
        waitUpTo(Duration.ofSeconds(20)).until(() -> browser.findElement(By.cssSelector(".badge.live")).isDisplayed());
        waitUpTo(Duration.ofSeconds(5)).until(() -> browser.findElement(By.cssSelector(".big.count")).getText().equals("1"));
        assertThat(browser.findElement(By.cssSelector("pre.rule")).getText()).isEqualTo("has tag gold");
        api().get(tenant.key(), "/v1/segments/gold").expectStatus().isOk().expectBody()
                .jsonPath("$.rule.tag").isEqualTo("gold");
        assertNoScriptErrors();
    }

    @Test
    void aContactShowsItsProfileAndWhyItIsInOrOutOfEachSegment() {
        Api.TestTenant tenant = api().newTenant();
        createSegment(tenant, "vip", "VIP customers", "{\"tag\":\"vip\"}");
        createSegment(tenant, "promoters", "Promoters",
                "{\"event\":\"review.left\",\"where\":[{\"property\":\"rating\",\"op\":\"gte\",\"value\":4}]}");
        tag(tenant, "ann", "vip");
        post(tenant, "ann", "review.left", "{\"rating\":2}");
        api().awaitLive(tenant.key(), "vip");
        api().awaitLive(tenant.key(), "promoters");
        signIn(tenant);

        // Opened from the top bar by keyboard: type the id, press Enter.
        browser.findElement(By.id("contact-id")).sendKeys("ann", org.openqa.selenium.Keys.ENTER);
        waitUpTo(Duration.ofSeconds(5)).until(() -> browser.findElement(By.tagName("h1")).getText().equals("Contact ann"));
        waitUpTo(Duration.ofSeconds(5)).until(() -> browser.findElement(By.cssSelector(".profile dl")).getText().contains("vip"));
        waitUpTo(Duration.ofSeconds(5)).until(() -> !browser.findElements(By.cssSelector("li[data-segment=promoters] .why li")).isEmpty());
        assertThat(browser.findElement(By.cssSelector("li[data-segment=vip] .badge")).getText()).isEqualTo("in");
        assertThat(browser.findElement(By.cssSelector("li[data-segment=promoters] .badge")).getText()).isEqualTo("out");
        assertThat(browser.findElement(By.cssSelector("li[data-segment=vip] .why li")).getText()).startsWith("✓").contains("vip");
        assertThat(browser.findElement(By.cssSelector("li[data-segment=promoters] .why li")).getText())
                .startsWith("✗").contains("review.left", "saw {\"count\":0}");
        assertNoScriptErrors();
    }

    @Test
    void aPageOnAnotherOriginReceivesEveryChangeWithAStreamToken() {
        Api.TestTenant tenant = api().newTenant();
        createSegment(tenant, "vip", "VIP customers", "{\"tag\":\"vip\"}");
        api().awaitLive(tenant.key(), "vip");
        @SuppressWarnings("unchecked")
        Map<String, Object> minted = client.post().uri("/v1/stream-tokens")
                .header("Authorization", "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("segments", List.of("vip"), "ttl", "15m"))
                .exchange()
                .expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
        String stream = "http://127.0.0.1:" + port + "/v1/segments/vip/changes";
        browser.get(OTHER_ORIGIN.origin() + "/?stream=" + enc(stream) + "&token=" + enc((String) minted.get("token")));
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("state")).getText().equals("open"));

        List<String> contacts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            contacts.add("portal-" + i);
            tag(tenant, "portal-" + i, "vip");
        }
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElements(By.cssSelector("#changes li")).size() == 10);
        List<Long> seqs = browser.findElements(By.cssSelector("#changes li")).stream()
                .map(li -> Long.parseLong(li.getDomAttribute("data-seq"))).toList();
        assertThat(seqs).containsExactlyInAnyOrderElementsOf(loggedSeqs(tenant, "vip"));
        assertThat(browser.findElements(By.cssSelector("#changes li"))).extracting(WebElement::getText)
                .containsExactlyElementsOf(contacts.stream().map(c -> "enter " + c).toList());
    }

    @Test
    void theOverviewListsTheSegmentsWithLiveCountsAndAnEventMovesThemWithinTwoSeconds() {
        Api.TestTenant tenant = api().newTenant();
        createSegment(tenant, "vip", "VIP customers", "{\"tag\":\"vip\"}");
        createSegment(tenant, "promoters", "Promoters", "{\"tag\":\"promoter\"}");
        tag(tenant, "c-1", "vip");
        tag(tenant, "c-2", "vip");
        tag(tenant, "c-3", "promoter");
        api().awaitLive(tenant.key(), "vip");
        api().awaitLive(tenant.key(), "promoters");
        signIn(tenant);

        browser.get(origin() + "/#/");
        waitUpTo(Duration.ofSeconds(10)).until(() -> countCell("vip").equals("2") && countCell("promoters").equals("1"));
        assertThat(browser.findElement(By.cssSelector("tr[data-segment=vip] th a")).getText()).isEqualTo("VIP customers");
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.cssSelector(".stream-state.live")).isDisplayed());

        tag(tenant, "c-4", "vip");
        waitUpTo(Duration.ofSeconds(2)).until(() -> countCell("vip").equals("3"));
        assertThat(countCell("promoters")).isEqualTo("1");

        browser.get(origin() + "/#/segments/vip");
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.cssSelector(".stream-state.live")).isDisplayed());
        assertThat(browser.findElement(By.cssSelector(".big.count")).getText()).isEqualTo("3");
        tag(tenant, "c-5", "vip");
        waitUpTo(Duration.ofSeconds(2)).until(() -> feedContacts().contains("c-5"));
        WebElement row = browser.findElement(By.cssSelector("table.feed tbody tr"));
        assertThat(row.getText()).contains("enter", "c-5", "event");
        waitUpTo(Duration.ofSeconds(2)).until(() -> browser.findElement(By.cssSelector(".big.count")).getText().equals("4"));
        assertThat(browser.findElements(By.cssSelector("ul.members li a"))).extracting(WebElement::getText)
                .containsExactlyInAnyOrder("c-1", "c-2", "c-4");
        assertSameOriginOnly();
        assertNoScriptErrors();
    }

    @Test
    void theFeedResumesWithoutDuplicatesAfterTheServerDropsTheStream() {
        Api.TestTenant tenant = api().newTenant();
        createSegment(tenant, "vip", "VIP customers", "{\"tag\":\"vip\"}");
        api().awaitLive(tenant.key(), "vip");
        signIn(tenant);
        browser.get(origin() + "/#/segments/vip");
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.cssSelector(".stream-state.live")).isDisplayed());

        List<String> contacts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String contact = "before-" + i;
            contacts.add(contact);
            tag(tenant, contact, "vip");
        }
        waitUpTo(Duration.ofSeconds(5)).until(() -> feedSeqs().size() == 5);

        assertThat(proxy.cutAll()).as("connections cut").isPositive();
        for (int i = 0; i < 5; i++) {
            String contact = "after-" + i;
            contacts.add(contact);
            tag(tenant, contact, "vip");
            if (i == 2) proxy.cutAll(); // and once more while the browser may be reconnecting
        }
        waitUpTo(Duration.ofSeconds(20)).until(() -> feedContacts().size() == 10);
        List<Long> seqs = feedSeqs();
        assertThat(seqs).hasSize(10).doesNotHaveDuplicates();
        assertThat(new HashSet<>(feedContacts())).containsExactlyInAnyOrderElementsOf(contacts);
        // Each seq of the log appears exactly once: the ones the server has for this segment.
        List<Long> logged = loggedSeqs(tenant, "vip");
        assertThat(seqs).containsExactlyInAnyOrderElementsOf(logged);
        assertThat(browser.findElement(By.cssSelector(".big.count")).getText()).isEqualTo("10");
    }

    @Test
    void theSegmentPageKeepsUpWith200ChangesPerSecond() {
        Api.TestTenant tenant = api().newTenant();
        createSegment(tenant, "everyone", "Everyone", "{\"subscribed\":\"email\"}");
        api().awaitLive(tenant.key(), "everyone");
        signIn(tenant);
        browser.get(origin() + "/#/segments/everyone");
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.cssSelector(".stream-state.live")).isDisplayed());
        // How often the feed's rows change (a mutation observer's callback runs once per task that changed
        // them), and the longest main-thread task, for the log.
        browser.executeScript("""
                window.longest = 0;
                window.feedUpdates = 0;
                new PerformanceObserver(list => list.getEntries().forEach(e => window.longest = Math.max(window.longest, e.duration)))
                    .observe({type: 'longtask'});
                new MutationObserver(() => window.feedUpdates++)
                    .observe(document.querySelector('table.feed tbody'), {childList: true});""");

        // 20 new contacts every 100 ms for 5 s: 1,000 enters at 200 a second.
        int batches = 50;
        int perBatch = 20;
        reactor.core.publisher.Flux.interval(Duration.ofMillis(100)).take(batches).onBackpressureBuffer()
                .flatMap(b -> reactor.core.publisher.Mono.fromRunnable(() -> {
                    StringBuilder json = new StringBuilder("[");
                    for (int i = 0; i < perBatch; i++) {
                        if (i > 0) json.append(',');
                        String contact = "load-" + b + "-" + i;
                        json.append(Api.event("load-" + contact, contact, "contact.created", Instant.now().toString(), null));
                    }
                    api().postEvents(tenant.key(), json.append(']').toString()).expectStatus().isAccepted();
                }).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()), 8)
                .blockLast(Duration.ofSeconds(60));

        int total = batches * perBatch;
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.cssSelector(".big.count")).getText().equals("1,000"));
        List<Long> logged = loggedSeqs(tenant, "everyone");
        assertThat(logged).hasSize(total);
        long last = logged.stream().mapToLong(Long::longValue).max().orElseThrow();
        waitUpTo(Duration.ofSeconds(5)).until(() -> feedSeqs().getFirst() == last);
        List<Long> shown = feedSeqs();
        // Bounded: the newest 200 changes, newest first, each once.
        assertThat(shown).hasSize(200).doesNotHaveDuplicates().isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(shown).containsExactlyElementsOf(logged.stream().sorted(java.util.Comparator.reverseOrder()).limit(200).toList());
        long updates = ((Number) browser.executeScript("return window.feedUpdates")).longValue();
        Number longest = (Number) browser.executeScript("return window.longest");
        org.slf4j.LoggerFactory.getLogger(DashboardIT.class).info(
                "1,000 changes at 200/s: the feed changed {} times; longest main-thread task {} ms", updates, longest);
        // Batched per animation frame (at most 60 a second over these 5 s and the catching up), not per change.
        assertThat(updates).isPositive().isLessThan(total / 2);
    }

    @Test
    void screenshotsOfTheOverviewAndASegmentAt1280x800() throws IOException {
        Api.TestTenant tenant = api().newTenant();
        createSegment(tenant, "vip", "VIP customers", "{\"tag\":\"vip\"}");
        createSegment(tenant, "happy-reviewers", "Left a positive review",
                "{\"event\":\"review.left\",\"where\":[{\"property\":\"rating\",\"op\":\"gte\",\"value\":4}]}");
        createSegment(tenant, "email-ok", "Reachable by email", "{\"subscribed\":\"email\"}");
        for (int i = 0; i < 24; i++) {
            String contact = "c-" + (100 + i);
            if (i % 3 == 0) tag(tenant, contact, "vip");
            post(tenant, contact, "review.left", "{\"rating\":" + (1 + i % 5) + ",\"site\":\"google\"}");
        }
        for (String s : List.of("vip", "happy-reviewers", "email-ok")) api().awaitLive(tenant.key(), s);
        signIn(tenant);
        browser.get(origin() + "/#/");
        waitUpTo(Duration.ofSeconds(10)).until(() -> countCell("vip").equals("8") && countCell("email-ok").equals("24"));
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElements(By.cssSelector("td.chart-cell .muted"))
                .stream().noneMatch(e -> e.getText().equals("…")));
        assertThat(viewport()).isEqualTo(List.of(1280L, 800L));
        assertThat(browser.findElements(By.cssSelector("tr[data-segment] td.chart-cell svg.spark path")))
                .as("chart cells: %s", browser.findElements(By.cssSelector("tr[data-segment] td.chart-cell")).stream()
                        .map(WebElement::getText).toList())
                .hasSize(3);
        screenshot("overview");

        browser.get(origin() + "/#/segments/happy-reviewers");
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.cssSelector(".stream-state.live")).isDisplayed());
        for (int i = 0; i < 12; i++) post(tenant, "c-" + (200 + i), "review.left", "{\"rating\":5,\"site\":\"google\"}");
        waitUpTo(Duration.ofSeconds(10)).until(() -> feedSeqs().size() == 12);
        assertThat(browser.findElement(By.cssSelector(".chart-box svg.chart path.line")).isDisplayed()).isTrue();
        screenshot("segment");
        assertThat(Path.of("target/screenshots/overview.png")).isNotEmptyFile();
        assertThat(Path.of("target/screenshots/segment.png")).isNotEmptyFile();
    }

    /**
     * The history endpoint names the oldest instant it has with PostgreSQL's microseconds; a chart of a young
     * tenant asks again from exactly that instant (a Date keeps milliseconds, and rounding it could land just
     * before the oldest instant and be refused again).
     */
    @Test
    void aYoungTenantsChartsStartAtItsCreationEvenWhenThatHasMicroseconds() {
        Api.TestTenant tenant = api().newTenant();
        db.sql("UPDATE tenants SET created_at = date_trunc('second', now()) - interval '3 seconds' + interval '400 microseconds'"
                        + " WHERE id = :id")
                .bind("id", tenant.id()).fetch().rowsUpdated().block(Duration.ofSeconds(10));
        createSegment(tenant, "vip", "VIP customers", "{\"tag\":\"vip\"}");
        tag(tenant, "c-1", "vip");
        api().awaitLive(tenant.key(), "vip");
        signIn(tenant);
        waitUpTo(Duration.ofSeconds(10)).until(() -> countCell("vip").equals("1"));
        waitUpTo(Duration.ofSeconds(10)).until(() -> !browser.findElement(By.cssSelector("tr[data-segment=vip] td.chart-cell"))
                .getText().equals("…"));
        assertThat(browser.findElements(By.cssSelector("tr[data-segment=vip] td.chart-cell svg.spark path")))
                .as("chart cell: %s", browser.findElement(By.cssSelector("tr[data-segment=vip] td.chart-cell")).getText())
                .hasSize(1);
    }

    // --- helpers ---

    /** Signs in through the page's form with the tenant's key; the overview follows. */
    private void signIn(Api.TestTenant tenant) {
        browser.get(origin() + "/#/signin");
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("key")).isDisplayed());
        WebElement key = browser.findElement(By.id("key"));
        key.clear();
        key.sendKeys(tenant.key());
        browser.findElement(By.cssSelector("form.signin button[type=submit]")).click();
        waitUpTo(Duration.ofSeconds(10)).until(() -> browser.findElement(By.tagName("h1")).getText().equals("Segments"));
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private void createSegment(Api.TestTenant tenant, String id, String name, String ruleJson) {
        api().createSegment(tenant.key(), "{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"rule\":" + ruleJson + "}")
                .expectStatus().isCreated();
    }

    private void tag(Api.TestTenant tenant, String contact, String tag) {
        post(tenant, contact, "contact.tagged", "{\"tag\":\"" + tag + "\"}");
    }

    private void post(Api.TestTenant tenant, String contact, String type, String properties) {
        String id = "e-" + events.incrementAndGet() + "-" + UUID.randomUUID();
        api().postEvents(tenant.key(), "[" + Api.event(id, contact, type, Instant.now().toString(), properties) + "]")
                .expectStatus().isAccepted();
    }

    private String countCell(String segment) {
        return browser.findElement(By.cssSelector("tr[data-segment=" + segment + "] td.count")).getText();
    }

    private List<Long> feedSeqs() {
        return browser.findElements(By.cssSelector("table.feed tbody tr")).stream()
                .map(r -> Long.parseLong(r.getDomAttribute("data-seq"))).toList();
    }

    private List<String> feedContacts() {
        return browser.findElements(By.cssSelector("table.feed tbody tr td:nth-child(3)")).stream().map(WebElement::getText).toList();
    }

    /** The seqs of the segment's changes in the log, read back through the API (a replay from the start). */
    private List<Long> loggedSeqs(Api.TestTenant tenant, String segment) {
        return client.get().uri("/v1/segments/{id}/changes?after=0", segment)
                .header("Authorization", "Bearer " + tenant.key())
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus().isOk()
                .returnResult(new org.springframework.core.ParameterizedTypeReference<org.springframework.http.codec.ServerSentEvent<String>>() {})
                .getResponseBody()
                .filter(e -> e.id() != null)
                .map(e -> Long.parseLong(e.id()))
                .take(Duration.ofSeconds(2))
                .collectList()
                .block(Duration.ofSeconds(10));
    }

    @SuppressWarnings("unchecked")
    private List<Long> viewport() {
        return (List<Long>) browser.executeScript("return [window.innerWidth, window.innerHeight]");
    }

    private void screenshot(String name) throws IOException {
        Path dir = Files.createDirectories(Path.of("target/screenshots"));
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
