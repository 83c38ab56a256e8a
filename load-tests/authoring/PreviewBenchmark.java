import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Preview latency measured at the HTTP client against a running segstream: for each request body,
 * W warm-up then N sequential POST /v1/segments/preview on one keep-alive connection (JDK HttpClient,
 * HTTP/1.1). Prints p50/p90/p99/max and what the previews answered: exact or sampled, and the count
 * and 95% interval (for sampled answers the median, smallest and largest count and the median
 * interval over the N answers, since each preview draws its own sample).
 *
 *   java load-tests/authoring/PreviewBenchmark.java <url> <key> <n> <warmup> <label> <body> [<label> <body> ...]
 */
public class PreviewBenchmark {

    private static final Pattern COUNT = Pattern.compile("\"count\":(\\d+)");
    private static final Pattern LOW = Pattern.compile("\"low\":(\\d+)");
    private static final Pattern HIGH = Pattern.compile("\"high\":(\\d+)");
    private static final Pattern EXACT = Pattern.compile("\"exact\":(true|false)");

    public static void main(String[] args) throws Exception {
        String url = args[0], key = args[1];
        int n = Integer.parseInt(args[2]), warmup = Integer.parseInt(args[3]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        for (int a = 4; a + 1 < args.length; a += 2) {
            String label = args[a];
            HttpRequest preview = HttpRequest.newBuilder(URI.create(url + "/v1/segments/preview"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(args[a + 1])).build();
            for (int i = 0; i < warmup; i++) send(http, preview);
            List<Long> times = new ArrayList<>();
            List<Long> counts = new ArrayList<>(), lows = new ArrayList<>(), highs = new ArrayList<>();
            int exact = 0;
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                String body = send(http, preview);
                times.add(System.nanoTime() - t0);
                counts.add(number(COUNT, body));
                lows.add(number(LOW, body));
                highs.add(number(HIGH, body));
                Matcher e = EXACT.matcher(body);
                if (e.find() && e.group(1).equals("true")) exact++;
            }
            Collections.sort(times);
            Collections.sort(counts);
            Collections.sort(lows);
            Collections.sort(highs);
            System.out.printf("%s: n=%d p50=%.1f ms p90=%.1f ms p99=%.1f ms max=%.1f ms; exact %d/%d; count median %d (min %d, max %d); "
                            + "interval median [%d, %d]%n", label, n, q(times, 0.5), q(times, 0.9), q(times, 0.99),
                    times.get(n - 1) / 1e6, exact, n, counts.get(n / 2), counts.get(0), counts.get(n - 1), lows.get(n / 2), highs.get(n / 2));
        }
    }

    static String send(HttpClient http, HttpRequest r) throws Exception {
        HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) throw new IllegalStateException(resp.statusCode() + " " + resp.body());
        return resp.body();
    }

    static long number(Pattern p, String body) {
        Matcher m = p.matcher(body);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static double q(List<Long> sorted, double quantile) {
        return sorted.get((int) Math.ceil(quantile * sorted.size()) - 1) / 1e6;
    }
}
