package io.segstream.changefeed;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.SegstreamApplication;
import io.segstream.platform.EmbeddedPostgresServer;
import io.segstream.platform.EmbeddedRedisServer;
import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import io.segstream.support.Invariants;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

@IntegrationTest
class ChangeFeedIT {

    private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> SSE = new ParameterizedTypeReference<>() {};

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    ReactiveRedisConnectionFactory redis;

    @Autowired
    EmbeddedPostgresServer postgres;

    @Autowired
    EmbeddedRedisServer embeddedRedis;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Autowired
    ChangePruner pruner;

    @LocalServerPort
    int port;

    Api api;
    Api.TestTenant tenant;

    @BeforeEach
    void setUp() {
        api = new Api(client);
        tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
    }

    @AfterEach
    void invariantsHold() {
        long pruned = db.sql("SELECT coalesce(max(pruned_through), 0) FROM change_seq WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(5));
        // A pruned log no longer replays from the start: then the projection is checked against the contacts.
        if (pruned > 0) new Invariants(db, redis).checkAgainstContacts(tenant.id());
        else new Invariants(db, redis).check(tenant.id());
    }

    @Test
    void liveChangesArriveAsServerSentEventsWithTheContractHeaders() {
        var result = client.get().uri("/v1/segments/vip/changes")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("Cache-Control", "no-cache")
                .expectHeader().valueEquals("X-Accel-Buffering", "no")
                .returnResult(SSE);
        Flux<ServerSentEvent<Map<String, Object>>> events = result.getResponseBody().filter(e -> e.event() != null);
        var received = events.take(2).collectList().toFuture();
        tag("e1", "c1", true);
        tag("e2", "c1", false);
        var list = received.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(list).extracting(ServerSentEvent::event).containsExactly("enter", "exit");
        assertThat(list.get(0).data()).containsEntry("contactId", "c1").containsEntry("segment", "vip")
                .containsEntry("change", "enter").containsEntry("cause", Map.of("kind", "event", "eventId", "e1"));
        assertThat(Long.parseLong(list.get(1).id())).isGreaterThan(Long.parseLong(list.get(0).id()));
    }

    @Test
    void countEventsGiveTheSegmentsSizeAsOfTheirSeqAtMostOnceASecond() {
        tag("k1", "c1", true);
        tag("k2", "c2", true);
        var counts = client.get().uri("/v1/segments/vip/changes?counts=true")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange().expectStatus().isOk()
                .returnResult(SSE).getResponseBody()
                .filter(e -> "count".equals(e.event()))
                .map(e -> new Object[] {System.nanoTime(), e.data()});
        List<Object[]> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        var subscription = counts.subscribe(received::add);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
            assertThat(data(received.get(0))).containsEntry("segment", "vip").containsEntry("count", 2);
            assertThat(((Number) data(received.get(0)).get("asOf")).longValue()).isBetween(lastVipSeq(), lastSeq());
            tag("k3", "c3", true);
            tag("k4", "c1", false);
            tag("k5", "c4", true);
            tag("k6", "c5", true);
            long last = lastVipSeq();
            await().atMost(Duration.ofSeconds(10)).until(() -> ((Number) data(received.get(received.size() - 1)).get("asOf"))
                    .longValue() >= last);
            assertThat(data(received.get(received.size() - 1))).containsEntry("count", 4);
            for (int i = 1; i < received.size(); i++) {
                assertThat(Duration.ofNanos((long) received.get(i)[0] - (long) received.get(i - 1)[0]))
                        .as("count events of one segment are at least a second apart").isGreaterThan(Duration.ofMillis(800));
            }
        } finally {
            subscription.dispose();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> data(Object[] received) {
        return (Map<String, Object>) received[1];
    }

    private long lastVipSeq() {
        return db.sql("SELECT max(seq) FROM changes WHERE tenant_id = :t AND key = 'seg:vip'").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(5));
    }

    private long lastSeq() {
        return db.sql("SELECT last_seq FROM change_seq WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(5));
    }

    @Test
    void aResumeFromBeforeThePrunedHistoryStartsWithResetThenGoesOnLive() {
        tag("p1", "c1", true);
        tag("p2", "c2", true);
        tag("p3", "c1", false);
        long before = lastSeq();
        // Older than the retention (7 days): what the pruning job deletes.
        db.sql("UPDATE changes SET at = now() - interval '8 days' WHERE tenant_id = :t").bind("t", tenant.id())
                .fetch().rowsUpdated().block(Duration.ofSeconds(5));
        long deleted = pruner.prune().block(Duration.ofSeconds(30));
        assertThat(deleted).isGreaterThanOrEqualTo(before);
        long pruned = db.sql("SELECT pruned_through FROM change_seq WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(5));
        assertThat(pruned).isEqualTo(before);
        assertThat(db.sql("SELECT count(*) FROM changes WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(5))).isZero();

        var events = client.get().uri("/v1/segments/vip/changes")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .header("Last-Event-ID", "1")
                .exchange().expectStatus().isOk()
                .returnResult(SSE).getResponseBody().filter(e -> e.event() != null).take(2).collectList().toFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> openStreams() >= 1);
        tag("p4", "c3", true);
        var list = events.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(list.get(0).event()).isEqualTo("reset");
        assertThat(list.get(0).data()).containsEntry("reason", "history-expired");
        long asOf = ((Number) list.get(0).data().get("asOf")).longValue();
        assertThat(asOf).isGreaterThanOrEqualTo(before);
        assertThat(list.get(1).event()).isEqualTo("enter");
        assertThat(list.get(1).data()).containsEntry("contactId", "c3");
        assertThat(Long.parseLong(list.get(1).id())).isGreaterThan(asOf);

        // A resume from the pruned point itself lost nothing: no reset.
        var resumed = client.get().uri("/v1/segments/vip/changes?after=" + before)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .exchange().expectStatus().isOk()
                .returnResult(SSE).getResponseBody().filter(e -> e.event() != null).next().block(Duration.ofSeconds(10));
        assertThat(resumed.event()).isEqualTo("enter");
        assertThat(resumed.data()).containsEntry("contactId", "c3");
    }

    @Test
    void pruningRemovesTheOldestRunOfSeqsAndStopsAtTheFirstChangeWithinTheRetention() {
        for (int i = 0; i < 6; i++) tag("q" + i, "c" + i, true);
        long last = lastSeq();
        List<Long> seqs = db.sql("SELECT seq FROM changes WHERE tenant_id = :t ORDER BY seq").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).all().collectList().block(Duration.ofSeconds(5));
        long kept = seqs.get(seqs.size() / 2);
        // Every change older than the retention but one in the middle: only the seqs before it can go, even
        // though later ones are old too (a resume after pruned_through must find every later seq).
        db.sql("UPDATE changes SET at = now() - interval '8 days' WHERE tenant_id = :t AND seq <> :kept")
                .bind("t", tenant.id()).bind("kept", kept).fetch().rowsUpdated().block(Duration.ofSeconds(5));

        long deleted = pruner.prune().block(Duration.ofSeconds(30));

        assertThat(deleted).isGreaterThanOrEqualTo(seqs.indexOf(kept));
        long pruned = db.sql("SELECT pruned_through FROM change_seq WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(5));
        assertThat(pruned).isEqualTo(seqs.get(seqs.indexOf(kept) - 1));
        assertThat(db.sql("SELECT seq FROM changes WHERE tenant_id = :t ORDER BY seq").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).all().collectList().block(Duration.ofSeconds(5)))
                .isEqualTo(seqs.subList(seqs.indexOf(kept), seqs.size()));
        assertThat(lastSeq()).isEqualTo(last);

        // Once the kept change is old too, the rest goes.
        db.sql("UPDATE changes SET at = now() - interval '8 days' WHERE tenant_id = :t").bind("t", tenant.id())
                .fetch().rowsUpdated().block(Duration.ofSeconds(5));
        pruner.prune().block(Duration.ofSeconds(30));
        assertThat(db.sql("SELECT pruned_through FROM change_seq WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block(Duration.ofSeconds(5))).isEqualTo(last);
    }

    @Test
    void resumeGivesExactlyTheLaterChanges() {
        for (int i = 0; i < 20; i++) tag("r" + i, "c" + (i % 7), i % 3 != 0);
        List<Long> all = seqs(replay(null, "/v1/segments/vip/changes"));
        assertThat(all).hasSizeGreaterThan(5).isSorted().doesNotHaveDuplicates();
        long middle = all.get(all.size() / 2);
        List<Long> resumed = seqs(replay(middle, "/v1/segments/vip/changes"));
        assertThat(resumed).isEqualTo(all.stream().filter(s -> s > middle).toList());
        List<Long> viaQuery = seqs(client.get().uri("/v1/changes?segment=vip&after=" + middle)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .exchange().returnResult(SSE).getResponseBody()
                .filter(e -> e.event() != null).take(resumed.size()));
        assertThat(viaQuery).isEqualTo(resumed);
    }

    @Test
    void concurrentWritersAreSeenExactlyOnceByTailingAndResumingSubscribers() {
        WebClient web = Api.bearer(port, tenant.key());
        var tailing = web.get().uri("/v1/segments/vip/changes").retrieve().bodyToFlux(SSE)
                .filter(e -> e.event() != null).map(e -> Long.parseLong(e.id()));
        List<Long> tailed = new java.util.concurrent.CopyOnWriteArrayList<>();
        var subscription = tailing.subscribe(tailed::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> openStreams() >= 1);
        // 8 writers at once, each toggling its own contacts.
        Flux.range(0, 8).flatMap(w -> Flux.range(0, 10).concatMap(i -> web.post().uri("/v1/events")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("[" + IntStream.range(0, 5).mapToObj(k -> event("w" + w + "-" + i + "-" + k, "w" + w + "c" + k,
                        (i + k) % 2 == 0 ? "contact.tagged" : "contact.untagged", "2026-11-01T00:00:" + String.format("%02d", i) + "Z",
                        "{\"tag\":\"vip\"}")).collect(Collectors.joining(",")) + "]")
                .retrieve().toBodilessEntity()), 8).blockLast(Duration.ofSeconds(60));
        List<Long> log = db.sql("SELECT seq FROM changes WHERE tenant_id = :t AND key = 'seg:vip' ORDER BY seq")
                .bind("t", tenant.id()).map(r -> r.get(0, Long.class)).all().collectList().block();
        await().atMost(Duration.ofSeconds(10)).until(() -> tailed.size() >= log.size());
        subscription.dispose();
        assertThat(tailed).as("tailing subscriber").isEqualTo(log);
        long middle = log.get(log.size() / 3);
        assertThat(seqs(replay(middle, "/v1/segments/vip/changes"))).as("resuming subscriber")
                .isEqualTo(log.stream().filter(s -> s > middle).toList());
    }

    @Autowired
    io.segstream.membership.ChangeLog changeLog;

    @Autowired
    io.segstream.membership.ChangeSignals signals;

    @Autowired
    org.springframework.transaction.reactive.TransactionalOperator tx;

    @Autowired
    org.springframework.data.redis.core.ReactiveStringRedisTemplate strings;

    /**
     * Appends, in its own transaction, an exit and a re-enter of {@code contact} (a member of vip): log
     * replay and the projection end where they were, so the invariants still hold; optionally holds the
     * transaction open (and the tenant's seq lock with it) for {@code delay} before committing.
     */
    private io.segstream.membership.Appended appendPair(String contact, Duration delay) {
        long no = db.sql("SELECT contact_no FROM contacts WHERE tenant_id = :t AND contact_id = :c")
                .bind("t", tenant.id()).bind("c", contact).map(r -> r.get(0, Long.class)).one().block();
        var changes = List.of(new io.segstream.membership.Change("seg:vip", contact, no, false, "event", "pair-out"),
                new io.segstream.membership.Change("seg:vip", contact, no, true, "event", "pair-in"));
        return changeLog.append(tenant.id(), changes, java.time.Instant.now())
                .flatMap(a -> delay.isZero() ? reactor.core.publisher.Mono.just(a)
                        : db.sql("SELECT pg_sleep(" + delay.toMillis() / 1000.0 + ")").then().thenReturn(a))
                .as(tx::transactional)
                .block(Duration.ofSeconds(30));
    }

    private List<Long> vipLog() {
        return db.sql("SELECT seq FROM changes WHERE tenant_id = :t AND key = 'seg:vip' ORDER BY seq")
                .bind("t", tenant.id()).map(r -> r.get(0, Long.class)).all().collectList().block();
    }

    /** Subscribes to vip's changes, adding their seqs to {@code into}; returns the subscription. */
    private reactor.core.Disposable tail(List<Long> into) {
        WebClient web = Api.bearer(port, tenant.key());
        double before = openStreams();
        var subscription = web.get().uri("/v1/segments/vip/changes").retrieve().bodyToFlux(SSE)
                .filter(e -> e.event() != null).map(e -> Long.parseLong(e.id())).subscribe(into::add, e -> {});
        await().atMost(Duration.ofSeconds(5)).until(() -> openStreams() > before);
        return subscription;
    }

    @Test
    void commitsSignalledOutOfSeqOrderAreAppliedAndDeliveredExactlyOnceInSeqOrder() {
        tag("p0", "c1", true);
        List<Long> tailed = new java.util.concurrent.CopyOnWriteArrayList<>();
        var subscription = tail(tailed);
        var first = appendPair("c1", Duration.ZERO);
        var second = appendPair("c1", Duration.ZERO);
        assertThat(second.firstSeq()).isEqualTo(first.lastSeq() + 1);
        // The later commit is signalled first: neither the projection nor the feed may take it as next.
        signals.committed(second).block(Duration.ofSeconds(10));
        // The projection is applied after the committer moved on (queries wait for it themselves): it
        // catches up on both, the later one first signalled.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Long.parseLong(strings.opsForValue()
                .get(io.segstream.membership.Projection.watermarkKey(tenant.id())).block(Duration.ofSeconds(5))))
                .as("the projection has both").isEqualTo(second.lastSeq()));
        signals.committed(first).block(Duration.ofSeconds(10));
        List<Long> log = vipLog();
        await().atMost(Duration.ofSeconds(10)).until(() -> tailed.size() >= log.size() - 1);
        subscription.dispose();
        assertThat(tailed).as("every change after the subscriber connected, once, in seq order")
                .isEqualTo(log.subList(1, log.size()));
    }

    @Test
    void aCommitDelayedWhileHoldingItsSeqsHoldsBackLaterWritersAndEveryChangeIsSeenOnce() throws Exception {
        tag("d0", "c1", true);
        List<Long> tailed = new java.util.concurrent.CopyOnWriteArrayList<>();
        var subscription = tail(tailed);
        var slow = java.util.concurrent.CompletableFuture.supplyAsync(() -> appendPair("c1", Duration.ofMillis(700)));
        await().atMost(Duration.ofSeconds(5)).until(() -> db.sql("""
                        SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active'""")
                .map(r -> r.get(0, Long.class)).one().block() > 0);
        // Writers arriving meanwhile wait for the slow commit's seq lock: their seqs follow its seqs.
        var writers = Flux.range(0, 4).flatMap(i -> Flux.range(0, 3).concatMap(k -> reactor.core.publisher.Mono.fromRunnable(
                        () -> tag("d" + i + "-" + k, "dc" + i, k % 2 == 0)).subscribeOn(Schedulers.boundedElastic())), 4)
                .then().toFuture();
        var appended = slow.get(20, java.util.concurrent.TimeUnit.SECONDS);
        signals.committed(appended).block(Duration.ofSeconds(10));
        writers.get(30, java.util.concurrent.TimeUnit.SECONDS);
        List<Long> log = vipLog();
        assertThat(log).contains(appended.firstSeq(), appended.lastSeq());
        await().atMost(Duration.ofSeconds(10)).until(() -> tailed.size() >= log.size() - 1);
        subscription.dispose();
        assertThat(tailed).as("tailing subscriber").isEqualTo(log.subList(1, log.size()));
        long middle = log.get(1);
        assertThat(seqs(replay(middle, "/v1/segments/vip/changes"))).as("resuming subscriber")
                .isEqualTo(log.stream().filter(s -> s > middle).toList());
    }

    @Autowired
    ChangeFeedShutdown shutdown;

    @Test
    void streamsEndWithARetryHintWhenTheApplicationStopsAndResumeWithoutLoss() {
        List<ServerSentEvent<Map<String, Object>>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        var ended = client.get().uri("/v1/segments/vip/changes")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .exchange().returnResult(SSE).getResponseBody()
                .doOnNext(seen::add)
                .then().toFuture();
        tag("s1", "c1", true);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream().anyMatch(e -> "enter".equals(e.event())));
        String lastId = seen.stream().filter(e -> e.id() != null).reduce((a, b) -> b).orElseThrow().id();
        try {
            shutdown.stop();
            ended.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
            ServerSentEvent<Map<String, Object>> last = seen.get(seen.size() - 1);
            assertThat(last.retry()).as("the last event tells the client when to reconnect").isNotNull();
            assertThat(last.comment()).contains("reconnect with Last-Event-ID");
            tag("s2", "c1", false); // committed while no stream is open
        } finally {
            shutdown.start();
        }
        List<ServerSentEvent<Map<String, Object>>> resumed = client.get().uri("/v1/segments/vip/changes")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key()).header("Last-Event-ID", lastId)
                .exchange().returnResult(SSE).getResponseBody().filter(e -> e.event() != null).take(1)
                .timeout(Duration.ofSeconds(10)).collectList().block();
        assertThat(resumed).extracting(ServerSentEvent::event).containsExactly("exit");
    }

