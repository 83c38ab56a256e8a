import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * another segment's members (ids/s). Counts and queries are timed twice, with two clients on one
 * keep-alive connection each: the JDK HttpClient (hands every request to its selector thread and
 * back) and a minimal blocking-socket HTTP/1.1 client (writes the request, reads the status, headers
 * and Content-Length body on the calling thread), so that the client's own share of the two shared
 * cores can be told apart from the server's.
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
        report("count (JDK client)", time(http, count, n), http.send(count, HttpResponse.BodyHandlers.ofString()).body());
        report("3-operand query (JDK client)", time(http, q, n), http.send(q, HttpResponse.BodyHandlers.ofString()).body());
        URI base = URI.create(url);
        String host = base.getHost() + ":" + base.getPort();
        byte[] rawCount = ("GET /v1/segments/" + segment + "/count HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + key
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] body = query.getBytes(StandardCharsets.UTF_8);
        byte[] rawQuery = concat(("POST /v1/query?limit=1 HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), body);
        try (RawHttp raw = new RawHttp(base.getHost(), base.getPort())) {
            for (int i = 0; i < 10_000; i++) raw.send(rawCount); // warm-up, also of this client's own code
            for (int i = 0; i < 2_000; i++) raw.send(rawQuery);
            report("count (socket client)", raw.time(rawCount, n), raw.lastBody);
            report("3-operand query (socket client)", raw.time(rawQuery, n), raw.lastBody);
        }
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

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** HTTP/1.1 on one blocking socket: enough for requests whose answers carry a Content-Length. */
    static final class RawHttp implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        String lastBody = "";

        RawHttp(String host, int port) throws IOException {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream(), 65536);
            out = socket.getOutputStream();
        }

        int send(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String status = line();
            int length = -1;
            for (String h = line(); !h.isEmpty(); h = line()) {
                if (h.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(h.substring(15).trim());
            }
            if (length < 0) throw new IOException("no Content-Length after " + status);
            lastBody = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return Integer.parseInt(status.split(" ")[1]);
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) throw new IOException("connection closed");
                if (c != '\r') sb.append((char) c);
            }
            return sb.toString();
        }

        List<Long> time(byte[] request, int n) throws IOException {
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                int status = send(request);
                out.add(System.nanoTime() - t0);
                if (status != 200) throw new IllegalStateException(status + " " + lastBody);
            }
            Collections.sort(out);
            return out;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static void report(String what, List<Long> sorted, String sample) {
        System.out.printf("%s: n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms p99.9=%.2f ms max=%.2f ms  (%s)%n", what, sorted.size(),
                q(sorted, 0.5), q(sorted, 0.9), q(sorted, 0.99), q(sorted, 0.999),
                sorted.get(sorted.size() - 1) / 1e6, sample.length() > 120 ? sample.substring(0, 120) : sample);
    }

    static double q(List<Long> sorted, double quantile) {
        return sorted.get((int) Math.ceil(quantile * sorted.size()) - 1) / 1e6;
    }
}
