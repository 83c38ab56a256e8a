import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Change-feed benchmarks against a running segstream, for a tenant key and a segment whose rule is
 * {"tag": "vip"} (load-tests/changefeed/bench-changefeed.sh sets both up).
 *
 * latency: one SSE subscriber; events sent at a steady rate, each tagging a new contact (one enter
 *          each); latency = from the start of the ingest request carrying the event to the arrival of
 *          its SSE event (matched by cause.eventId). Prints p50/p99/max over the measured seconds; with
 *          --warmup W the first W seconds at the same rate come before them and are not counted.
 * streams: opens N SSE streams, then sends one event and counts the streams that received it.
 *
 *   java load-tests/changefeed/SseBenchmark.java latency --url http://127.0.0.1:8080 --key K --segment vip \
 *        --rate 5000 --seconds 30 --batch 100 --warmup 5
 *   java load-tests/changefeed/SseBenchmark.java streams --url ... --key K --segment vip --streams 10000
 */
public class SseBenchmark {

    private static final Pattern EVENT_ID = Pattern.compile("\"eventId\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Map<String, String> opt = new HashMap<>(Map.of("--url", "http://127.0.0.1:8080", "--segment", "vip",
                "--rate", "5000", "--seconds", "30", "--batch", "100", "--warmup", "0", "--streams", "10000"));
        for (int i = 1; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        if (mode.equals("latency")) latency(opt);
        else streams(opt);
    }

    static void latency(Map<String, String> opt) throws Exception {
        String url = opt.get("--url");
        String key = opt.get("--key");
        int rate = Integer.parseInt(opt.get("--rate"));
        int seconds = Integer.parseInt(opt.get("--seconds"));
        int batch = Integer.parseInt(opt.get("--batch"));
        int warmupSeconds = Integer.parseInt(opt.get("--warmup"));
        String run = Long.toString(System.currentTimeMillis(), 36);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        // per second of sending: events over 50 ms and the worst latency (where the tail sits in time)
        Map<Long, long[]> slowBySecond = new ConcurrentHashMap<>();
        // the first warm-up seconds are sent at the same rate and not counted (the client's own JIT warm-up)
        int warmup = rate * warmupSeconds;
        int total = warmup + rate * seconds;
        AtomicLong origin = new AtomicLong();
        AtomicReference<Instant> originAt = new AtomicReference<>();
        long[] warmupMax = new long[1];
        CountDownLatch all = new CountDownLatch(total);
        HttpRequest sse = HttpRequest.newBuilder(URI.create(url + "/v1/segments/" + opt.get("--segment") + "/changes"))
                .header("Authorization", "Bearer " + key).header("Accept", "text/event-stream").build();
        http.sendAsync(sse, HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> r.body().forEach(line -> {
            if (!line.startsWith("data:")) return;
            Matcher m = EVENT_ID.matcher(line);
            if (!m.find()) return;
            String id = m.group(1);
            Long t0 = sentAt.remove(id);
            if (t0 != null) {
                long latency = System.nanoTime() - t0;
                if (Integer.parseInt(id.substring(id.lastIndexOf('-') + 1)) < warmup) {
                    synchronized (warmupMax) {
                        warmupMax[0] = Math.max(warmupMax[0], latency);
                    }
                    all.countDown();
                    return;
                }
                latencies.add(latency);
                if (latency > 50_000_000L) {
                    long[] slow = slowBySecond.computeIfAbsent(Math.max(0, t0 - origin.get()) / 1_000_000_000L, k -> new long[2]);
                    synchronized (slow) {
                        slow[0]++;
                        slow[1] = Math.max(slow[1], latency);
                    }
                }
                all.countDown();
            }
        }));
        Thread.sleep(1000);
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        long periodMicros = 1_000_000L * batch / rate;
        long started = System.nanoTime();
        pacer.scheduleAtFixedRate(() -> {
            int from = next.getAndAdd(batch);
            if (from >= total) return;
            if (from <= warmup && warmup < from + batch) {
                originAt.set(Instant.now());
                origin.set(System.nanoTime());
            }
            StringBuilder body = new StringBuilder("[");
            List<String> ids = new ArrayList<>();
            for (int i = from; i < Math.min(total, from + batch); i++) {
                String id = run + "-" + i;
                ids.add(id);
                if (i > from) body.append(',');
                body.append("{\"id\":\"").append(id).append("\",\"contactId\":\"sse-").append(run).append('-').append(i)
                        .append("\",\"type\":\"contact.tagged\",\"occurredAt\":\"").append(Instant.now())
                        .append("\",\"properties\":{\"tag\":\"vip\"}}");
            }
            long t0 = System.nanoTime();
            for (String id : ids) sentAt.put(id, t0);
            http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/events"))
                            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body.append(']').toString())).build(),
                    HttpResponse.BodyHandlers.ofString())
                    .thenAccept(r -> {
                        if (r.statusCode() != 202) failures.incrementAndGet();
                    });
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
        boolean complete = all.await(warmupSeconds + seconds + 60L, TimeUnit.SECONDS);
        pacer.shutdownNow();
        double elapsed = (System.nanoTime() - (origin.get() == 0 ? started : origin.get())) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        if (warmup > 0) {
            System.out.printf("warm-up: %d events over %d s at the same rate before the measured window, not counted (max %.1f ms)%n",
                    warmup, warmupSeconds, warmupMax[0] / 1e6);
        }
        System.out.printf("latency: target %d events/s for %d s, batch %d; received %d/%d changes in %.1f s, failed requests %d%n",
                rate, seconds, batch, sorted.size(), total - warmup, elapsed, failures.get());
        System.out.printf("ingest request start -> SSE delivery ms: p50=%.1f p99=%.1f max=%.1f%n",
                pct(sorted, 0.50), pct(sorted, 0.99), sorted.get(sorted.size() - 1) / 1e6);
        StringBuilder slow = new StringBuilder();
        new java.util.TreeMap<>(slowBySecond).forEach((second, s) ->
                slow.append(String.format(" %ds:%d/%.0fms", second, s[0], s[1] / 1e6)));
        System.out.println("seconds with changes over 50 ms (second of the measured window from " + originAt.get().truncatedTo(ChronoUnit.SECONDS)
                + ": count/max):" + (slow.isEmpty() ? " none" : slow));
        System.exit(complete && failures.get() == 0 ? 0 : 1);
    }

    static void streams(Map<String, String> opt) throws Exception {
        String url = opt.get("--url");
        String key = opt.get("--key");
        int n = Integer.parseInt(opt.get("--streams"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30))
                .executor(Executors.newFixedThreadPool(8)).build();
        String marker = "mark-" + Long.toString(System.currentTimeMillis(), 36);
        AtomicInteger connected = new AtomicInteger();
        CountDownLatch received = new CountDownLatch(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            HttpRequest sse = HttpRequest.newBuilder(URI.create(url + "/v1/segments/" + opt.get("--segment") + "/changes"))
                    .header("Authorization", "Bearer " + key).header("Accept", "text/event-stream").build();
            http.sendAsync(sse, HttpResponse.BodyHandlers.fromLineSubscriber(new java.util.concurrent.Flow.Subscriber<String>() {
                boolean seen;

                @Override
                public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                    connected.incrementAndGet(); // the response started: the stream is open
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(String line) {
                    if (!seen && line.contains(marker)) {
                        seen = true;
                        received.countDown();
                    }
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onComplete() {}
            }));
            if (i % 100 == 99) Thread.sleep(250);
        }
        while (connected.get() < n && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(120)) Thread.sleep(100);
        System.out.printf("streams: %d of %d connected in %.1f s%n", connected.get(), n, (System.nanoTime() - t0) / 1e9);
        System.out.println("READY (measure the server now; press Enter to send one change)");
        System.in.read();
        long s0 = System.nanoTime();
        http.send(HttpRequest.newBuilder(URI.create(url + "/v1/events"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[{\"id\":\"" + marker + "\",\"contactId\":\"" + marker
                        + "\",\"type\":\"contact.tagged\",\"occurredAt\":\"" + Instant.now() + "\",\"properties\":{\"tag\":\"vip\"}}]"))
                .build(), HttpResponse.BodyHandlers.ofString());
        received.await(60, TimeUnit.SECONDS);
        System.out.printf("one change reached %d of %d streams in %.0f ms%n", n - received.getCount(), n,
                (System.nanoTime() - s0) / 1e6);
        System.exit(received.getCount() == 0 ? 0 : 1);
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }
}
