package io.segstream.ingest;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import io.segstream.support.OneTenantPerTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

@IntegrationTest
class IngestIT extends OneTenantPerTest {

    @Autowired
    io.segstream.contact.ContactNumbers numbers;

    @LocalServerPort
    int port;

    @Test
    void jsonArrayIsAcceptedAndStored() {
        String batch = "[" + event("a1", "c1", "contact.created", "2026-11-01T10:00:00Z", "{\"attributes\":{\"email\":\"x@y.z\"}}")
                + "," + event("a2", "c1", "review.left", "2026-11-02T10:00:00Z", "{\"rating\":5}") + "]";
        api.postEvents(tenant.key(), batch).expectStatus().isAccepted()
                .expectBody().json("{\"accepted\":2,\"duplicates\":0,\"rejected\":[]}");
        assertThat(storedEvents()).isEqualTo(2);
    }

    @Test
    void ndjsonIsReadAsAStream() {
        String ndjson = IntStream.range(0, 300)
                .mapToObj(i -> event("n" + i, "c" + (i % 7), "message.opened", "2026-11-02T10:00:00Z", null))
                .collect(Collectors.joining("\n")) + "\n";
        api.postNdjson(tenant.key(), ndjson).expectStatus().isAccepted()
                .expectBody().jsonPath("$.accepted").isEqualTo(300);
        assertThat(storedEvents()).isEqualTo(300);
    }

    @Test
    void invalidEventsAreRejectedByIndexAndTheValidOnesAccepted() {
        String batch = "["
                + event("ok-1", "c1", "contact.tagged", "2026-11-01T10:00:00Z", "{\"tag\":\"vip\"}") + ","
                + "{\"id\":\"bad-1\",\"contactId\":\"c1\",\"type\":\"review.left\"},"
                + event("bad-2", "c1", "contact.unsubscribed", "2026-11-01T10:00:00Z", "{\"channel\":\"fax\"}") + ","
                + "42,"
                + event("ok-2", "c2", "review.left", "2026-11-01T10:00:00Z", "{\"rating\":4}")
                + "]";
        api.postEvents(tenant.key(), batch).expectStatus().isAccepted()
                .expectBody()
                .jsonPath("$.accepted").isEqualTo(2)
                .jsonPath("$.rejected.length()").isEqualTo(3)
                .jsonPath("$.rejected[0].index").isEqualTo(1)
                .jsonPath("$.rejected[0].id").isEqualTo("bad-1")
                .jsonPath("$.rejected[0].errors[0].pointer").isEqualTo("/occurredAt")
                // Line and column belong to errors in readable rule text only: event errors carry neither key.
                .jsonPath("$.rejected[0].errors[0]").value(e -> assertThat(((Map<?, ?>) e).keySet().stream().map(Object::toString).toList()).containsExactlyInAnyOrder("pointer", "message"))
                .jsonPath("$.rejected[1].index").isEqualTo(2)
                .jsonPath("$.rejected[1].errors[0].pointer").isEqualTo("/properties/channel")
                .jsonPath("$.rejected[2].index").isEqualTo(3);
        assertThat(storedEvents()).isEqualTo(2);
    }

    @Test
    void duplicatesAreCountedAndNotAppliedAgain() {
        String first = "[" + event("d1", "c1", "contact.tagged", "2026-11-01T10:00:00Z", "{\"tag\":\"vip\"}") + "]";
        api.postEvents(tenant.key(), first).expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(1);
        // Same id, different content, later timestamp: a duplicate, so the tag stays.
        String again = "[" + event("d1", "c1", "contact.untagged", "2026-11-02T10:00:00Z", "{\"tag\":\"vip\"}") + ","
                + event("d2", "c1", "x.y", "2026-11-02T10:00:00Z", null) + ","
                + event("d2", "c1", "x.y", "2026-11-02T10:00:00Z", null) + "]";
        api.postEvents(tenant.key(), again).expectStatus().isAccepted()
                .expectBody().json("{\"accepted\":1,\"duplicates\":2}");
        api.getContact(tenant.key(), "c1").expectStatus().isOk().expectBody().jsonPath("$.tags[0]").isEqualTo("vip");
        assertThat(storedEvents()).isEqualTo(2);
    }