    @Test
    void malformedLastEventIdIs400AndUnknownSegmentsAre404() {
        client.get().uri("/v1/segments/vip/changes").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .header("Last-Event-ID", "12x").exchange().expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/headers/Last-Event-ID");
        client.get().uri("/v1/changes?segment=vip&after=-1").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .exchange().expectStatus().isBadRequest();
        client.get().uri("/v1/segments/nope/changes").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .exchange().expectStatus().isNotFound();
        var other = api.newTenant();
        client.get().uri("/v1/changes?segment=vip").header(HttpHeaders.AUTHORIZATION, "Bearer " + other.key())
                .exchange().expectStatus().isNotFound();
    }

    @Test
    void aChangeCommittedThroughOneInstanceReachesSubscribersOfAnother() {
        try (var second = new SpringApplicationBuilder(SegstreamApplication.class).profiles("test").run(
                "--server.port=0",
                "--spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:" + postgres.port() + "/postgres",
                "--spring.r2dbc.username=postgres",
                "--spring.data.redis.url=redis://127.0.0.1:" + embeddedRedis.port(),
                "--segstream.changes.poll=1h")) {
            int secondPort = ((WebServerApplicationContext) second).getWebServer().getPort();
            var received = WebClient.builder().baseUrl("http://127.0.0.1:" + secondPort).build()
                    .get().uri("/v1/segments/vip/changes").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                    .retrieve().bodyToFlux(SSE).filter(e -> e.event() != null).next()
                    .subscribeOn(Schedulers.boundedElastic()).toFuture();
            await().atMost(Duration.ofSeconds(10)).until(() -> second.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                    .get("segstream.sse.streams").gauge().value() >= 1);
            long t0 = System.nanoTime();
            tag("x1", "cross", true);
            var event = received.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
            assertThat(event.data()).containsEntry("contactId", "cross").containsEntry("change", "enter");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
    }

    private Flux<ServerSentEvent<Map<String, Object>>> replay(Long after, String uri) {
        long expected = db.sql("SELECT count(*) FROM changes WHERE tenant_id = :t AND key = 'seg:vip' AND seq > :a")
                .bind("t", tenant.id()).bind("a", after == null ? 0 : after).map(r -> r.get(0, Long.class)).one().block();
        var spec = client.get().uri(uri + "?after=" + (after == null ? 0 : after))
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key());
        return spec.exchange().returnResult(SSE).getResponseBody().filter(e -> e.event() != null).take(expected)
                .timeout(Duration.ofSeconds(10));
    }

