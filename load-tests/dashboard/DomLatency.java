import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser against a running segstream: how long a change takes from the
 * ingest request to its row in the segment page's live feed, and the tab's memory under a steady
 * stream of changes.
 *
 * Sets up a tenant (admin API), a segment {"tag": "<run>"} and signs in through the page's form (a
 * session cookie, as a user would), then opens the segment's page in one headless chromium tab and
 * installs a MutationObserver on the feed's tbody (WebDriver's injected script, which the page's CSP
 * does not apply to). The observer records Date.now() for every row added, with its contact id; the
 * program records System.currentTimeMillis() just before each ingest request and posts events at a
 * steady rate, each tagging a new contact (one enter each). Both clocks are the same machine's wall
 * clock. Latency = observed - sent, per contact.
 *
 *   latency phases: --rates 50,200 for --seconds 60 each (page reloaded before each)
 *   memory phase:   --memory-seconds 300 at --memory-rate 200, sampling every --sample-seconds 10:
 *                   performance.memory.usedJSHeapSize (as is, and after a forced GC), DOM nodes in the
 *                   document and in the renderer (CDP Memory.getDOMCounters, detached ones included)
 *
 *   java -cp "$(cat target/test-classpath.txt)" load-tests/dashboard/DomLatency.java \
 *        --url http://127.0.0.1:8096 --admin-key admin-key [--rates 50,200] [--seconds 60] [--memory-seconds 300]
 */
public class DomLatency {

    private static final String OBSERVER = """
            window.__seen = [];
            window.__observer = new MutationObserver(records => {
              const t = Date.now();
              for (const r of records) for (const n of r.addedNodes) {
                if (n.nodeType !== 1) continue;
                const a = n.querySelector('td:nth-child(3) a');
                if (a) window.__seen.push([a.textContent, t]);
              }
            });
            window.__observer.observe(document.querySelector('table.feed tbody'), {childList: true});
            return performance.timeOrigin + performance.now() - Date.now();""";

    private static final String DRAIN = "const a = window.__seen; window.__seen = []; return a;";

    private final Map<String, String> opt;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private ChromeDriver browser;
    private String key;
    private long sentSoFar;
    /** Arrival at this program of each change on its own SSE stream of the segment, by contact id. */
    private final Map<String, Long> sseAt = new ConcurrentHashMap<>();

    DomLatency(Map<String, String> opt) {
        this.opt = opt;
        this.url = opt.get("--url");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        String[] defaults = {"--url", "http://127.0.0.1:8096", "--admin-key", "admin-key", "--rates", "50,200",
                "--seconds", "60", "--memory-seconds", "300", "--memory-rate", "200", "--sample-seconds", "10",
                "--batch", "10", "--warmup-seconds", "10", "--memory-observe", "true", "--chromium", "/usr/bin/chromium",
                "--chromedriver", "/usr/bin/chromedriver"};
        for (int i = 0; i < defaults.length; i += 2) opt.put(defaults[i], defaults[i + 1]);
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        DomLatency bench = new DomLatency(opt);
        try {
            bench.run();
        } finally {
            if (bench.browser != null) bench.browser.quit();
        }
        System.exit(0);
    }

    void run() throws Exception {
        System.out.printf("machine: %d cores, %s; load average at start: %s%n", Runtime.getRuntime().availableProcessors(),
                cpuModel(), loadavg());
        key = setUpTenant();
        browser = startBrowser();
        System.out.println("chromium: " + browser.getCapabilities().getBrowserVersion());
        signIn();
        subscribe();
        int warmup = Integer.parseInt(opt.get("--warmup-seconds"));
        if (warmup > 0) latencyPhase("warmup", 50, warmup, 0);
        for (String r : opt.get("--rates").split(",")) {
            if (r.isBlank()) continue;
            int rate = Integer.parseInt(r.trim());
            latencyPhase("rate" + rate, rate, Integer.parseInt(opt.get("--seconds")), 0);
        }
        int memorySeconds = Integer.parseInt(opt.get("--memory-seconds"));
        if (memorySeconds > 0) {
            latencyPhase("memory", Integer.parseInt(opt.get("--memory-rate")), memorySeconds,
                    Integer.parseInt(opt.get("--sample-seconds")));
        }
        System.out.println("load average at end: " + loadavg());
    }