    @Test
    void concurrentDuplicateSubmissionsStoreEachEventExactlyOnce() {
        String batch = "[" + IntStream.range(0, 200)
                .mapToObj(i -> event("cc" + i, "c" + (i % 10), "contact.tagged", "2026-11-01T10:00:00Z", "{\"tag\":\"t" + i + "\"}"))
                .collect(Collectors.joining(",")) + "]";
        WebClient web = Api.bearer(port, tenant.key());
        List<Map> results = Flux.range(0, 8)
                .flatMap(i -> web.post().uri("/v1/events").contentType(MediaType.APPLICATION_JSON).bodyValue(batch)
                        .retrieve().bodyToMono(Map.class), 8)
                .collectList()
                .block(Duration.ofSeconds(60));
        int accepted = results.stream().mapToInt(r -> (Integer) r.get("accepted")).sum();
        int duplicates = results.stream().mapToInt(r -> (Integer) r.get("duplicates")).sum();
        assertThat(accepted).isEqualTo(200);
        assertThat(duplicates).isEqualTo(7 * 200);
        assertThat(storedEvents()).isEqualTo(200);
        api.getContact(tenant.key(), "c3").expectStatus().isOk().expectBody().jsonPath("$.tags.length()").isEqualTo(20);
    }

    @Test
    void concurrentBatchesCreatingTheSameNewContactsLoseNothing() {
        WebClient web = Api.bearer(port, tenant.key());
        // 8 batches at once, each tagging the same 150 new contacts with its own tag: a batch that finds a
        // contact being created by another waits for it and folds into it, never overwrites it or fails.
        List<Map> results = Flux.range(0, 8)
                .flatMap(b -> web.post().uri("/v1/events").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("[" + IntStream.range(0, 150).mapToObj(c -> event("nb" + b + "-" + c, "new" + c, "contact.tagged",
                                "2026-11-01T10:00:0" + b + "Z", "{\"tag\":\"b" + b + "\"}")).collect(Collectors.joining(",")) + "]")
                        .retrieve().bodyToMono(Map.class), 8)
                .collectList()
                .block(Duration.ofSeconds(60));
        assertThat(results).extracting(r -> r.get("accepted")).containsOnly(150);
        assertThat(storedEvents()).isEqualTo(8 * 150);
        for (int c = 0; c < 150; c += 7) {
            api.getContact(tenant.key(), "new" + c).expectStatus().isOk().expectBody().jsonPath("$.tags.length()").isEqualTo(8);
        }
        assertThat(db.sql("SELECT count(DISTINCT contact_no) FROM contacts WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block()).isEqualTo(150);
    }

    @Autowired
    io.r2dbc.spi.ConnectionFactory connections;

    @Test
    void aContactCreatedByAnotherWriterMeanwhileIsFoldedIntoNotOverwritten() {
        // Another writer creates the contact and holds its transaction open while the batch runs.
        io.r2dbc.spi.Connection other = reactor.core.publisher.Mono.from(connections.create()).block(Duration.ofSeconds(10));
        try {
            reactor.core.publisher.Mono.from(other.beginTransaction()).block(Duration.ofSeconds(10));
            Flux.from(other.createStatement("""
                            INSERT INTO contacts (tenant_id, contact_id, contact_no, live, state)
                            VALUES ($1, 'raced', 5000, false, '{}'::jsonb)""").bind("$1", tenant.id()).execute())
                    .flatMap(r -> r.getRowsUpdated()).blockLast(Duration.ofSeconds(10));
            WebClient web = Api.bearer(port, tenant.key());
            var response = web.post().uri("/v1/events").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("[" + event("r1", "raced", "contact.tagged", "2026-11-01T10:00:00Z", "{\"tag\":\"vip\"}") + "]")
                    .retrieve().bodyToMono(Map.class).toFuture();
            // The batch did not see the uncommitted contact, took it as new and now waits on its key; it must
            // then fold into that row (its number), not fail or write a second one.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> db.sql("""
                            SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO contacts%'""")
                    .map(r -> r.get(0, Long.class)).one().block() > 0);
            reactor.core.publisher.Mono.from(other.commitTransaction()).block(Duration.ofSeconds(10));
            assertThat(response.orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).join()).containsEntry("accepted", 1);
        } finally {
            reactor.core.publisher.Mono.from(other.close()).block(Duration.ofSeconds(10));
        }
        assertThat(db.sql("SELECT contact_no FROM contacts WHERE tenant_id = :t AND contact_id = 'raced'").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block()).as("the other writer's row, folded into").isEqualTo(5000L);
        api.getContact(tenant.key(), "raced").expectStatus().isOk().expectBody().jsonPath("$.tags[0]").isEqualTo("vip");
    }

