package io.segstream.membership;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.segstream.SegstreamApplication;
import io.segstream.platform.EmbeddedPostgresServer;
import io.segstream.support.Api;
import io.segstream.support.Invariants;
import io.segstream.support.RedisClusterProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;

/**
 * Two instances of the service against a real Redis Cluster of three masters (one PostgreSQL):
 * events ingested through the first are counted, listed, queried and streamed through the second as a
 * brute-force oracle computed from the same events says; every key of a tenant lives in one hash slot;
 * a projection that the cluster lost is replayed from the log, or rebuilt from the contacts when the
 * log was pruned, and queries on the other instance recover.
 */
class RedisClusterIT {

    private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> SSE = new ParameterizedTypeReference<>() {};
    private static final Pattern TENANT_KEY = Pattern.compile("^\\{t:([a-z0-9-]+)\\}:.+");
    private static final Map<String, String> SEGMENTS = Map.of(
            "s-a", "{\"or\":[{\"tag\":\"t0\"},{\"audience\":\"a0\"}]}",
            "s-b", "{\"and\":[{\"tag\":\"t1\"},{\"not\":{\"tag\":\"t2\"}}]}",
            "s-c", "{\"event\":\"review.left\",\"where\":[{\"property\":\"rating\",\"op\":\"gte\",\"value\":4}],"
                    + "\"count\":{\"op\":\"gte\",\"value\":2}}");

    static RedisClusterProcess cluster;
    static ConfigurableApplicationContext one;
    static ConfigurableApplicationContext two;
    static Api api1;
    static Api api2;
    static String base2;

    @BeforeAll
    static void start() {
        cluster = RedisClusterProcess.start(3);
        one = new SpringApplicationBuilder(SegstreamApplication.class).profiles("test").run(
                "--server.port=0",
                "--spring.data.redis.cluster.nodes=" + cluster.nodes());
        int pg = one.getBean(EmbeddedPostgresServer.class).port();
        // The second instance's change feed never polls: what it streams, it was woken for through pub/sub.
        two = new SpringApplicationBuilder(SegstreamApplication.class).profiles("test").run(
                "--server.port=0",
                "--spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:" + pg + "/postgres",
                "--spring.r2dbc.username=postgres",
                "--spring.data.redis.cluster.nodes=" + cluster.nodes(),
                "--spring.data.redis.lettuce.cluster.refresh.period=30s",
                "--segstream.changes.poll=1h");
        api1 = Api.at("http://127.0.0.1:" + port(one));
        base2 = "http://127.0.0.1:" + port(two);
        api2 = Api.at(base2);
    }

    @AfterAll
    static void stop() {
        if (two != null) two.close();
        if (one != null) one.close();
        if (cluster != null) cluster.close();
    }

    @Test
    void countsMembersQueriesAndTheChangeFeedOnOneInstanceEqualWhatWasIngestedThroughTheOther() {
        Api.TestTenant tenant = api1.newTenant();
        createSegments(tenant);
        List<Map<String, Object>> streamed = new CopyOnWriteArrayList<>();
        Disposable feed = WebClient.builder().baseUrl(base2).build()
                .get().uri("/v1/changes").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve().bodyToFlux(SSE)
                .filter(e -> "enter".equals(e.event()) || "exit".equals(e.event()))
                .subscribe(e -> streamed.add(e.data()));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> two.getBean(MeterRegistry.class)
                    .get("segstream.sse.streams").gauge().value() >= 1);
            Map<String, Set<String>> facts = ingest(tenant, new Random(7331), 150, "a");
            Map<String, Set<String>> truth = segmentsOf(facts);

            for (String segment : SEGMENTS.keySet()) {
                api2.get(tenant.key(), "/v1/segments/{id}/count", segment).expectStatus().isOk()
                        .expectBody().jsonPath("$.count").isEqualTo(truth.get(segment).size());
                assertThat(members(tenant, segment, 20)).as("members of %s", segment).isEqualTo(truth.get(segment));
            }
            queriesEqualTheOracle(tenant, facts, new Random(4242));

