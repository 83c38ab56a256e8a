package io.segstream.ingest;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.OneTenantPerTest;
import io.segstream.support.IntegrationTest;
import io.segstream.support.Invariants;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/**
 * A tenant's distinct tag and audience names are bounded (here 3 tags, 2 audiences): an event that would
 * bring one more is rejected on its own in the 202 answer, the rest of its batch is stored, names in use
 * keep working, and the count is PostgreSQL's, not this instance's memory.
 */
@IntegrationTest
@TestPropertySource(properties = {"segstream.ingest.max-tags-per-tenant=3", "segstream.ingest.max-audiences-per-tenant=2"})
class TagLimitIT extends OneTenantPerTest {

    private static final String AT = "2026-11-01T10:00:00Z";

    @Autowired
    TenantNames names;

    @LocalServerPort
    int port;

    private static String tagged(String id, String contact, String tag) {
        return event(id, contact, "contact.tagged", AT, "{\"tag\":\"" + tag + "\"}");
    }

    private static String joined(String id, String contact, String audience) {
        return event(id, contact, "audience.joined", AT, "{\"audience\":\"" + audience + "\"}");
    }

    private static String batch(String... events) {
        return "[" + String.join(",", events) + "]";
    }

    private void fillTags(Api.TestTenant t) {
        api.postEvents(t.key(), batch(tagged("f1", "c1", "t1"), tagged("f2", "c2", "t2"), tagged("f3", "c1", "t3")))
                .expectStatus().isAccepted().expectBody().json("{\"accepted\":3,\"duplicates\":0,\"rejected\":[]}");
    }

    @Test
    void newNamesUpToTheLimitAreAcceptedThenAnEventBringingOneMoreIsRejectedAlone() {
        fillTags(tenant);
        String message = "tenant " + tenant.id() + " has reached its limit of 3 distinct tags";
        api.postEvents(tenant.key(), batch(
                        tagged("n1", "c3", "t4"),
                        event("n2", "c3", "review.left", AT, "{\"rating\":5}"),
                        tagged("n3", "c3", "t1"),
                        event("n4", "c2", "contact.untagged", AT, "{\"tag\":\"t2\"}"),
                        event("n5", "c1", "contact.untagged", AT, "{\"tag\":\"never-used\"}"),
                        joined("n6", "c4", "a1"),
                        tagged("n7", "c4", "t4")))
                .expectStatus().isAccepted()
                .expectBody()
                .jsonPath("$.accepted").isEqualTo(5)
                .jsonPath("$.duplicates").isEqualTo(0)
                .jsonPath("$.rejected.length()").isEqualTo(2)
                .jsonPath("$.rejected[0].index").isEqualTo(0)
                .jsonPath("$.rejected[0].id").isEqualTo("n1")
                .jsonPath("$.rejected[0].error").isEqualTo("/properties/tag: " + message)
                .jsonPath("$.rejected[0].errors[0].pointer").isEqualTo("/properties/tag")
                .jsonPath("$.rejected[0].errors[0].message").isEqualTo(message)
                .jsonPath("$.rejected[1].index").isEqualTo(6)
                .jsonPath("$.rejected[1].id").isEqualTo("n7");
        assertThat(storedEvents(tenant)).isEqualTo(3 + 5);
        assertThat(eventIds(tenant)).doesNotContain("n1", "n7");
        api.getContact(tenant.key(), "c3").expectStatus().isOk().expectBody()
                .jsonPath("$.tags").isEqualTo(List.of("t1"));
        api.getContact(tenant.key(), "c2").expectStatus().isOk().expectBody()
                .jsonPath("$.tags").isEqualTo(List.of());
        assertThat(recordedNames(tenant)).containsExactlyInAnyOrder("tag:t1", "tag:t2", "tag:t3", "audience:a1");
        assertThat(counts(tenant)).isEqualTo(List.of(3, 1));
    }

    @Test
    void withinOneBatchNewNamesAreAdmittedInBatchOrder() {
        api.postEvents(tenant.key(), batch(
                        joined("b1", "c1", "a1"), joined("b2", "c1", "a2"), joined("b3", "c2", "a3"),
                        joined("b4", "c2", "a1"), joined("b5", "c3", "a3"), tagged("b6", "c3", "t1")))
                .expectStatus().isAccepted()
                .expectBody()
                .jsonPath("$.accepted").isEqualTo(4)
                .jsonPath("$.rejected[*].id").isEqualTo(List.of("b3", "b5"))
                .jsonPath("$.rejected[0].errors[0].pointer").isEqualTo("/properties/audience")
                .jsonPath("$.rejected[0].errors[0].message")
                .isEqualTo("tenant " + tenant.id() + " has reached its limit of 2 distinct audiences");
        assertThat(counts(tenant)).isEqualTo(List.of(1, 2));
    }

    @Test
    void anotherTenantHasItsOwnLimit() {
        fillTags(tenant);
        Api.TestTenant other = api.newTenant();
        api.postEvents(other.key(), batch(tagged("o1", "c1", "x1"), tagged("o2", "c1", "x2"), tagged("o3", "c1", "x3")))
                .expectStatus().isAccepted().expectBody().json("{\"accepted\":3,\"rejected\":[]}");
        api.postEvents(tenant.key(), batch(tagged("o4", "c1", "x1")))
                .expectStatus().isAccepted().expectBody().jsonPath("$.rejected[0].id").isEqualTo("o4");
        new Invariants(db, redis).check(other.id());
    }