    @Test
    void tooManyEventsIs413AndNothingIsStored() {
        String batch = "[" + IntStream.range(0, 501)
                .mapToObj(i -> event("big" + i, "c1", "x.y", "2026-11-01T10:00:00Z", null))
                .collect(Collectors.joining(",")) + "]";
        api.postEvents(tenant.key(), batch).expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(storedEvents()).isZero();
    }

    @Test
    void tooManyBytesIs413AndNothingIsStored() {
        String padding = "x".repeat(60_000);
        String batch = "[" + IntStream.range(0, 10)
                .mapToObj(i -> event("fat" + i, "c1", "x.y", "2026-11-01T10:00:00Z", "{\"note\":\"" + padding + "\"}"))
                .collect(Collectors.joining(",")) + "]";
        // The server answers 413 while this client is still sending; on a connection-per-request client it then
        // closes at once and the client may fail writing instead of reading the answer. A keep-alive client (the
        // server drains or closes after the answer) reads it reliably.
        WebTestClient keepAlive = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
        new Api(keepAlive).postEvents(tenant.key(), batch).expectStatus().isEqualTo(413);
        assertThat(storedEvents()).isZero();
    }

    @Test
    void anEventWithOversizedPropertiesIsRejectedAlone() {
        String batch = "[" + event("huge", "c1", "x.y", "2026-11-01T10:00:00Z", "{\"note\":\"" + "y".repeat(70_000) + "\"}")
                + "," + event("small", "c1", "x.y", "2026-11-01T10:00:00Z", null) + "]";
        api.postEvents(tenant.key(), batch).expectStatus().isAccepted()
                .expectBody()
                .jsonPath("$.accepted").isEqualTo(1)
                .jsonPath("$.rejected[0].index").isEqualTo(0)
                .jsonPath("$.rejected[0].errors[0].pointer").isEqualTo("/properties");
        assertThat(storedEvents()).isEqualTo(1);
    }

    @Test
    void malformedJsonIs400AndNothingIsStored() {
        String batch = "[" + event("m1", "c1", "x.y", "2026-11-01T10:00:00Z", null) + ", {\"id\": ";
        api.postEvents(tenant.key(), batch).expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.title").isEqualTo("Malformed JSON");
        assertThat(storedEvents()).isZero();
    }

