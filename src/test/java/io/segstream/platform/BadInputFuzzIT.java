package io.segstream.platform;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.BrowserSecurityTest;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Seeded random and hostile requests over every {@code /v1} route with every method, with a valid
 * credential: truncated and garbled JSON, deep nesting, huge numbers, NUL and lone surrogates, a wrong
 * type at every field, NDJSON with bad lines, wrong content types and accept headers, huge and
 * duplicated headers, odd paths ({@code ..}, percent-encoding, very long ids) and query parameters.
 * Whatever comes in, the answer is never a 5xx, and every 4xx is {@code application/problem+json} whose
 * {@code type}, {@code title} and {@code status} are set ({@code status} equal to the HTTP status);
 * every error of a validation problem has a pointer.
 *
 * <p>Each case is generated from {@code seed} and its index alone, so a failing case is replayed with
 * {@code -Dfuzz.seed=<seed> -Dfuzz.only=<index>} (the failure message prints both). {@code -Dfuzz.cases}
 * sets how many cases run (default 10,000). The build runs one fixed seed, so that a build's verdict
 * does not depend on chance; {@code -Dfuzz.seed=random} explores new cases (with more of them, say
 * {@code -Dfuzz.cases=100000}). The application runs with CORS origins configured, so the CORS filter is
 * fuzzed too.
 */
@BrowserSecurityTest
class BadInputFuzzIT {

    private static final String AT = "2026-10-30T10:00:00Z";

    /** The seed of the build's run. */
    private static final long FIXED_SEED = 7_340_225_119_064_913_211L;

    @Autowired
    WebTestClient client;

    @Autowired
    JsonMapper json;

    @LocalServerPort
    int port;

    Api api;
    Api.TestTenant tenant;
    String keyId;
    String otherTenant;
    String session;
    String xsrf;
    String streamToken;