            // The feed replayed in seq order ends where membership is (the subscriber was there before any change).
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(replay(streamed)).isEqualTo(truth));
            List<Long> seqs = streamed.stream().map(d -> ((Number) d.get("seq")).longValue()).toList();
            assertThat(seqs).as("no change twice, none out of order").isSorted().doesNotHaveDuplicates();
        } finally {
            feed.dispose();
        }
        invariants().check(tenant.id());
    }

    @Test
    void theClusterClientKeepsTheFailurePolicyAndTheConfiguredTopologyRefresh() {
        var factory = two.getBean(org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory.class);
        assertThat(factory.getClusterConfiguration()).as("a cluster client").isNotNull();
        var options = (io.lettuce.core.cluster.ClusterClientOptions) factory.getClientConfiguration().getClientOptions().orElseThrow();
        assertThat(options.getDisconnectedBehavior()).isEqualTo(io.lettuce.core.ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        assertThat(options.getTopologyRefreshOptions().getRefreshPeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.getTopologyRefreshOptions().isPeriodicRefreshEnabled()).isTrue();
    }

    @Test
    void everyKeyOfATenantHashesToOneSlotOfOneMaster() {
        Api.TestTenant first = api1.newTenant();
        Api.TestTenant second = api2.newTenant();
        createSegments(first);
        createSegments(second);
        ingest(first, new Random(1), 40, "k");
        ingest(second, new Random(2), 40, "k");
        // A listing leaves a snapshot behind for its cursor: those keys count too.
        api2.client().post().uri("/v1/query?limit=1").header(HttpHeaders.AUTHORIZATION, "Bearer " + first.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"any\":[{\"segment\":\"s-a\"},{\"tag\":\"t1\"}]}")
                .exchange().expectStatus().isOk();
        invariants().check(first.id());
        invariants().check(second.id());

        Map<String, Map<Integer, Set<Long>>> placement = new TreeMap<>(); // tenant -> node port -> slots
        Map<String, Integer> keysPerTenant = new TreeMap<>();
        for (int port : cluster.ports()) {
            for (String key : cluster.call(port, RedisClusterIT::scanAll)) {
                Matcher m = TENANT_KEY.matcher(key);
                assertThat(m.matches()).as("key %s on node %d carries a tenant hash tag", key, port).isTrue();
                long slot = cluster.call(port, c -> c.clusterKeyslot(key));
                placement.computeIfAbsent(m.group(1), t -> new TreeMap<>()).computeIfAbsent(port, p -> new TreeSet<>()).add(slot);
                keysPerTenant.merge(m.group(1), 1, Integer::sum);
            }
        }
        for (Api.TestTenant t : List.of(first, second)) {
            assertThat(keysPerTenant.getOrDefault(t.id(), 0)).as("keys of tenant %s", t.id()).isGreaterThan(8);
            assertThat(placement.get(t.id())).as("nodes holding tenant %s", t.id()).hasSize(1);
            assertThat(placement.get(t.id()).values().iterator().next()).as("slots of tenant %s", t.id()).hasSize(1);
        }
    }

    @Test
    void aProjectionTheClusterLostIsReplayedOrRebuiltAndQueriesOnTheOtherInstanceRecover() {
        Api.TestTenant tenant = api1.newTenant();
        createSegments(tenant);
        Map<String, Set<String>> facts = ingest(tenant, new Random(99), 60, "r");
        Map<String, Set<String>> truth = segmentsOf(facts);
        countsEqual(tenant, truth);

        // Every master loses its data (a cluster restarted without persistence): replayed from the change log.
        double lost = recoveries("lost");
        flushAll();
        awaitCountsEqual(tenant, truth);
        invariants().check(tenant.id());
        assertThat(recoveries("lost")).as("the loss was detected").isGreaterThan(lost);

        // Lost again while the log was pruned past it: rebuilt from the contacts (temporary keys, then one swap script).
        double gaps = recoveries("gap");
        db().sql("""
                        WITH d AS (DELETE FROM changes WHERE tenant_id = :t AND seq <= (SELECT last_seq - 3 FROM change_seq WHERE tenant_id = :t)
                                   RETURNING seq)
                        UPDATE change_seq SET pruned_through = (SELECT max(seq) FROM d) WHERE tenant_id = :t""")
                .bind("t", tenant.id()).then().block(Duration.ofSeconds(10));
        flushAll();
        awaitCountsEqual(tenant, truth);
        invariants().checkAgainstContacts(tenant.id());
        assertThat(recoveries("gap")).as("the pruned log was detected").isGreaterThan(gaps);
        for (String segment : SEGMENTS.keySet()) {
            assertThat(members(tenant, segment, 11)).as("members of %s after the rebuild", segment).isEqualTo(truth.get(segment));
        }

        // Later changes land on top of the rebuilt projection.
        Map<String, Set<String>> more = new TreeMap<>(facts);
        more.putAll(ingest(tenant, new Random(100), 80, "later"));
        awaitCountsEqual(tenant, segmentsOf(more));
        invariants().checkAgainstContacts(tenant.id());

        // Contact numbers far beyond the first ones (the next block is reserved from 300,000 once the first
        // instance used the 2,048 it holds): the apply script grows every bitmap of the tenant, found through
        // its key set; then a rebuild writes them all at that length.
        db().sql("UPDATE contact_number_blocks SET next_no = 300000 WHERE tenant_id = :t").bind("t", tenant.id())
                .then().block(Duration.ofSeconds(10));
        for (int batch = 0; batch < 6; batch++) {
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                String contact = "far" + (batch * 500 + i);
                events.add(event("far-" + contact, contact, "contact.tagged", "2026-01-03T00:00:00Z", "{\"tag\":\"t0\"}"));
                more.put(contact, Set.of("tag:t0"));
            }
            api1.postEvents(tenant.key(), "[" + String.join(",", events) + "]").expectStatus().isAccepted();
        }
        assertThat(db().sql("SELECT max(contact_no) FROM contacts WHERE tenant_id = :t").bind("t", tenant.id())
                .map(row -> row.get(0, Long.class)).one().block(Duration.ofSeconds(10))).isGreaterThanOrEqualTo(300000);
        awaitCountsEqual(tenant, segmentsOf(more));
        invariants().checkAgainstContacts(tenant.id());
        flushAll();
        awaitCountsEqual(tenant, segmentsOf(more));
        invariants().checkAgainstContacts(tenant.id());
    }

    // --- the oracle ---

    /**
     * Posts random tag, audience, consent and review events for {@code contacts} contacts (ids
     * {@code prefix + i}) through the first instance; returns each contact's facts as the events leave
     * them ({@code tag:t}, {@code aud:a}, {@code unsub:ch}, {@code reviews:n} for good reviews). Events
     * of one contact carry increasing instants, so the last one sent wins.
     */
    private static Map<String, Set<String>> ingest(Api.TestTenant tenant, Random random, int contacts, String prefix) {
        Map<String, Set<String>> facts = new TreeMap<>();
        List<String> events = new ArrayList<>();
        String run = Long.toHexString(random.nextLong());
        for (int c = 0; c < contacts; c++) {
            String contact = prefix + c;
            Set<String> f = facts.computeIfAbsent(contact, k -> new HashSet<>());
            int good = 0;
            for (int k = 0; k < 6; k++) {
                String id = run + "-" + c + "-" + k;
                String at = "2026-01-02T00:00:" + (10 + k) + "Z";
                int pick = random.nextInt(9);
                switch (pick) {
                    case 0, 1, 2 -> {
                        events.add(event(id, contact, "contact.tagged", at, "{\"tag\":\"t" + pick + "\"}"));
                        f.add("tag:t" + pick);
                    }
                    case 3 -> {
                        String tag = "t" + random.nextInt(3);
                        events.add(event(id, contact, "contact.untagged", at, "{\"tag\":\"" + tag + "\"}"));
                        f.remove("tag:" + tag);
                    }
                    case 4 -> {
                        events.add(event(id, contact, "audience.joined", at, "{\"audience\":\"a0\"}"));
                        f.add("aud:a0");
                    }
                    case 5 -> {
                        String ch = random.nextBoolean() ? "email" : "sms";
                        events.add(event(id, contact, "contact.unsubscribed", at, "{\"channel\":\"" + ch + "\"}"));
                        f.add("unsub:" + ch);
                    }
                    default -> {
                        int rating = 1 + random.nextInt(5);
                        events.add(event(id, contact, "review.left", at, "{\"rating\":" + rating + "}"));
                        if (rating >= 4) good++;
                    }
                }
            }
            if (good >= 2) f.add("good-reviews");
        }
        for (int i = 0; i < events.size(); i += 200) {
            api1.postEvents(tenant.key(), "[" + String.join(",", events.subList(i, Math.min(events.size(), i + 200))) + "]")
                    .expectStatus().isAccepted();
        }
        return facts;
    }

    /** Segment id -> the contacts the oracle puts in it. */
    private static Map<String, Set<String>> segmentsOf(Map<String, Set<String>> facts) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String s : SEGMENTS.keySet()) out.put(s, new TreeSet<>());
        facts.forEach((contact, f) -> {
            if (f.contains("tag:t0") || f.contains("aud:a0")) out.get("s-a").add(contact);
            if (f.contains("tag:t1") && !f.contains("tag:t2")) out.get("s-b").add(contact);
            if (f.contains("good-reviews")) out.get("s-c").add(contact);
        });
        return out;
    }

    private static void queriesEqualTheOracle(Api.TestTenant tenant, Map<String, Set<String>> facts, Random random) {
        String[] refs = {"{\"segment\":\"s-a\"}", "{\"segment\":\"s-b\"}", "{\"segment\":\"s-c\"}", "{\"tag\":\"t0\"}",
            "{\"tag\":\"t2\"}", "{\"audience\":\"a0\"}"};
        String[] keys = {"seg:s-a", "seg:s-b", "seg:s-c", "tag:t0", "tag:t2", "aud:a0"};
        Map<String, Set<String>> segments = segmentsOf(facts);
        Map<String, Set<String>> withSegments = new HashMap<>();
        facts.forEach((c, f) -> {
            Set<String> all = new HashSet<>(f);
            segments.forEach((s, members) -> {
                if (members.contains(c)) all.add("seg:" + s);
            });
            withSegments.put(c, all);
        });
        for (int round = 0; round < 10; round++) {
            List<Integer> all = pick(random), any = pick(random), none = pick(random);
            String channel = random.nextInt(3) == 0 ? null : random.nextBoolean() ? "email" : "sms";
            String body = "{\"all\":" + json(all, refs) + ",\"any\":" + json(any, refs) + ",\"none\":" + json(none, refs)
                    + (channel == null ? "" : ",\"channel\":\"" + channel + "\"") + "}";
            Set<String> expected = new TreeSet<>();
            withSegments.forEach((contact, f) -> {
                boolean ok = all.stream().allMatch(i -> f.contains(keys[i]))
                        && (any.isEmpty() || any.stream().anyMatch(i -> f.contains(keys[i])))
                        && none.stream().noneMatch(i -> f.contains(keys[i]))
                        && (channel == null || !f.contains("unsub:" + channel));
                if (ok) expected.add(contact);
            });
            assertThat(query(tenant, body, 20)).as("query %s", body).isEqualTo(expected);
        }
    }

    private static List<Integer> pick(Random random) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < 6; i++) if (random.nextInt(5) == 0) out.add(i);
        return out;
    }

    private static String json(List<Integer> idx, String[] refs) {
        return idx.stream().map(i -> refs[i]).collect(Collectors.joining(",", "[", "]"));
    }

    /** Segment -> members, replaying streamed enters and exits in seq order. */
    private static Map<String, Set<String>> replay(List<Map<String, Object>> streamed) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String s : SEGMENTS.keySet()) out.put(s, new TreeSet<>());
        streamed.stream().sorted(java.util.Comparator.comparingLong(d -> ((Number) d.get("seq")).longValue())).forEach(d -> {
            Set<String> members = out.get((String) d.get("segment"));
            if ("enter".equals(d.get("change"))) members.add((String) d.get("contactId"));
            else members.remove((String) d.get("contactId"));
        });
        return out;
    }

    // --- HTTP on the second instance ---

    private static void createSegments(Api.TestTenant tenant) {
        SEGMENTS.forEach((id, rule) -> api1.createSegment(tenant.key(), "{\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"rule\":" + rule + "}")
                .expectStatus().isCreated());
        SEGMENTS.keySet().forEach(id -> api2.awaitLive(tenant.key(), id));
    }

    private static void countsEqual(Api.TestTenant tenant, Map<String, Set<String>> truth) {
        for (String segment : SEGMENTS.keySet()) {
            api2.get(tenant.key(), "/v1/segments/{id}/count", segment).expectStatus().isOk()
                    .expectBody().jsonPath("$.count").isEqualTo(truth.get(segment).size());
        }
    }

    /** Counts on the second instance reach the truth (503 while the projection is being restored). */
    private static void awaitCountsEqual(Api.TestTenant tenant, Map<String, Set<String>> truth) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> body;
            for (String segment : SEGMENTS.keySet()) {
                body = api2.get(tenant.key(), "/v1/segments/{id}/count", segment).expectBody(Map.class).returnResult().getResponseBody();
                assertThat(body).as("count of %s", segment).containsEntry("count", truth.get(segment).size());
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Set<String> members(Api.TestTenant tenant, String segment, int limit) {
        Set<String> out = new TreeSet<>();
        String cursor = null;
        do {
            String uri = "/v1/segments/" + segment + "/members?limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor);
            Map<String, Object> page = api2.get(tenant.key(), uri).expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
            List<String> members = (List<String>) page.get("members");
            assertThat(out).as("a member listed twice").doesNotContainAnyElementsOf(members);
            out.addAll(members);
            cursor = (String) page.get("nextCursor");
        } while (cursor != null);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> query(Api.TestTenant tenant, String body, int limit) {
        Set<String> out = new TreeSet<>();
        Map<String, Object> page = api2.client().post().uri("/v1/query?limit=" + limit).header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        int count = ((Number) page.get("count")).intValue();
        while (true) {
            out.addAll((List<String>) page.get("members"));
            Object next = page.get("nextCursor");
            if (next == null) break;
            page = api2.client().post().uri("/v1/query?limit=" + limit).header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                    .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"cursor\":\"" + next + "\"}").exchange()
                    .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        }
        assertThat(out).as("members of %s", body).hasSize(count);
        return out;
    }

    // --- the cluster and the instances ---

    private static List<String> scanAll(io.lettuce.core.api.sync.RedisCommands<String, String> c) {
        List<String> out = new ArrayList<>();
        io.lettuce.core.KeyScanCursor<String> cursor = c.scan(io.lettuce.core.ScanArgs.Builder.limit(500));
        out.addAll(cursor.getKeys());
        while (!cursor.isFinished()) {
            cursor = c.scan(cursor, io.lettuce.core.ScanArgs.Builder.limit(500));
            out.addAll(cursor.getKeys());
        }
        return out;
    }

    private static void flushAll() {
        for (int port : cluster.ports()) cluster.on(port, c -> c.flushall());
    }

    private static double recoveries(String reason) {
        double n = 0;
        for (ConfigurableApplicationContext app : List.of(one, two)) {
            n += app.getBean(MeterRegistry.class).get("segstream.projection.recoveries").tag("reason", reason).counter().count();
        }
        return n;
    }

    private static DatabaseClient db() {
        return one.getBean(DatabaseClient.class);
    }

    private static Invariants invariants() {
        return new Invariants(db(), one.getBean(ReactiveRedisConnectionFactory.class));
    }

    private static int port(ConfigurableApplicationContext app) {
        return ((WebServerApplicationContext) app).getWebServer().getPort();
    }
}
