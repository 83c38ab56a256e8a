import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ingest throughput benchmark against a running segstream: N events in batches of B, C concurrent
 * clients, realistic activity (contacts are created, tagged, leave reviews, answer surveys, open
 * messages, unsubscribe). Event ids carry a run id, so every run's events are new.
 *
 * Run with a JDK 21+ (no build needed):
 *   java load-tests/ingest/IngestBenchmark.java --url http://127.0.0.1:8080 --key demo-key \
 *        --events 100000 --batch 1000 --clients 4 --contacts 20000 [--distinct true: one event per contact]
 *        [--purchases P: P% of the events are purchase.made with a numeric amount; default 0, the mix below unchanged]
 * Exits 1 unless every event was accepted.
 */
public class IngestBenchmark {

    private static final Pattern ACCEPTED = Pattern.compile("\"accepted\":(\\d+)");

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>(Map.of(
                "--url", "http://127.0.0.1:8080", "--key", "demo-key", "--events", "100000",
                "--batch", "1000", "--clients", "4", "--contacts", "20000", "--seed", "1", "--distinct", "false"));
        opt.putIfAbsent("--purchases", "0");
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        String url = opt.get("--url") + "/v1/events";
        String key = opt.get("--key");
        int events = Integer.parseInt(opt.get("--events"));
        int batch = Integer.parseInt(opt.get("--batch"));
        int clients = Integer.parseInt(opt.get("--clients"));
        int contacts = Integer.parseInt(opt.get("--contacts"));
        boolean distinct = Boolean.parseBoolean(opt.get("--distinct"));
        int purchases = Integer.parseInt(opt.get("--purchases"));
        String run = Long.toString(System.currentTimeMillis(), 36);
        Random random = new Random(Long.parseLong(opt.get("--seed")));

        // Prepare every request body up front so the clients measure the server, not JSON building.
        List<String> bodies = new ArrayList<>();
        Instant base = Instant.now().minus(Duration.ofDays(60));
        int made = 0;
        while (made < events) {
            int n = Math.min(batch, events - made);
            StringBuilder sb = new StringBuilder(n * 200).append('[');
            for (int i = 0; i < n; i++) {
                int seq = made + i;
                if (i > 0) sb.append(',');
                appendEvent(sb, run + "-" + seq, "c-" + (distinct ? seq : random.nextInt(contacts)), base.plusSeconds(random.nextInt(60 * 86400)), random, purchases);
            }
            bodies.add(sb.append(']').toString());
            made += n;
        }

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        AtomicInteger next = new AtomicInteger();
        AtomicLong accepted = new AtomicLong();
        AtomicInteger failures = new AtomicInteger();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long started = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < bodies.size()) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                                .header("Authorization", "Bearer " + key)
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(60))
                                .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i))).build(),
                                HttpResponse.BodyHandlers.ofString());
                        latencies.add(System.nanoTime() - t0);
                        Matcher m = ACCEPTED.matcher(r.body());
                        if (r.statusCode() == 202 && m.find()) accepted.addAndGet(Long.parseLong(m.group(1)));
                        else {
                            failures.incrementAndGet();
                            System.err.println("HTTP " + r.statusCode() + ": " + r.body());
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        System.err.println(e);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) f.get();
        double seconds = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("events=%d batch=%d clients=%d contacts=%d%n", events, batch, clients, contacts);
        System.out.printf("accepted=%d failedRequests=%d seconds=%.2f rate=%.0f events/s%n",
                accepted.get(), failures.get(), seconds, accepted.get() / seconds);
        if (!sorted.isEmpty()) {
            System.out.printf("request latency ms: p50=%.1f p99=%.1f max=%.1f%n",
                    pct(sorted, 0.50), pct(sorted, 0.99), sorted.get(sorted.size() - 1) / 1e6);
        }
        System.exit(accepted.get() == events && failures.get() == 0 ? 0 : 1);
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }

    private static void appendEvent(StringBuilder sb, String id, String contact, Instant at, Random r, int purchases) {
        sb.append("{\"id\":\"").append(id).append("\",\"contactId\":\"").append(contact)
                .append("\",\"occurredAt\":\"").append(at).append("\",");
        if (purchases > 0 && r.nextInt(100) < purchases) { // only with --purchases: the default mix draws as before
            sb.append("\"type\":\"purchase.made\",\"properties\":{\"amount\":").append(5 + r.nextInt(195)).append('.')
                    .append(10 + r.nextInt(90)).append(",\"store\":\"").append(r.nextBoolean() ? "north" : "south").append("\"}}");
            return;
        }
        int kind = r.nextInt(100);
        if (kind < 10) {
            sb.append("\"type\":\"contact.created\",\"properties\":{\"attributes\":{\"email\":\"")
                    .append(contact).append("@example.com\",\"city\":\"").append(r.nextBoolean() ? "Lyon" : "Paris")
                    .append("\",\"visits\":").append(r.nextInt(50)).append("}}}");
        } else if (kind < 35) {
            sb.append("\"type\":\"review.left\",\"properties\":{\"rating\":").append(1 + r.nextInt(5))
                    .append(",\"site\":\"").append(r.nextBoolean() ? "google" : "facebook").append("\"}}");
        } else if (kind < 50) {
            sb.append("\"type\":\"survey.answered\",\"properties\":{\"survey\":\"referral\",\"answer\":\"")
                    .append(r.nextBoolean() ? "YES" : "NO").append("\"}}");
        } else if (kind < 75) {
            sb.append("\"type\":\"message.opened\",\"properties\":{\"channel\":\"email\"}}");
        } else if (kind < 85) {
            sb.append("\"type\":\"contact.tagged\",\"properties\":{\"tag\":\"t").append(r.nextInt(20)).append("\"}}");
        } else if (kind < 92) {
            sb.append("\"type\":\"audience.joined\",\"properties\":{\"audience\":\"a").append(r.nextInt(10)).append("\"}}");
        } else if (kind < 95) {
            sb.append("\"type\":\"contact.unsubscribed\",\"properties\":{\"channel\":\"").append(r.nextBoolean() ? "sms" : "email").append("\"}}");
        } else {
            sb.append("\"type\":\"referral.sent\",\"properties\":{\"to\":\"friend\"}}");
        }
    }
}