    @BeforeEach
    void setUp() {
        api = new Api(client);
        tenant = api.newTenant();
        otherTenant = api.newTenant().id();
        Map<?, ?> key = client.post().uri("/v1/admin/tenants/{t}/keys", tenant.id())
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + Api.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("scopes", List.of("read")))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        keyId = (String) key.get("id");
        var signIn = client.post().uri("/v1/sessions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("key", tenant.key())).exchange().expectStatus().isCreated().expectBody(Map.class).returnResult();
        session = signIn.getResponseCookies().getFirst("segstream_session").getValue();
        xsrf = signIn.getResponseCookies().getFirst("XSRF-TOKEN").getValue();
        streamToken = (String) client.post().uri("/v1/stream-tokens").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange().expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody().get("token");
        api.createSegment(tenant.key(), "{\"id\":\"s1\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.createSegment(tenant.key(), "{\"id\":\"s2\",\"name\":\"Reviewers\",\"ruleText\":\"review.left(rating >= 4)\"}")
                .expectStatus().isCreated();
        api.postEvents(tenant.key(), "[" + event("e1", "c1", "contact.tagged", AT, "{\"tag\":\"vip\"}") + ","
                + event("e2", "c2", "review.left", AT, "{\"rating\":5}") + "]").expectStatus().isAccepted();
        api.awaitLive(tenant.key(), "s1");
        api.awaitLive(tenant.key(), "s2");
    }

    /** The shared client with its filters, but over kept-alive connections (the cases run in a minute). */
    WebTestClient fuzzClient;

    @Test
    void noBadInputIsAnsweredWithA5xxAndEvery4xxIsAProblem() throws Exception {
        fuzzClient = client.mutate()
                .clientConnector(new org.springframework.http.client.reactive.ReactorClientHttpConnector(
                        reactor.netty.http.client.HttpClient.create()))
                .build();
        String seedProperty = System.getProperty("fuzz.seed", Long.toString(FIXED_SEED));
        long seed = seedProperty.equals("random") ? new Random().nextLong() : Long.parseLong(seedProperty);
        int cases = Integer.getInteger("fuzz.cases", 10_000);
        Integer only = Integer.getInteger("fuzz.only");
        System.out.println("BadInputFuzzIT seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger done = new AtomicInteger();
        ConcurrentLinkedQueue<String> slow = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        long start = System.nanoTime();
        try {
            int from = only == null ? 0 : only;
            int to = only == null ? cases : only + 1;
            for (int i = from; i < to; i++) {
                int index = i;
                pool.execute(() -> {
                    if (failures.size() >= 20) return;
                    Case c = new Generator(new Random(seed * 31 + index), this).next();
                    String failure;
                    long t0 = System.nanoTime();
                    try {
                        failure = run(c);
                    } catch (Throwable e) {
                        failure = "the client failed: " + e;
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (ms > 1_000) slow.add(ms + " ms: case " + index + " " + c);
                    if (failure != null) {
                        failures.add("case " + index + " (-Dfuzz.seed=" + seed + " -Dfuzz.only=" + index + "): " + failure
                                + "\n    " + c);
                    }
                    done.incrementAndGet();
                });
            }
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
        }
        System.out.printf("BadInputFuzzIT: %d cases in %d ms%n", done.get(), (System.nanoTime() - start) / 1_000_000);
        slow.forEach(System.out::println);
        assertThat(failures).as("seed %d: failing cases", seed).isEmpty();
        // The tenant still works after all of it.
        api.get(tenant.key(), "/v1/contacts/c1").expectStatus().isOk();
    }

    /** Requests the fuzz once answered with a 5xx, each with the problem it must get instead. */
    @Test
    void casesTheFuzzFoundAreValidationProblemsWithAPointer() {
        // A JSON number beyond a long made Jackson's asLong() throw: 500.
        for (String sample : List.of("123456789012345678901234567890", "-9223372036854775809", "1e400", "2147483648")) {
            client.post().uri("/v1/segments/preview").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"ruleText\":\"has tag vip\",\"sample\":" + sample + "}")
                    .exchange()
                    .expectStatus().isBadRequest()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/sample");
        }
    }

    /**
     * A {@code segment} parameter without a value beside others reached a TreeSet as null: 500. (A lone
     * {@code ?segment} or {@code ?segment=} names none: every segment, as Spring binds it to no list.)
     */
    @Test
    void aSegmentParameterWithoutAValueIsAValidationProblem() {
        for (String uri : List.of("/v1/changes?segment=s1&segment&segment=s2", "/v1/changes?segment=s1&segment=")) {
            client.get().uri(URI.create("http://127.0.0.1:" + port + uri)).header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                    .accept(MediaType.TEXT_EVENT_STREAM)
                    .exchange()
                    .expectStatus().isBadRequest()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/query/segment");
        }
    }

    /** A HEAD of a change stream used to never answer (Spring read the endless body to drop it). */
    @Test
    void aHeadOfAChangeStreamAnswersAtOnceWithTheStreamsHeaders() {
        for (String uri : List.of("/v1/changes", "/v1/changes?segment=s1", "/v1/segments/s1/changes")) {
            client.head().uri(uri).header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                    .accept(MediaType.TEXT_EVENT_STREAM)
                    .exchange()
                    .expectStatus().isOk()
                    .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                    .expectHeader().valueEquals("Cache-Control", "no-cache");
        }
        client.head().uri("/v1/segments/nope/changes").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .exchange().expectStatus().isNotFound();
    }

    /** Sends one case; null when the answer keeps the rules, else what is wrong. */
    private String run(Case c) {
        WebTestClient.RequestBodySpec spec = fuzzClient.method(c.method)
                .uri(URI.create("http://127.0.0.1:" + port + c.pathAndQuery));
        c.headers.forEach(h -> spec.header(h[0], h[1]));
        WebTestClient.RequestHeadersSpec<?> request = c.body == null ? spec : spec.bodyValue(c.body);
        FluxExchangeResult<byte[]> result = request.exchange().returnResult(byte[].class);
        int status = result.getStatus().value();
        MediaType type = result.getResponseHeaders().getContentType();
        if (type != null && type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM)) {
            // A stream: its first frame, then it is cancelled (which closes the connection).
            result.getResponseBody().take(1).blockLast(Duration.ofSeconds(10));
            return status == 200 ? null : "a stream answered " + status;
        }
        byte[] body = joined(result);
        if (status >= 500) return "answered " + status + ": " + new String(body, StandardCharsets.UTF_8);
        if (status < 400) return null;
        if (type == null || !type.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)) {
            return "answered " + status + " as " + type + ": " + new String(body, StandardCharsets.UTF_8);
        }
        if (c.method == HttpMethod.HEAD) return null; // no body to a HEAD
        JsonNode problem;
        try {
            problem = json.readTree(body);
        } catch (RuntimeException e) {
            return "answered " + status + " with a body that is not JSON: " + new String(body, StandardCharsets.UTF_8);
        }
        if (!problem.path("type").isString() || problem.path("type").stringValue().isEmpty()
                || !problem.path("title").isString() || problem.path("title").stringValue().isEmpty()
                || problem.path("status").asInt(-1) != status) {
            return "answered " + status + " with an incomplete problem: " + problem;
        }
        if (Problems.VALIDATION.equals(problem.path("type").stringValue())) {
            JsonNode errors = problem.path("errors");
            if (!errors.isArray() || errors.isEmpty()) return "a validation problem without errors: " + problem;
            for (JsonNode e : errors) {
                if (!e.path("pointer").isString()) return "a validation error without a pointer: " + problem;
            }
        }
        return null;
    }

