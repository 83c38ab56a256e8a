package io.segstream.segment;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.support.OneTenantPerTest;
import io.segstream.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

@IntegrationTest
class SegmentIT extends OneTenantPerTest {

    static final String SEED_SEGMENT = """
            {"id": "referral-promoters", "name": "New promoters who would refer", "rule": {"and": [
              {"attribute": "createdAt", "op": "inCurrent", "value": "month"},
              {"event": "review.left", "where": [{"property": "rating", "op": "gte", "value": 4}]},
              {"event": "survey.answered", "where": [{"property": "survey", "op": "eq", "value": "referral"},
                                                      {"property": "answer", "op": "eq", "value": "YES"}]}]}}""";

    @Test
    void theSeedExampleWorksEndToEnd() {
        Instant now = Instant.now();
        Instant monthStart = now.atZone(ZoneOffset.UTC).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).toInstant();
        String at = (now.minusSeconds(60).isBefore(monthStart) ? monthStart.plusSeconds(1) : now.minusSeconds(60)).toString();
        String lastMonth = monthStart.minus(Duration.ofDays(2)).toString();
        post(event("a1", "ann", "contact.created", at, null),
                event("a2", "ann", "review.left", at, "{\"rating\":5}"),
                event("a3", "ann", "survey.answered", at, "{\"survey\":\"referral\",\"answer\":\"YES\"}"),
                event("b1", "bob", "contact.created", at, null),
                event("b2", "bob", "review.left", at, "{\"rating\":3}"),
                event("b3", "bob", "survey.answered", at, "{\"survey\":\"referral\",\"answer\":\"YES\"}"),
                event("c1", "cid", "contact.created", lastMonth, null),
                event("c2", "cid", "review.left", at, "{\"rating\":5}"),
                event("c3", "cid", "survey.answered", at, "{\"survey\":\"referral\",\"answer\":\"YES\"}"));

        api.createSegment(tenant.key(), SEED_SEGMENT).expectStatus().isCreated().expectBody()
                .jsonPath("$.id").isEqualTo("referral-promoters")
                .jsonPath("$.version").isEqualTo(1)
                .jsonPath("$.status").isEqualTo("building")
                .jsonPath("$.rule.and[0].attribute").isEqualTo("createdAt");
        awaitLive("referral-promoters");
        api.get(tenant.key(), "/v1/segments/referral-promoters/count").expectStatus().isOk()
                .expectBody().jsonPath("$.count").isEqualTo(1).jsonPath("$.asOf").isNumber();
        api.get(tenant.key(), "/v1/segments/referral-promoters/members").expectStatus().isOk()
                .expectBody().jsonPath("$.members[0]").isEqualTo("ann").jsonPath("$.members.length()").isEqualTo(1);
        api.getContact(tenant.key(), "ann").expectBody().jsonPath("$.segments[0]").isEqualTo("referral-promoters");
        assertThat(causes("ann")).containsExactly("enter:definition:null");

