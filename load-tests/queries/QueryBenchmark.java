import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Query latency measured at the HTTP client against a running segstream: N sequential
 * GET /v1/segments/{id}/count, N POST /v1/query with three operands, then one full NDJSON export of
 * another segment's members (ids/s).
 *
 *   java load-tests/queries/QueryBenchmark.java <url> <key> <segment> <export-segment> <query-json> <n>
 */
public class QueryBenchmark {

    public static void main(String[] args) throws Exception {
        String url = args[0], key = args[1], segment = args[2], exportSegment = args[3], query = args[4];
        int n = Integer.parseInt(args[5]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest count = HttpRequest.newBuilder(URI.create(url + "/v1/segments/" + segment + "/count"))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(10)).build();
        HttpRequest q = HttpRequest.newBuilder(URI.create(url + "/v1/query?limit=1"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(query)).build();
        for (int i = 0; i < 2000; i++) { // warm-up (JIT)
            http.send(count, HttpResponse.BodyHandlers.ofString());
            http.send(q, HttpResponse.BodyHandlers.ofString());
        }
        report("count", time(http, count, n), http.send(count, HttpResponse.BodyHandlers.ofString()).body());
        report("3-operand query", time(http, q, n), http.send(q, HttpResponse.BodyHandlers.ofString()).body());
        long t0 = System.nanoTime();
        long lines = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/segments/" + exportSegment + "/members"))
                        .header("Authorization", "Bearer " + key).header("Accept", "application/x-ndjson").build(),
                HttpResponse.BodyHandlers.ofLines()).body().filter(l -> l.contains("contactId")).count();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("export: %d ids in %.2f s = %.0f ids/s%n", lines, s, lines / s);
    }

    static List<Long> time(HttpClient http, HttpRequest r, int n) throws Exception {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
            out.add(System.nanoTime() - t0);
            if (resp.statusCode() != 200) throw new IllegalStateException(resp.statusCode() + " " + resp.body());
        }
        Collections.sort(out);
        return out;
    }

    static void report(String what, List<Long> sorted, String sample) {
        System.out.printf("%s: n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms  (%s)%n", what, sorted.size(),
                sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6, sample.length() > 120 ? sample.substring(0, 120) : sample);
    }
}