    private static byte[] joined(FluxExchangeResult<byte[]> result) {
        List<byte[]> parts = result.getResponseBody().collectList().block(Duration.ofSeconds(30));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (parts != null) parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** One request. */
    record Case(HttpMethod method, String pathAndQuery, List<String[]> headers, byte[] body) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(method + " " + abbreviate(pathAndQuery));
            headers.forEach(h -> sb.append(" | ").append(h[0]).append(": ").append(abbreviate(h[1])));
            if (body != null) sb.append(" | body ").append(body.length).append(" bytes: ")
                    .append(abbreviate(new String(body, StandardCharsets.UTF_8)));
            return sb.toString();
        }

        private static String abbreviate(String s) {
            return s.length() <= 300 ? s : s.substring(0, 300) + "...(" + s.length() + " chars)";
        }
    }

    /** A route of the API: method and path, with {@code {s}} a segment, {@code {c}} a contact, ... */
    private record Route(HttpMethod method, String path) {}

    private static final List<Route> ROUTES = List.of(
            new Route(HttpMethod.POST, "/v1/events"),
            new Route(HttpMethod.GET, "/v1/contacts/{c}"),
            new Route(HttpMethod.POST, "/v1/segments"),
            new Route(HttpMethod.GET, "/v1/segments"),
            new Route(HttpMethod.GET, "/v1/segments/{s}"),
            new Route(HttpMethod.PUT, "/v1/segments/{s}"),
            new Route(HttpMethod.DELETE, "/v1/segments/{s}"),
            new Route(HttpMethod.POST, "/v1/segments/preview"),
            new Route(HttpMethod.GET, "/v1/segments/{s}/count"),
            new Route(HttpMethod.GET, "/v1/segments/{s}/members"),
            new Route(HttpMethod.GET, "/v1/segments/{s}/history"),
            new Route(HttpMethod.GET, "/v1/segments/{s}/explain/{c}"),
            new Route(HttpMethod.GET, "/v1/segments/{s}/changes"),
            new Route(HttpMethod.GET, "/v1/changes"),
            new Route(HttpMethod.POST, "/v1/query"),
            new Route(HttpMethod.POST, "/v1/stream-tokens"),
            new Route(HttpMethod.POST, "/v1/sessions"),
            new Route(HttpMethod.DELETE, "/v1/sessions/current"),
            new Route(HttpMethod.POST, "/v1/admin/tenants"),
            new Route(HttpMethod.GET, "/v1/admin/tenants/{t}"),
            new Route(HttpMethod.POST, "/v1/admin/tenants/{t}/keys"),
            new Route(HttpMethod.DELETE, "/v1/admin/tenants/{t}/keys/{k}"));

    private static final HttpMethod[] METHODS = {HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE,
        HttpMethod.PATCH, HttpMethod.HEAD, HttpMethod.OPTIONS};

    /** Builds the cases: every choice is drawn from one seeded {@link Random}. */
    static final class Generator {

        private static final String[] HOSTILE_STRINGS = {"", " ", "a", "\\u0000", "a\\u0000b", "\\ud800", "x\\udc00",
            "\\udbff\\udfff", "\\uDFFF\\uD800", "\\u2028", "\\u0001\\u001f", "\\\\", "\\\"", "\\/", "é", "\uD83D\uDE00",
            "2026-11-28T10:00:00Z", "2026-13-45T99:99:99Z", "9999999999-01-01", "30d", "-1d", "0s", "99999999999w", "1e400",
            "NaN", "null", "true", "../../etc/passwd", "%00", "%2F", "<script>", "' OR 1=1 --", "${jndi:x}", "{{7*7}}",
            "seg:s1", "tag:vip", "s1", "c1", "vip", "email", "sms", "all", "UTC", "Mars/Olympus", "Europe/Paris",
            "ingest", "read", "manage", "root", "review.left", "contact.tagged", "contact.deleted", "contact.updated"};

        private static final String[] NUMBERS = {"0", "-0", "1", "-1", "5", "20", "2147483648", "-2147483649",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
            "1e400", "-1e400", "1e-400", "1.5", "0.1e1", "1E+2", "4.9e-324", "1.7976931348623157e308",
            "100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"};

        private static final String[] ACCEPTS = {"application/json", "application/problem+json", "text/event-stream",
            "application/x-ndjson", "*/*", "text/html", "text/plain", "application/xml", "image/png", "application/*",
            "application/json;q=0", "application/json;q=abc", "text/event-stream, application/json;q=0.5", "a/b/c", ";;;",
            "application/json, application/x-ndjson", ""};

        private static final String[] CONTENT_TYPES = {"application/json", "application/json;charset=UTF-8",
            "application/x-ndjson", "text/plain", "application/xml", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz", "application/json;charset=ISO-8859-1", "application/json;charset=UTF-16",
            "application/problem+json", "application/octet-stream", "text/event-stream",
            "application/merge-patch+json", "a/b", "application/json;;", "*/*"};

        private static final String[] EVENT_TYPES = {"contact.created", "contact.updated", "contact.tagged",
            "contact.untagged", "audience.joined", "audience.left", "contact.unsubscribed", "contact.resubscribed",
            "contact.deleted", "review.left", "survey.answered", "purchase.made"};

        private static final String[] OPS = {"eq", "neq", "in", "notIn", "contains", "startsWith", "endsWith", "gt", "gte",
            "lt", "lte", "between", "exists", "missing", "withinLast", "olderThan", "inCurrent", "inPrevious", "before",
            "after", "nope", ""};

        private final Random r;
        private final BadInputFuzzIT test;

        Generator(Random r, BadInputFuzzIT test) {
            this.r = r;
            this.test = test;
        }

        private static final int MAX_PATH = 3_500;

        Case next() {
            Route route = ROUTES.get(r.nextInt(ROUTES.size()));
            HttpMethod method = r.nextInt(10) < 7 ? route.method() : METHODS[r.nextInt(METHODS.length)];
            String path = r.nextInt(25) == 0 ? randomPath() : path(route.path());
            // Several long segments can make a request line over Netty's 4,096 characters: refused below the
            // application and the connection closed, which races a kept-alive client still sending its body
            // (a transport-level failure, not an answer; BadInputIT sends such lines over a raw socket).
            if (path.length() > MAX_PATH) path = path.substring(0, MAX_PATH);
            String query = r.nextInt(3) == 0 ? query(route.path()) : "";
            boolean admin = path.startsWith("/v1/admin");
            List<String[]> headers = new ArrayList<>();
            String key = admin ? Api.ADMIN_KEY : test.tenant.key();
            // Mostly the bearer key; sometimes the session cookie (with or without the CSRF token) or,
            // on a change stream, the stream token.
            int credential = admin ? 0 : r.nextInt(10);
            if (credential == 1) {
                headers.add(new String[] {HttpHeaders.COOKIE, "segstream_session=" + test.session + "; XSRF-TOKEN=" + test.xsrf});
                if (r.nextBoolean()) headers.add(new String[] {"X-XSRF-TOKEN", r.nextBoolean() ? test.xsrf : randomToken(8)});
            } else if (credential == 2 && path.endsWith("/changes")) {
                query = query + (query.isEmpty() ? "?" : "&") + "access_token=" + test.streamToken;
            } else switch (r.nextInt(40)) {
                case 0 -> {
                    headers.add(new String[] {HttpHeaders.AUTHORIZATION, "Bearer " + key});
                    headers.add(new String[] {HttpHeaders.AUTHORIZATION, "Bearer " + pick(HOSTILE_STRINGS)});
                }
                case 1 -> headers.add(new String[] {HttpHeaders.AUTHORIZATION, "bearer   " + key + "  "});
                case 2 -> headers.add(new String[] {HttpHeaders.AUTHORIZATION, "Bearer " + key + "x"});
                default -> headers.add(new String[] {HttpHeaders.AUTHORIZATION, "Bearer " + key});
            }
            if (r.nextBoolean()) headers.add(new String[] {HttpHeaders.ACCEPT, pick(ACCEPTS)});
            if (r.nextInt(4) == 0) headers.addAll(randomHeaders());
            byte[] body = null;
            boolean sendsBody = method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH
                    ? r.nextInt(20) != 0 : r.nextInt(15) == 0;
            if (sendsBody) {
                boolean ndjson = route.path().equals("/v1/events") && r.nextInt(3) == 0;
                body = ndjson ? ndjson() : body(route.path());
                String type = r.nextInt(6) == 0 ? pick(CONTENT_TYPES)
                        : ndjson ? MediaType.APPLICATION_NDJSON_VALUE : MediaType.APPLICATION_JSON_VALUE;
                headers.add(new String[] {HttpHeaders.CONTENT_TYPE, type});
            } else if (r.nextInt(20) == 0) {
                headers.add(new String[] {HttpHeaders.CONTENT_TYPE, pick(CONTENT_TYPES)});
            }
            return new Case(method, path + query, headers, body);
        }

        private String path(String template) {
            String out = template
                    .replace("{s}", r.nextInt(3) == 0 ? pick(new String[] {"s1", "s2"}) : hostileId())
                    .replace("{c}", r.nextInt(3) == 0 ? pick(new String[] {"c1", "c2"}) : hostileId())
                    .replace("{t}", r.nextInt(3) == 0 ? pick(new String[] {test.tenant.id(), test.otherTenant}) : hostileId())
                    .replace("{k}", r.nextInt(3) == 0 ? test.keyId : hostileId());
            return switch (r.nextInt(20)) {
                case 0 -> out + "/";
                case 1 -> out.replace("/v1/", "/v1//");
                case 2 -> out + "/" + hostileId();
                case 3 -> out + ";x=1";
                case 4 -> out.replace("/v1/", "/v1/./");
                case 5 -> out.replace("/v1/", "/v1/x/../");
                case 6 -> out.toUpperCase();
                default -> out;
            };
        }

        private String randomPath() {
            StringBuilder sb = new StringBuilder("/v1");
            int n = r.nextInt(6);
            for (int i = 0; i < n; i++) sb.append('/').append(hostileId());
            return sb.toString();
        }

        /** A path segment, already percent-encoded where it has to be. */
        private String hostileId() {
            return switch (r.nextInt(16)) {
                case 0 -> "%00";
                case 1 -> "a%2Fb";
                case 2 -> "..";
                case 3 -> "%2e%2e";
                case 4 -> "x".repeat(200 + r.nextInt(3_700));
                case 5 -> "%C3%A9%F0%9F%98%80";
                case 6 -> "%ED%A0%80";
                case 7 -> "%FF%FE";
                case 8 -> "%20";
                case 9 -> "a%20b%09c";
                case 10 -> "%25";
                case 11 -> "%3Cscript%3E";
                case 12 -> "seg%3As1";
                case 13 -> "%E2%80%A8";
                case 14 -> "s1%00";
                default -> randomToken(1 + r.nextInt(64));
            };
        }

        private String randomToken(int n) {
            String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_.~ABCXYZ";
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            return sb.toString();
        }

        private String query(String template) {
            List<String> names = new ArrayList<>(List.of("limit", "cursor", "after", "counts", "segment", "from", "to",
                    "step", "access_token", "sample", "x"));
            StringBuilder sb = new StringBuilder();
            int n = 1 + r.nextInt(4);
            for (int i = 0; i < n; i++) {
                sb.append(i == 0 ? '?' : '&');
                String name = r.nextInt(10) == 0 ? hostileId() : names.get(r.nextInt(names.size()));
                sb.append(name);
                if (r.nextInt(10) == 0) continue; // a name without a value
                sb.append('=').append(queryValue(name));
            }
            return sb.toString();
        }

        private String queryValue(String name) {
            return switch (r.nextInt(6)) {
                case 0 -> hostileId();
                case 1 -> pick(NUMBERS);
                case 2 -> switch (name) {
                    case "from", "to" -> pick(new String[] {"2026-10-01T00:00:00Z", "2026-10-31T00:00:00Z", "2026-10-30",
                        "0000-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z", "2026-10-30T10:00:00%2B01:00"});
                    case "step" -> pick(new String[] {"1h", "1s", "0s", "1d", "99999999999d", "-1h", "P1D", "1%20h"});
                    case "segment" -> pick(new String[] {"s1", "s2", "nope"});
                    case "counts" -> pick(new String[] {"true", "false", "yes", ""});
                    case "cursor" -> "djE6MDAwMDAwMDAwMDAwMDAwMDAwMDA6MA"; // well formed, names no snapshot
                    default -> pick(NUMBERS);
                };
                default -> randomToken(r.nextInt(12));
            };
        }

        private List<String[]> randomHeaders() {
            List<String[]> out = new ArrayList<>();
            switch (r.nextInt(9)) {
                // Up to 7 KB: headers over Netty's 8 KB limit are refused below the application and the
                // connection closed, which races a kept-alive client (a transport-level failure, not an
                // answer); BadInputIT sends those over a raw socket.
                case 0 -> out.add(new String[] {"X-Big", "b".repeat(100 + r.nextInt(6_900))});
                case 1 -> {
                    for (int i = 0; i < 1 + r.nextInt(50); i++) out.add(new String[] {"X-Dup", randomToken(r.nextInt(40))});
                }
                case 2 -> out.add(new String[] {"Last-Event-ID", pick(new String[] {"0", "-1", "1e3", "abc", "",
                    "99999999999999999999", "5 ", "3"})});
                case 3 -> out.add(new String[] {HttpHeaders.COOKIE, "segstream_session=" + randomToken(r.nextInt(60))
                        + "; XSRF-TOKEN=" + randomToken(8)});
                case 4 -> out.add(new String[] {HttpHeaders.ORIGIN, pick(new String[] {"https://dashboards.example",
                    "https://evil.example", "null", "http://127.0.0.1", "file://", "x"})});
                case 5 -> {
                    out.add(new String[] {HttpHeaders.ORIGIN, pick(new String[] {"https://dashboards.example", "https://evil.example"})});
                    out.add(new String[] {HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, pick(new String[] {"GET", "POST", "PATCH", "X"})});
                }
                case 6 -> out.add(new String[] {"X-XSRF-TOKEN", randomToken(20)});
                case 7 -> out.add(new String[] {HttpHeaders.ACCEPT_CHARSET, pick(new String[] {"utf-16", "nope", "*"})});
                default -> out.add(new String[] {HttpHeaders.IF_NONE_MATCH, "\"" + randomToken(10) + "\""});
            }
            return out;
        }

        // ---- bodies

        private byte[] body(String route) {
            String text = switch (r.nextInt(10)) {
                case 0 -> value(4);
                case 1 -> deep();
                default -> shaped(route);
            };
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            return switch (r.nextInt(8)) {
                case 0 -> truncate(bytes);
                case 1 -> garble(bytes);
                default -> bytes;
            };
        }

        private byte[] ndjson() {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(8);
            for (int i = 0; i < n; i++) {
                sb.append(switch (r.nextInt(5)) {
                    case 0 -> value(2);
                    case 1 -> "";
                    case 2 -> "{\"id\":\"n" + i + "\",\"contactId\":";
                    default -> eventJson();
                });
                sb.append(r.nextInt(4) == 0 ? "\r\n" : "\n");
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            return r.nextInt(6) == 0 ? garble(bytes) : bytes;
        }

        /** A body of the route's shape with random fields replaced, dropped or added. */
        private String shaped(String route) {
            return switch (route) {
                case "/v1/events" -> {
                    StringBuilder sb = new StringBuilder("[");
                    int n = r.nextInt(6);
                    for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ",").append(r.nextInt(6) == 0 ? value(2) : eventJson());
                    yield sb.append(']').toString();
                }
                case "/v1/segments", "/v1/segments/{s}" -> object(new String[][] {
                    {"id", quoted(r.nextBoolean() ? "f-" + randomToken(6).toLowerCase().replaceAll("[^a-z0-9-]", "x") : pick(HOSTILE_STRINGS))},
                    {"name", quoted(pick(HOSTILE_STRINGS))},
                    {r.nextBoolean() ? "rule" : "ruleText", r.nextBoolean() ? rule(3) : quoted(ruleText())}});
                case "/v1/segments/preview" -> object(new String[][] {
                    {r.nextBoolean() ? "rule" : "ruleText", r.nextBoolean() ? rule(3) : quoted(ruleText())},
                    {"sample", pick(NUMBERS)}});
                case "/v1/query" -> object(new String[][] {
                    {"all", refs()}, {"any", refs()}, {"none", refs()}, {"channel", quoted(pick(HOSTILE_STRINGS))},
                    {"cursor", quoted(pick(HOSTILE_STRINGS))}});
                case "/v1/stream-tokens" -> object(new String[][] {
                    {"segments", "[" + quoted(pick(new String[] {"s1", "s2", "nope", ""})) + "]"},
                    {"ttl", quoted(pick(new String[] {"15m", "1h", "2h", "0s", "61m", "3600s", "99999999999s", "1x"}))}});
                case "/v1/sessions" -> object(new String[][] {{"key", quoted(r.nextBoolean() ? test.tenant.key() : pick(HOSTILE_STRINGS))}});
                case "/v1/admin/tenants" -> object(new String[][] {
                    {"id", quoted("f-" + randomToken(8).toLowerCase().replaceAll("[^a-z0-9-]", "x"))},
                    {"name", quoted(pick(HOSTILE_STRINGS))}, {"timeZone", quoted(pick(HOSTILE_STRINGS))}});
                case "/v1/admin/tenants/{t}/keys" -> object(new String[][] {
                    {"scopes", "[" + quoted(pick(HOSTILE_STRINGS)) + "," + quoted("read") + "]"}});
                default -> value(3);
            };
        }

        private String eventJson() {
            return object(new String[][] {
                {"id", quoted(r.nextInt(3) == 0 ? pick(HOSTILE_STRINGS) : "f" + r.nextInt(1_000_000))},
                {"contactId", quoted(r.nextInt(3) == 0 ? pick(HOSTILE_STRINGS) : "fc" + r.nextInt(50))},
                {"type", quoted(pick(EVENT_TYPES))},
                {"occurredAt", quoted(r.nextInt(3) == 0 ? pick(HOSTILE_STRINGS) : "2026-10-" + (10 + r.nextInt(20)) + "T10:00:00Z")},
                {"properties", object(new String[][] {
                    {"tag", quoted(pick(HOSTILE_STRINGS))}, {"audience", quoted(pick(HOSTILE_STRINGS))},
                    {"channel", quoted(pick(new String[] {"email", "sms", "all", "fax"}))},
                    {"attributes", object(new String[][] {{pick(HOSTILE_STRINGS), value(1)}, {"rating", pick(NUMBERS)}})},
                    {"rating", pick(NUMBERS)}, {"amount", pick(NUMBERS)}})}});
        }

        /** An object whose fields are each kept (70%), replaced by a random value, or dropped; sometimes one more. */
        private String object(String[][] fields) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (String[] f : fields) {
                int roll = r.nextInt(10);
                if (roll == 0) continue;
                if (!first) sb.append(',');
                first = false;
                sb.append(quoted(f[0])).append(':').append(roll <= 2 ? value(2) : f[1]);
            }
            if (r.nextInt(10) == 0) sb.append(first ? "" : ",").append(quoted(pick(HOSTILE_STRINGS))).append(':').append(value(1));
            return sb.append('}').toString();
        }

        private String rule(int depth) {
            int kind = depth <= 0 ? 3 + r.nextInt(6) : r.nextInt(10);
            return switch (kind) {
                case 0, 1 -> "{" + quoted(kind == 0 ? "and" : "or") + ":[" + rule(depth - 1) + "," + rule(depth - 1) + "]}";
                case 2 -> "{\"not\":" + rule(depth - 1) + "}";
                case 3 -> object(new String[][] {{"attribute", quoted(pick(new String[] {"createdAt", "email", "rating", "\\u0000"}))},
                    {"op", quoted(pick(OPS))}, {"value", value(1)}});
                case 4 -> object(new String[][] {{"tag", quoted(pick(HOSTILE_STRINGS))}});
                case 5 -> object(new String[][] {{"audience", quoted(pick(HOSTILE_STRINGS))}});
                case 6 -> object(new String[][] {{"subscribed", quoted(pick(new String[] {"email", "sms", "fax"}))}});
                case 7 -> object(new String[][] {{"segment", quoted(pick(new String[] {"s1", "s2", "nope", "\\u0000"}))}});
                default -> object(new String[][] {{"event", quoted(pick(EVENT_TYPES))},
                    {"where", "[" + object(new String[][] {{"property", quoted("rating")}, {"op", quoted(pick(OPS))}, {"value", value(1)}}) + "]"},
                    {"count", object(new String[][] {{"op", quoted(pick(OPS))}, {"value", pick(NUMBERS)}})},
                    {r.nextBoolean() ? "aggregate" : "last", object(new String[][] {{"fn", quoted(pick(new String[] {"sum", "avg", "min", "max", "x"}))},
                        {"property", quoted("rating")}, {"op", quoted(pick(OPS))}, {"value", value(1)}})},
                    {"within", r.nextBoolean() ? quoted(pick(HOSTILE_STRINGS)) : "{\"inCurrent\":" + quoted(pick(new String[] {"month", "eon"})) + "}"}});
            };
        }

        private String ruleText() {
            String[] parts = {"createdAt in current month", "review.left(rating >= 4)", "and", "or", "not", "(", ")",
                "tag vip", "has tag \"vip\"", "rating between 1 and", "\"unterminated", "1e400", "count >= 99999999999999999999",
                "segment s1", "\\u0000", "survey.answered(survey = \"referral\", answer = \"YES\")", "within 90d", ">=", "@#$"};
            StringBuilder sb = new StringBuilder();
            int n = 1 + r.nextInt(6);
            for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : " ").append(pick(parts));
            return sb.toString();
        }

        private String refs() {
            StringBuilder sb = new StringBuilder("[");
            int n = r.nextInt(4);
            for (int i = 0; i < n; i++) {
                sb.append(i == 0 ? "" : ",").append(r.nextInt(5) == 0 ? value(1)
                        : "{" + quoted(pick(new String[] {"segment", "tag", "audience", "other"})) + ":"
                                + quoted(pick(HOSTILE_STRINGS)) + "}");
            }
            return sb.append(']').toString();
        }

        /** Any JSON value; strings carry escapes as JSON text. */
        private String value(int depth) {
            int kind = depth <= 0 ? r.nextInt(4) : r.nextInt(6);
            return switch (kind) {
                case 0 -> pick(new String[] {"null", "true", "false"});
                case 1 -> pick(NUMBERS);
                case 2, 3 -> quoted(pick(HOSTILE_STRINGS));
                case 4 -> {
                    StringBuilder sb = new StringBuilder("[");
                    int n = r.nextInt(4);
                    for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : ",").append(value(depth - 1));
                    yield sb.append(']').toString();
                }
                default -> {
                    StringBuilder sb = new StringBuilder("{");
                    int n = r.nextInt(4);
                    for (int i = 0; i < n; i++) {
                        sb.append(i == 0 ? "" : ",").append(quoted(pick(HOSTILE_STRINGS))).append(':').append(value(depth - 1));
                    }
                    yield sb.append('}').toString();
                }
            };
        }

        /** Deep nesting: arrays, objects or rule trees hundreds to thousands of levels down. */
        private String deep() {
            int n = 50 + r.nextInt(r.nextBoolean() ? 500 : 3_000);
            return switch (r.nextInt(4)) {
                case 0 -> "[".repeat(n) + "]".repeat(n);
                case 1 -> "{\"a\":".repeat(n) + "1" + "}".repeat(n);
                case 2 -> "{\"name\":\"n\",\"rule\":" + "{\"not\":".repeat(n) + "{\"tag\":\"vip\"}" + "}".repeat(n) + "}";
                default -> "[" + "{\"id\":\"d\",\"contactId\":\"c\",\"type\":\"x.y\",\"occurredAt\":\"" + AT
                        + "\",\"properties\":" + "{\"a\":[".repeat(n) + "]}".repeat(n) + "}]";
            };
        }

        private byte[] truncate(byte[] bytes) {
            return bytes.length == 0 ? bytes : java.util.Arrays.copyOf(bytes, r.nextInt(bytes.length));
        }

        /** Random bytes replaced or inserted: NUL, invalid UTF-8, an encoded surrogate, a BOM, quotes. */
        private byte[] garble(byte[] bytes) {
            byte[][] junk = {{0}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, {'"'}, {'\\'}, {','}, {'}'}, {']'}, {'\n'}, {(byte) 0x80}};
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int at = bytes.length == 0 ? 0 : r.nextInt(bytes.length);
            out.write(bytes, 0, at);
            out.writeBytes(junk[r.nextInt(junk.length)]);
            int skip = r.nextBoolean() ? 1 : 0;
            if (at + skip <= bytes.length) out.write(bytes, at + skip, bytes.length - at - skip);
            return out.toByteArray();
        }

        private static String quoted(String jsonEscaped) {
            return "\"" + jsonEscaped + "\"";
        }

        private String pick(String[] options) {
            return options[r.nextInt(options.length)];
        }
    }
}