        // Incremental: bob's new positive review makes him enter, caused by that event.
        post(event("b4", "bob", "review.left", at, "{\"rating\":4}"));
        api.getContact(tenant.key(), "bob").expectBody().jsonPath("$.segments[0]").isEqualTo("referral-promoters");
        assertThat(causes("bob")).containsExactly("enter:event:b4");
        // An unrelated event does not touch the segment.
        post(event("b5", "bob", "message.opened", at, null));
        assertThat(causes("bob")).containsExactly("enter:event:b4");
    }

    @Test
    void aReviewWithinAWindowExpiresOnItsOwnWithinOneSecond() {
        api.createSegment(tenant.key(), "{\"id\":\"recent-reviewers\",\"name\":\"Reviewed in the last 3s\","
                + "\"rule\":{\"event\":\"review.left\",\"within\":\"3s\"}}").expectStatus().isCreated();
        awaitLive("recent-reviewers");
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        post(event("r1", "rita", "review.left", at.toString(), "{\"rating\":5}"));
        assertThat(causes("rita")).containsExactly("enter:event:r1");
        await().atMost(Duration.ofSeconds(10)).until(() -> causes("rita").size() == 2);
        assertThat(causes("rita")).containsExactly("enter:event:r1", "exit:time:null");
        Instant exitAt = db.sql("SELECT at FROM changes WHERE tenant_id = :t AND contact_id = 'rita' AND NOT bit")
                .bind("t", tenant.id()).map(r -> r.get(0, java.time.OffsetDateTime.class).toInstant()).one().block();
        Duration late = Duration.between(at.plusSeconds(3), exitAt);
        assertThat(late).isPositive().isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void segmentsOfSegmentsFollowTheirDependencies() {
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.createSegment(tenant.key(), "{\"id\":\"vip-email\",\"name\":\"VIP by email\",\"rule\":"
                + "{\"and\":[{\"segment\":\"vip\"},{\"subscribed\":\"email\"}]}}").expectStatus().isCreated();
        awaitLive("vip");
        awaitLive("vip-email");
        post(event("v1", "val", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}"),
                event("v2", "vic", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}"));
        post(event("v3", "vic", "contact.unsubscribed", "2026-01-02T00:00:00Z", "{\"channel\":\"all\"}"));
        api.getContact(tenant.key(), "val").expectBody().jsonPath("$.segments").isEqualTo(List.of("vip", "vip-email"));
        api.getContact(tenant.key(), "vic").expectBody().jsonPath("$.segments").isEqualTo(List.of("vip"));

        manage().delete().uri("/v1/segments/vip").exchange().expectStatus().isEqualTo(409);
        manage().delete().uri("/v1/segments/vip-email").exchange().expectStatus().isNoContent();
        api.getContact(tenant.key(), "val").expectBody().jsonPath("$.segments").isEqualTo(List.of("vip"));
        await().atMost(Duration.ofSeconds(10)).until(() -> causes("val").contains("exit:deletion:null"));
        api.get(tenant.key(), "/v1/segments/vip-email").expectStatus().isNotFound();
    }

    @Test
    void aDeletedContactLeavesEverySegment() {
        api.createSegment(tenant.key(), "{\"id\":\"everyone\",\"name\":\"All\",\"rule\":{\"attribute\":\"createdAt\",\"op\":\"exists\"}}")
                .expectStatus().isCreated();
        awaitLive("everyone");
        post(event("d1", "dan", "contact.created", "2026-01-01T00:00:00Z", null));
        post(event("d2", "dan", "contact.deleted", "2026-01-02T00:00:00Z", null));
        assertThat(causes("dan")).containsExactly("enter:event:d1", "exit:event:d2");
        api.get(tenant.key(), "/v1/segments/everyone/count").expectBody().jsonPath("$.count").isEqualTo(0);
    }

    @Test
    void aChangedDefinitionIsRebuiltWithANewVersion() {
        post(event("p1", "pat", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"a\"}"),
                event("p2", "pia", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"b\"}"));
        api.createSegment(tenant.key(), "{\"id\":\"tagged\",\"name\":\"Tagged a\",\"rule\":{\"tag\":\"a\"}}").expectStatus().isCreated();
        awaitLive("tagged");
        manage().put().uri("/v1/segments/tagged").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\":\"Tagged b\",\"rule\":{\"tag\":\"b\"}}")
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.version").isEqualTo(2);
        awaitLive("tagged");
        api.get(tenant.key(), "/v1/segments/tagged/members").expectBody().jsonPath("$.members").isEqualTo(List.of("pia"));
        assertThat(causes("pat")).containsExactly("enter:definition:null", "exit:definition:null");
        manage().put().uri("/v1/segments/nope").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\":\"x\",\"rule\":{\"tag\":\"b\"}}").exchange().expectStatus().isNotFound();
    }

    @Test
    void invalidSegmentsAre400WithPointersAndConflictsAre409() {
        api.createSegment(tenant.key(), "{\"name\":\"\",\"rule\":{\"and\":[{\"tag\":\"x\"},{\"attribute\":\"a\",\"op\":\"nope\"}]}}")
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.errors[?(@.pointer == '/name')]").exists()
                .jsonPath("$.errors[?(@.pointer == '/rule/and/1/op')]").exists();
        api.createSegment(tenant.key(), "{\"name\":\"ref\",\"rule\":{\"or\":[{\"tag\":\"x\"},{\"segment\":\"missing\"}]}}")
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/rule/or/1/segment");
        api.createSegment(tenant.key(), "{\"id\":\"one\",\"name\":\"One\",\"rule\":{\"tag\":\"x\"}}").expectStatus().isCreated();
        api.createSegment(tenant.key(), "{\"id\":\"one\",\"name\":\"Again\",\"rule\":{\"tag\":\"x\"}}").expectStatus().isEqualTo(409);
        api.createSegment(tenant.key(), "{\"id\":\"two\",\"name\":\"Two\",\"rule\":{\"segment\":\"one\"}}").expectStatus().isCreated();
        manage().put().uri("/v1/segments/one").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\":\"One\",\"rule\":{\"segment\":\"two\"}}")
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].message").isEqualTo("creates a cycle: one -> two -> one");
        String readOnly = api.key(tenant.id(), List.of("read"));
        api.createSegment(readOnly, "{\"name\":\"x\",\"rule\":{\"tag\":\"x\"}}").expectStatus().isForbidden();
        var other = api.newTenant();
        api.get(other.key(), "/v1/segments/one").expectStatus().isNotFound();
        awaitLive("one");
        awaitLive("two");
    }

    private void awaitLive(String id) {
        api.awaitLive(tenant.key(), id);
    }

    private void post(String... events) {
        api.postEvents(tenant.key(), "[" + String.join(",", events) + "]").expectStatus().isAccepted()
                .expectBody().jsonPath("$.rejected.length()").isEqualTo(0);
    }

    private List<String> causes(String contactId) {
        return db.sql("SELECT bit, cause_kind, cause_event_id FROM changes WHERE tenant_id = :t AND contact_id = :c "
                        + "AND key LIKE 'seg:%' ORDER BY seq")
                .bind("t", tenant.id()).bind("c", contactId)
                .map(r -> (r.get("bit", Boolean.class) ? "enter" : "exit") + ":" + r.get("cause_kind", String.class) + ":"
                        + r.get("cause_event_id", String.class))
                .all().collectList().block();
    }

    private WebTestClient manage() {
        return client.mutate().defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key()).build();
    }
}
