package io.segstream.segment;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.segstream.support.OneTenantPerTest;
import io.segstream.support.IntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.context.Lifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deleting a segment with many members: the tenant lock is held only for the definition; the members leave
 * in batches afterwards while ingestion goes on; a cleanup cut short resumes; a segment re-created with the
 * same id meanwhile is not touched by the old cleanup. A member's row is held locked by the test (as a
 * long ingest transaction would) to stop the cleanup at a known batch.
 */
@IntegrationTest
@TestPropertySource(properties = {"segstream.deletions.batch-size=20", "segstream.deletions.lease=1s",
        "segstream.deletions.poll=200ms"})
class SegmentDeletionIT extends OneTenantPerTest {

    private static final int MEMBERS = 200;

    @Autowired
    ConnectionFactory connections;

    @Autowired
    ApplicationContext context;

    /** Runs before the tenant's invariants are checked (a superclass's {@code @AfterEach} runs after this). */
    @AfterEach
    void cleanupRunsAgain() {
        if (!cleanup().isRunning()) cleanup().start();
    }

    @Test
    void ingestGoesOnWhileTheMembersLeaveAndAnInterruptedCleanupResumes() {
        api.createSegment(tenant.key(), "{\"id\":\"big\",\"name\":\"Big\",\"rule\":{\"tag\":\"big\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "big");
        tagAll("m", "big", null);
        assertThat(members("big")).hasSize(MEMBERS);

        long lockedNo;
        try (HeldRow held = holdMember("big", MEMBERS / 2)) {
            lockedNo = held.contactNo();
            // Without the fix the delete held the tenant row while it waited for the held member: no answer.
            manage().delete().uri("/v1/segments/big").exchange().expectStatus().isNoContent();
            api.get(tenant.key(), "/v1/segments/big").expectStatus().isNotFound();
            api.get(tenant.key(), "/v1/segments/big/count").expectStatus().isNotFound();
            await().atMost(Duration.ofSeconds(20)).until(() -> cursor("big") >= lockedNo - 20);
            assertThat(cursor("big")).isLessThan(lockedNo);

            // The cleanup waits at the held member's batch: the tenant row is free, ingestion goes on.
            await().atMost(Duration.ofSeconds(5)).ignoreExceptions().until(this::tenantRowIsFree);
            api.postEvents(tenant.key(), "[" + event("n1", "newcomer", "contact.tagged", "2026-01-02T00:00:00Z",
                    "{\"tag\":\"big\"}") + "," + event("n2", "m199", "contact.tagged", "2026-01-02T00:00:00Z",
                    "{\"tag\":\"other\"}") + "]").expectStatus().isAccepted();
            // A member not yet cleaned up does not show the deleted segment.
            api.getContact(tenant.key(), "m199").expectStatus().isOk().expectBody().jsonPath("$.segments.length()").isEqualTo(0);
            api.getContact(tenant.key(), "newcomer").expectBody().jsonPath("$.segments.length()").isEqualTo(0);

            // Interrupted (as by a shutdown): the batch in flight is abandoned and rolls back.
            cleanup().stop();
        }
        long stoppedAt = cursor("big");
        assertThat(stoppedAt).isLessThan(lockedNo);
        assertThat(members("big")).isNotEmpty();

        cleanup().start();
        await().atMost(Duration.ofSeconds(20)).until(() -> !pending("big"));
        assertThat(members("big")).isEmpty();
        // Every member left exactly once, with cause deletion (m199 left when its own event evaluated it).
        assertThat(db.sql("""
                        SELECT count(*) AS n, count(DISTINCT contact_id) AS d, bool_and(cause_kind = 'deletion') AS all_deletion
                        FROM changes WHERE tenant_id = :t AND key = 'seg:big' AND NOT bit""")
                .bind("t", tenant.id())
                .map(r -> List.of(r.get("n", Long.class), r.get("d", Long.class), r.get("all_deletion", Boolean.class) ? 1L : 0L))
                .one().block()).containsExactly((long) MEMBERS, (long) MEMBERS, 1L);
    }

    @Test
    void aSegmentRecreatedWithTheSameIdIsNotTouchedByTheOldCleanup() {
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        tagAll("v", "vip", "gold");
        Set<String> gold = new TreeSet<>();
        for (int i = 0; i < MEMBERS; i += 2) gold.add(id("v", i));

        try (HeldRow held = holdMember("vip", MEMBERS / 4)) {
            manage().delete().uri("/v1/segments/vip").exchange().expectStatus().isNoContent();
            await().atMost(Duration.ofSeconds(20)).until(() -> cursor("vip") >= held.contactNo() - 20);
            cleanup().stop();
        }
        assertThat(members("vip")).hasSizeGreaterThan(MEMBERS / 2);

        // Re-created with the same id before the old cleanup finished: a different rule.
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"Gold\",\"rule\":{\"tag\":\"gold\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        assertThat(members("vip")).isEqualTo(gold);

        cleanup().start();
        // Without the generation check the old walk resumed here and took the id from the members it had not reached.
        await().atMost(Duration.ofSeconds(20)).until(() -> !pending("vip"));
        assertThat(members("vip")).isEqualTo(gold);
        api.get(tenant.key(), "/v1/segments/vip/count").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(gold.size());
    }

    /** Tags {@code MEMBERS} contacts {@code <prefix>000...} with {@code tag}, and every second one with {@code also}. */
    private void tagAll(String prefix, String tag, String also) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            events.add(event(prefix + "e" + i, id(prefix, i), "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"" + tag + "\"}"));
            if (also != null && i % 2 == 0) {
                events.add(event(prefix + "f" + i, id(prefix, i), "contact.tagged", "2026-01-01T00:00:00Z",
                        "{\"tag\":\"" + also + "\"}"));
            }
        }
        api.postEvents(tenant.key(), "[" + String.join(",", events) + "]").expectStatus().isAccepted()
                .expectBody().jsonPath("$.rejected.length()").isEqualTo(0);
    }

    private static String id(String prefix, int i) {
        return prefix + String.format("%03d", i);
    }

    private SegmentDeletions cleanup() {
        return context.getBean(SegmentDeletions.class);
    }

    private Set<String> members(String segment) {
        return new TreeSet<>(db.sql("SELECT contact_id FROM contacts WHERE tenant_id = :t AND segments @> ARRAY[:s]::text[]")
                .bind("t", tenant.id()).bind("s", segment)
                .map(r -> r.get(0, String.class)).all().collectList().block());
    }

    private boolean pending(String segment) {
        return db.sql("SELECT 1 FROM segment_deletions WHERE tenant_id = :t AND segment_id = :s")
                .bind("t", tenant.id()).bind("s", segment).map(r -> 1).one().blockOptional().isPresent();
    }

    private long cursor(String segment) {
        return db.sql("SELECT after_no FROM segment_deletions WHERE tenant_id = :t AND segment_id = :s")
                .bind("t", tenant.id()).bind("s", segment).map(r -> r.get(0, Long.class)).one().blockOptional().orElse(-2L);
    }

    /** Whether another transaction could take the tenant row {@code FOR UPDATE} right now (it gives up at once if not). */
    private boolean tenantRowIsFree() {
        return db.sql("SELECT id FROM tenants WHERE id = :t FOR UPDATE NOWAIT").bind("t", tenant.id())
                .map(r -> true).one()
                .as(org.springframework.transaction.reactive.TransactionalOperator.create(
                        context.getBean(org.springframework.transaction.ReactiveTransactionManager.class))::transactional)
                .onErrorReturn(false)
                .blockOptional().orElse(false);
    }

    /** A transaction of the test's own holding the row of the n-th member (by number) until closed. */
    private HeldRow holdMember(String segment, int n) {
        var row = db.sql("""
                        SELECT contact_id, contact_no FROM contacts WHERE tenant_id = :t AND segments @> ARRAY[:s]::text[]
                        ORDER BY contact_no OFFSET :n LIMIT 1""")
                .bind("t", tenant.id()).bind("s", segment).bind("n", n)
                .map(r -> List.of(r.get("contact_id", String.class), String.valueOf(r.get("contact_no", Long.class))))
                .one().block();
        Connection c = Mono.from(connections.create()).block();
        Mono.from(c.beginTransaction()).block();
        Flux.from(c.createStatement("SELECT 1 FROM contacts WHERE tenant_id = $1 AND contact_id = $2 FOR UPDATE")
                        .bind("$1", tenant.id()).bind("$2", row.get(0)).execute())
                .flatMap(result -> result.map((r, m) -> 1)).blockLast();
        return new HeldRow(c, Long.parseLong(row.get(1)));
    }

    private record HeldRow(Connection connection, long contactNo) implements AutoCloseable {
        @Override
        public void close() {
            Mono.from(connection.rollbackTransaction()).block();
            Mono.from(connection.close()).block();
        }
    }

    private WebTestClient manage() {
        return client.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key()).build();
    }
}