    /** Opens the segment's page afresh, sends rate events/s for seconds and pairs sends with rows. */
    void latencyPhase(String phase, int rate, int seconds, int sampleSeconds) throws Exception {
        openSegmentPage();
        // The memory phase can run without the observer and its draining, to tell the page's memory from theirs.
        boolean observe = sampleSeconds == 0 || Boolean.parseBoolean(opt.get("--memory-observe"));
        double clockSkew = observe ? ((Number) browser.executeScript(OBSERVER)).doubleValue() : Double.NaN;
        System.out.printf("%n== %s: %d changes/s for %d s; load average %s; page performance.timeOrigin+now() - Date.now() = %.1f ms%n",
                phase, rate, seconds, loadavg(), clockSkew);
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> seenAt = new HashMap<>();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        int total = rate * seconds;
        List<String[]> samples = new ArrayList<>();
        if (sampleSeconds > 0) samples.add(sample(0));
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        long started = System.nanoTime();
        int batch = Math.min(Integer.parseInt(opt.get("--batch")), rate);
        pacer.scheduleAtFixedRate(() -> {
            int from = next.getAndAdd(batch);
            if (from >= total) return;
            StringBuilder body = new StringBuilder("[");
            List<String> contacts = new ArrayList<>();
            for (int i = from; i < Math.min(total, from + batch); i++) {
                String contact = "dl-" + run + "-" + phase + "-" + i;
                contacts.add(contact);
                if (i > from) body.append(',');
                body.append("{\"id\":\"").append(contact).append("\",\"contactId\":\"").append(contact)
                        .append("\",\"type\":\"contact.tagged\",\"occurredAt\":\"").append(Instant.now())
                        .append("\",\"properties\":{\"tag\":\"").append(run).append("\"}}");
            }
            long t0 = System.currentTimeMillis();
            for (String c : contacts) sentAt.put(c, t0);
            http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/events")).timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body.append(']').toString())).build(),
                            HttpResponse.BodyHandlers.discarding())
                    .whenComplete((r, e) -> {
                        if (e != null || r.statusCode() != 202) failures.incrementAndGet();
                    });
        }, 0, 1_000_000L * batch / rate, TimeUnit.MICROSECONDS);