    @Test
    void unsupportedMediaTypeIs415Problem() {
        client.post().uri("/v1/events").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.TEXT_PLAIN).bodyValue("hello")
                .exchange().expectStatus().isEqualTo(415)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void wrongMethodIs405ProblemAndUnknownRouteIs404Problem() {
        client.get().uri("/v1/events").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .exchange().expectStatus().isEqualTo(405)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals(HttpHeaders.ALLOW, "POST");
        client.get().uri("/v1/no-such-thing").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .exchange().expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        client.get().uri("/nothing-here").exchange().expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void contactNumbersAreDenseAndUnique() {
        String batch = "[" + IntStream.range(0, 50)
                .mapToObj(i -> event("num" + i, "contact-" + i, "x.y", "2026-11-01T10:00:00Z", null))
                .collect(Collectors.joining(",")) + "]";
        api.postEvents(tenant.key(), batch).expectStatus().isAccepted();
        assertContactNumbersDenseAndUnique(50);
    }

    /** The tenant has {@code count} contacts, numbered without a duplicate or a gap. */
    private void assertContactNumbersDenseAndUnique(int count) {
        List<Long> numbers = db.sql("SELECT contact_no FROM contacts WHERE tenant_id = :t ORDER BY contact_no")
                .bind("t", tenant.id()).map(r -> r.get(0, Long.class)).all().collectList().block();
        assertThat(numbers).hasSize(count).doesNotHaveDuplicates();
        assertThat(numbers.get(count - 1) - numbers.get(0)).isEqualTo(count - 1);
    }

    @Test
    void theNextBlockOfContactNumbersIsReservedBeforeItIsNeeded() {
        // The tenant's first batch reserves a block itself; taking most of it reserves the next one in the
        // background, with no batch asking.
        long[] first = numbers.allocate(tenant.id(), 1000).block(Duration.ofSeconds(10));
        assertThat(first).hasSize(1000);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> reservedThrough() == first[0] + 2048);
        assertThat(numbers.allocate(tenant.id(), 1048).block(Duration.ofSeconds(10))).startsWith(first[999] + 1)
                .endsWith(first[0] + 2047);
    }

    private long reservedThrough() {
        return db.sql("SELECT next_no FROM contact_number_blocks WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().defaultIfEmpty(0L).block(Duration.ofSeconds(5));
    }

    @Test
    void numbersTakenForContactsThatTurnOutToExistAreHandedOutAgain() {
        // Each batch takes a number per contact before it knows which are new; the unneeded ones go back.
        for (int round = 0; round < 5; round++) {
            int r = round;
            String batch = "[" + IntStream.range(0, 20)
                    .mapToObj(i -> event("mix" + r + "-" + i, "mixed-" + (i < 16 ? i : 16 + 4 * r + i - 16), "x.y",
                            "2026-11-01T10:00:00Z", null))
                    .collect(Collectors.joining(",")) + "]";
            api.postEvents(tenant.key(), batch).expectStatus().isAccepted();
        }
        // 16 contacts in every batch, 4 new ones per batch: 36 contacts, numbered without a gap.
        assertContactNumbersDenseAndUnique(36);
    }

    private long storedEvents() {
        return db.sql("SELECT count(*) FROM events WHERE tenant_id = :t").bind("t", tenant.id())
                .map(r -> r.get(0, Long.class)).one().block();
    }

    @Test
    void everyPooledConnectionPlansEachExecutionWithItsOwnParameters() {
        // A generic plan cached while a table was small outlives its growth until the next ANALYZE.
        var modes = reactor.core.publisher.Flux.range(0, 4)
                .flatMap(i -> db.sql("SELECT current_setting('plan_cache_mode') || ' jit=' || current_setting('jit') AS m, pg_sleep(0.05)")
                        .map(r -> r.get("m", String.class)).one())
                .collectList().block(java.time.Duration.ofSeconds(10));
        assertThat(modes).hasSize(4).containsOnly("force_custom_plan jit=off");
    }

    @Test
    void textWithQuotesBackslashesBracesAndTheWordNullIsStoredExactly() {
        // Text arrays are bound as literals written by platform.PgArrays: what goes in must come back.
        Api api = new Api(client);
        var tenant = api.newTenant();
        String props = "{\"text\":\"say \\\"hi\\\" \\\\ {a,b} NULL \u00e9\u6f22\"}";
        api.postEvents(tenant.key(), "[" + Api.event("q\\\"1,}", "NULL", "review.left", "2026-11-01T00:00:00Z", props) + "]")
                .expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(1);
        var row = db.sql("SELECT event_id, contact_id, properties->>'text' AS text FROM events WHERE tenant_id = :t")
                .bind("t", tenant.id())
                .map(r -> List.of(r.get("event_id", String.class), r.get("contact_id", String.class), r.get("text", String.class)))
                .one().block(Duration.ofSeconds(5));
        assertThat(row).containsExactly("q\"1,}", "NULL", "say \"hi\" \\ {a,b} NULL \u00e9\u6f22");
        api.getContact(tenant.key(), "NULL").expectStatus().isOk();
    }
}