    private static List<Long> seqs(Flux<ServerSentEvent<Map<String, Object>>> events) {
        return new ArrayList<>(events.map(e -> Long.parseLong(e.id())).collectList().block(Duration.ofSeconds(15)));
    }

    private double openStreams() {
        return meters.get("segstream.sse.streams").gauge().value();
    }

    /**
     * A hundred streams with their own filters and options get one change, encoded once: the same event
     * for those whose filter takes it, nothing for the others.
     */
    @Test
    void oneChangeIsEncodedOnceForAHundredStreamsWithTheirOwnFilters() {
        api.createSegment(tenant.key(), "{\"id\":\"gold\",\"name\":\"Gold\",\"rule\":{\"tag\":\"gold\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "gold");
        WebClient web = WebClient.builder().baseUrl("http://127.0.0.1:" + port).build();
        List<String> paths = List.of("/v1/segments/vip/changes", "/v1/changes?segment=vip", "/v1/changes",
                "/v1/segments/vip/changes?counts=true", "/v1/changes?segment=gold");
        double open = meters.get("segstream.sse.streams").gauge().value();
        List<List<ServerSentEvent<Map<String, Object>>>> received = new ArrayList<>();
        List<reactor.core.Disposable> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                List<ServerSentEvent<Map<String, Object>>> events = new java.util.concurrent.CopyOnWriteArrayList<>();
                received.add(events);
                streams.add(web.get().uri(paths.get(i % paths.size())).header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                        .retrieve().bodyToFlux(SSE).filter(e -> "enter".equals(e.event()) || "exit".equals(e.event()))
                        .subscribe(events::add));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> meters.get("segstream.sse.streams").gauge().value() >= open + 100);
            double encodedBefore = meters.get("segstream.sse.frames.encoded").counter().count();

            tag("fan-1", "c1", true);

            await().atMost(Duration.ofSeconds(20)).until(() -> IntStream.range(0, 100)
                    .allMatch(i -> received.get(i).size() == (i % paths.size() == 4 ? 0 : 1)));
            ServerSentEvent<Map<String, Object>> first = received.get(0).get(0);
            assertThat(first.data()).containsEntry("contactId", "c1").containsEntry("change", "enter");
            for (int i = 0; i < 100; i++) {
                if (i % paths.size() == 4) continue;
                ServerSentEvent<Map<String, Object>> e = received.get(i).get(0);
                assertThat(List.of(e.id(), e.event(), e.data())).as("stream %d", i).isEqualTo(List.of(first.id(), first.event(), first.data()));
            }
            assertThat(meters.get("segstream.sse.frames.encoded").counter().count() - encodedBefore)
                    .as("encodings of one change for 100 streams").isEqualTo(1);
            assertThat(received.get(4)).as("a stream of gold only").isEmpty();
        } finally {
            streams.forEach(reactor.core.Disposable::dispose);
        }
    }

    private void tag(String id, String contact, boolean on) {
        api.postEvents(tenant.key(), "[" + event(id, contact, on ? "contact.tagged" : "contact.untagged",
                "2026-11-01T00:00:00Z", "{\"tag\":\"vip\"}") + "]").expectStatus().isAccepted();
    }
}