    @Test
    void theLimitIsPostgresqlsNotThisInstancesMemory() {
        fillTags(tenant);
        names.forget();
        api.postEvents(tenant.key(), batch(tagged("r1", "c5", "t9"), tagged("r2", "c5", "t2")))
                .expectStatus().isAccepted()
                .expectBody()
                .jsonPath("$.accepted").isEqualTo(1)
                .jsonPath("$.rejected[*].id").isEqualTo(List.of("r1"));
        names.forget();
        // The refused event sent again is refused again; the stored ones are duplicates.
        api.postEvents(tenant.key(), batch(tagged("r1", "c5", "t9"), tagged("r2", "c5", "t2"), tagged("f1", "c1", "t1")))
                .expectStatus().isAccepted()
                .expectBody().json("{\"accepted\":0,\"duplicates\":2}")
                .jsonPath("$.rejected[*].id").isEqualTo(List.of("r1"));
        assertThat(counts(tenant)).isEqualTo(List.of(3, 0));
    }

    @Test
    void aStoredEventWhoseNameWasNeverCountedStaysADuplicate() {
        fillTags(tenant);
        // As for a name that only contacts deleted before the names were counted had used: the count is
        // full, but t1 is not among the recorded names.
        db.sql("DELETE FROM tenant_names WHERE tenant_id = :t AND name = 't1'").bind("t", tenant.id()).then().block();
        names.forget();
        api.postEvents(tenant.key(), batch(tagged("f1", "c1", "t1")))
                .expectStatus().isAccepted().expectBody().json("{\"accepted\":0,\"duplicates\":1,\"rejected\":[]}");
        api.postEvents(tenant.key(), batch(tagged("d9", "c9", "t1")))
                .expectStatus().isAccepted().expectBody().jsonPath("$.rejected[*].id").isEqualTo(List.of("d9"));
    }

    @Test
    void concurrentBatchesNeverTakeMoreThanTheLimit() {
        WebClient web = Api.bearer(port, tenant.key());
        // 12 requests at once, each bringing two new tags and one known to none: 3 names fit in all.
        List<Map> results = Flux.range(0, 12)
                .flatMap(i -> web.post().uri("/v1/events").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(batch(tagged("p" + i + "a", "c" + i, "n" + i), tagged("p" + i + "b", "c" + i, "m" + i),
                                event("p" + i + "c", "c" + i, "review.left", AT, "{\"rating\":3}")))
                        .retrieve().bodyToMono(Map.class), 12)
                .collectList()
                .block(Duration.ofSeconds(60));
        int accepted = results.stream().mapToInt(r -> (Integer) r.get("accepted")).sum();
        int rejected = results.stream().mapToInt(r -> ((List<?>) r.get("rejected")).size()).sum();
        assertThat(accepted).isEqualTo(12 + 3);
        assertThat(rejected).isEqualTo(24 - 3);
        assertThat(counts(tenant)).isEqualTo(List.of(3, 0));
        assertThat(recordedNames(tenant)).hasSize(3);
        List<String> ids = eventIds(tenant);
        assertThat(ids.stream().filter(id -> !id.endsWith("c")).toList()).as("tagging events stored").hasSize(3);
        assertThat(ids.stream().filter(id -> id.endsWith("c")).toList()).as("reviews stored").hasSize(12);
    }

    @Test
    void concurrentBatchesBringingTheSameNewNamesAreAllAccepted() {
        WebClient web = Api.bearer(port, tenant.key());
        // A batch that waited for another to record these very names must see them as recorded, not as
        // three more names over the limit.
        for (int round = 0; round < 2; round++) {
            int r = round;
            List<Map> results = Flux.range(0, 8)
                    .flatMap(i -> web.post().uri("/v1/events").contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(batch(tagged("s" + r + i + "a", "c" + i, "s" + r + "-1"), tagged("s" + r + i + "b", "c" + i, "s" + r + "-2"),
                                    joined("s" + r + i + "c", "c" + i, "s" + r)))
                            .retrieve().bodyToMono(Map.class), 8)
                    .collectList()
                    .block(Duration.ofSeconds(60));
            if (r == 0) {
                assertThat(results).allSatisfy(result -> assertThat((List<?>) result.get("rejected")).isEmpty());
                assertThat(results.stream().mapToInt(x -> (Integer) x.get("accepted")).sum()).isEqualTo(24);
            } else {
                // two more tags, of which the second is over the limit, and a second audience
                assertThat(results.stream().mapToInt(x -> (Integer) x.get("accepted")).sum()).isEqualTo(16);
            }
            names.forget();
        }
        assertThat(counts(tenant)).isEqualTo(List.of(3, 2));
    }

    private long storedEvents(Api.TestTenant t) {
        return db.sql("SELECT count(*) FROM events WHERE tenant_id = :t").bind("t", t.id())
                .map(r -> r.get(0, Long.class)).one().block();
    }

    private List<String> eventIds(Api.TestTenant t) {
        return db.sql("SELECT event_id FROM events WHERE tenant_id = :t").bind("t", t.id())
                .map(r -> r.get(0, String.class)).all().collectList().block();
    }

    private List<String> recordedNames(Api.TestTenant t) {
        return db.sql("SELECT kind || ':' || name FROM tenant_names WHERE tenant_id = :t").bind("t", t.id())
                .map(r -> r.get(0, String.class)).all().collectList().block();
    }

    /** The tenant's counted tags and audiences. */
    private List<Integer> counts(Api.TestTenant t) {
        return db.sql("SELECT tags, audiences FROM tenant_name_counts WHERE tenant_id = :t").bind("t", t.id())
                .map(r -> List.of(r.get("tags", Integer.class), r.get("audiences", Integer.class))).one().block();
    }
}