        // Drain the page's records once a second; sample memory every sampleSeconds; stop when every
        // change is seen or 15 s after the last send.
        long deadline = started + TimeUnit.SECONDS.toNanos(seconds + 15L);
        long nextSample = started + TimeUnit.SECONDS.toNanos(sampleSeconds);
        long sendEnd = started + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline && seenAt.size() < total && (observe || System.nanoTime() < sendEnd + 2_000_000_000L)) {
            sleepMillis(1000);
            if (observe) drain(seenAt);
            if (sampleSeconds > 0 && System.nanoTime() >= nextSample && next.get() < total) {
                samples.add(sample((System.nanoTime() - started) / 1_000_000_000L));
                nextSample += TimeUnit.SECONDS.toNanos(sampleSeconds);
            }
        }
        if (sampleSeconds > 0) samples.add(sample((System.nanoTime() - started) / 1_000_000_000L));
        pacer.shutdownNow();
        double sendSeconds = seconds;

        List<Long> latencies = new ArrayList<>();
        for (Map.Entry<String, Long> seen : seenAt.entrySet()) {
            Long sent = sentAt.get(seen.getKey());
            if (sent != null) latencies.add(seen.getValue() - sent);
        }
        Collections.sort(latencies);
        List<Long> sseLatencies = new ArrayList<>();
        List<Long> sseToDom = new ArrayList<>();
        for (Map.Entry<String, Long> sent : sentAt.entrySet()) {
            Long atClient = sseAt.remove(sent.getKey());
            if (atClient == null) continue;
            sseLatencies.add(atClient - sent.getValue());
            Long seen = seenAt.get(sent.getKey());
            if (seen != null) sseToDom.add(seen - atClient);
        }
        Collections.sort(sseLatencies);
        Collections.sort(sseToDom);
        System.out.printf("sent %d changes (%d failed requests) over %.0f s; seen in the feed: %d%n",
                Math.min(next.get(), total), failures.get(), sendSeconds, latencies.size());
        if (!latencies.isEmpty()) {
            System.out.printf("ingest request -> row in the page's DOM, ms: p50=%d p90=%d p99=%d max=%d min=%d%n",
                    pct(latencies, 0.50), pct(latencies, 0.90), pct(latencies, 0.99), latencies.getLast(), latencies.getFirst());
        }
        if (!sseLatencies.isEmpty()) {
            System.out.printf("ingest request -> same change on a second SSE stream read by this program, ms: p50=%d p90=%d p99=%d max=%d (%d changes)%n",
                    pct(sseLatencies, 0.50), pct(sseLatencies, 0.90), pct(sseLatencies, 0.99), sseLatencies.getLast(), sseLatencies.size());
        }
        if (!sseToDom.isEmpty()) {
            System.out.printf("that SSE arrival -> row in the page's DOM (the browser's part, roughly), ms: p50=%d p90=%d p99=%d max=%d%n",
                    pct(sseToDom, 0.50), pct(sseToDom, 0.90), pct(sseToDom, 0.99), sseToDom.getLast());
        }
        sentSoFar += total;
        Object rows = browser.executeScript("return document.querySelectorAll('table.feed tbody tr').length");
        String count = browser.findElement(By.cssSelector(".big.count")).getText();
        System.out.printf("feed rows at end: %s; count shown: %s (expected %d)%n", rows, count, sentSoFar);
        if (!samples.isEmpty()) {
            System.out.println("| s | usedJSHeapSize MB | after GC MB | document nodes | renderer DOM nodes | JS listeners |");
            System.out.println("|---:|---:|---:|---:|---:|---:|");
            for (String[] s : samples) System.out.println("| " + String.join(" | ", s) + " |");
        }
    }

    /** A second subscriber of the segment's changes (Bearer key), to split the latency into server and browser. */
    void subscribe() {
        java.util.regex.Pattern contact = java.util.regex.Pattern.compile("\"contactId\":\"([^\"]+)\"");
        HttpRequest sse = HttpRequest.newBuilder(URI.create(url + "/v1/segments/bench/changes"))
                .header("Authorization", "Bearer " + key).header("Accept", "text/event-stream").build();
        http.sendAsync(sse, HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> r.body().forEach(line -> {
            if (!line.startsWith("data:")) return;
            java.util.regex.Matcher m = contact.matcher(line);
            if (m.find()) sseAt.putIfAbsent(m.group(1), System.currentTimeMillis());
        }));
    }

    /** One memory sample: seconds, used JS heap as is and after a forced GC, document and renderer node counts. */
    String[] sample(long second) {
        Number used = (Number) browser.executeScript("return performance.memory.usedJSHeapSize");
        Number nodes = (Number) browser.executeScript("return document.getElementsByTagName('*').length");
        Map<String, Object> counters = browser.executeCdpCommand("Memory.getDOMCounters", Map.of());
        browser.executeCdpCommand("HeapProfiler.collectGarbage", Map.of());
        Number afterGc = (Number) browser.executeScript("return performance.memory.usedJSHeapSize");
        return new String[] {Long.toString(second), mb(used), mb(afterGc), nodes.toString(),
                String.valueOf(counters.get("nodes")), String.valueOf(counters.get("jsEventListeners"))};
    }

    @SuppressWarnings("unchecked")
    void drain(Map<String, Long> seenAt) {
        List<List<Object>> seen = (List<List<Object>>) browser.executeScript(DRAIN);
        for (List<Object> s : seen) seenAt.putIfAbsent((String) s.get(0), ((Number) s.get(1)).longValue());
    }

    String setUpTenant() throws Exception {
        String tenant = "dash-" + run;
        String admin = opt.get("--admin-key");
        post("/v1/admin/tenants", admin, "{\"id\":\"" + tenant + "\",\"name\":\"dashboard bench\",\"timeZone\":\"UTC\"}");
        String answer = post("/v1/admin/tenants/" + tenant + "/keys", admin, "{\"scopes\":[\"ingest\",\"read\",\"manage\"]}");
        String k = answer.replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
        post("/v1/segments", k, "{\"id\":\"bench\",\"name\":\"Dashboard bench\",\"rule\":{\"tag\":\"" + run + "\"}}");
        for (int i = 0; i < 120; i++) {
            String seg = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/segments/bench")).timeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + k).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (seg.contains("\"status\":\"live\"")) return k;
            sleepMillis(250);
        }
        throw new IllegalStateException("segment not live after 30 s");
    }

    String post(String path, String bearer, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new IllegalStateException(path + " -> " + r.statusCode() + " " + r.body());
        return r.body();
    }

    ChromeDriver startBrowser() throws IOException {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(opt.get("--chromedriver")).toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(Path.of(opt.get("--chromium")).toFile());
        Path profile = Files.createTempDirectory("segstream-dash-bench");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,800", "--user-data-dir=" + profile, "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--enable-precise-memory-info");
        return new ChromeDriver(service, options);
    }

    void signIn() {
        browser.get(url + "/#/signin");
        WebElement field = waitFor(By.id("key"), 15);
        field.sendKeys(key);
        browser.findElement(By.cssSelector("form.signin button[type=submit]")).click();
        long until = System.currentTimeMillis() + 15_000;
        while (!headingIs("Segments")) {
            if (System.currentTimeMillis() > until) throw new IllegalStateException("sign-in did not reach the overview");
            sleepMillis(100);
        }
    }

    void openSegmentPage() {
        browser.get(url + "/#/segments/bench");
        browser.navigate().refresh(); // a fresh document (a hash change alone keeps the old one)
        waitFor(By.cssSelector(".stream-state.live"), 20);
    }

    boolean headingIs(String text) {
        try {
            return browser.findElement(By.tagName("h1")).getText().equals(text);
        } catch (RuntimeException e) {
            return false;
        }
    }

    WebElement waitFor(By by, int seconds) {
        long until = System.currentTimeMillis() + seconds * 1000L;
        while (true) {
            List<WebElement> found = browser.findElements(by);
            if (!found.isEmpty() && found.getFirst().isDisplayed()) return found.getFirst();
            if (System.currentTimeMillis() > until) throw new IllegalStateException("not found in " + seconds + " s: " + by);
            sleepMillis(100);
        }
    }

    static long pct(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    static String mb(Number bytes) {
        return String.format("%.1f", bytes.doubleValue() / 1_048_576);
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
