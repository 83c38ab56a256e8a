package io.segstream.contact;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import io.segstream.support.OneTenantPerTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

@IntegrationTest
class ContactProfileIT extends OneTenantPerTest {

    @Test
    void outOfOrderEventsFoldToTheLatestOccurredAtPerKey() {
        // The later facts arrive first, in separate requests.
        post(event("o3", "c1", "contact.updated", "2026-11-03T10:00:00Z", "{\"attributes\":{\"city\":\"Lyon\",\"plan\":null}}"));
        post(event("o4", "c1", "contact.untagged", "2026-11-04T10:00:00Z", "{\"tag\":\"vip\"}"));
        post(event("o5", "c1", "contact.unsubscribed", "2026-11-05T10:00:00Z", "{\"channel\":\"sms\"}"));
        post(event("o1", "c1", "contact.created", "2026-11-01T10:00:00Z",
                "{\"attributes\":{\"city\":\"Paris\",\"plan\":\"gold\",\"score\":12.50,\"active\":true}}"));
        post(event("o2", "c1", "contact.tagged", "2026-11-02T10:00:00Z", "{\"tag\":\"vip\"}"));
        post(event("o2b", "c1", "contact.tagged", "2026-11-02T10:00:00Z", "{\"tag\":\"local\"}"));
        post(event("o0", "c1", "contact.resubscribed", "2026-10-01T10:00:00Z", "{\"channel\":\"all\"}"));
        post(event("o6", "c1", "audience.joined", "2026-11-06T10:00:00Z", "{\"audience\":\"loyal\"}"));

        api.getContact(tenant.key(), "c1").expectStatus().isOk().expectBody().json("""
                {"contactId":"c1","createdAt":"2026-11-01T10:00:00Z",
                 "attributes":{"city":"Lyon","score":12.50,"active":true},
                 "tags":["local"],"audiences":["loyal"],
                 "subscriptions":{"email":true,"sms":false},"segments":[]}""", true);
    }

    @Test
    void createdAtFallsBackToTheEarliestEvent() {
        post(event("f2", "c2", "review.left", "2026-11-05T10:00:00Z", "{\"rating\":5}"));
        post(event("f1", "c2", "message.opened", "2026-11-02T10:00:00Z", null));
        api.getContact(tenant.key(), "c2").expectStatus().isOk()
                .expectBody().jsonPath("$.createdAt").isEqualTo("2026-11-02T10:00:00Z");
    }

    @Test
    void deletionErasesTheProfileAndTheStoredProperties() {
        post(event("x1", "c3", "contact.created", "2026-11-01T10:00:00Z", "{\"attributes\":{\"email\":\"secret@x.y\"}}"));
        post(event("x2", "c3", "review.left", "2026-11-02T10:00:00Z", "{\"text\":\"my phone is 555\"}"));
        post(event("x3", "c3", "contact.deleted", "2026-11-03T10:00:00Z", null));
        api.getContact(tenant.key(), "c3").expectStatus().isNotFound();
        // An older event arriving after the deletion belongs to the erased life: ignored and erased too.
        post(event("x0", "c3", "contact.updated", "2026-10-30T10:00:00Z", "{\"attributes\":{\"phone\":\"555\"}}"));
        api.getContact(tenant.key(), "c3").expectStatus().isNotFound();
        assertThat(nonEmptyProperties("c3")).isZero();

        // A later event starts a new life with none of the old data.
        post(event("x4", "c3", "contact.tagged", "2026-11-04T10:00:00Z", "{\"tag\":\"returning\"}"));
        api.getContact(tenant.key(), "c3").expectStatus().isOk().expectBody()
                .jsonPath("$.attributes").isEmpty()
                .jsonPath("$.tags[0]").isEqualTo("returning")
                .jsonPath("$.createdAt").isEqualTo("2026-11-04T10:00:00Z");
    }

    @Test
    void aContactCreatedAndDeletedInItsFirstBatchIsWrittenErased() {
        // A new contact is written once, with its first state: here the erased one.
        api.postEvents(tenant.key(), "[" + String.join(",",
                        event("z1", "c5", "contact.created", "2026-11-01T10:00:00Z", "{\"attributes\":{\"email\":\"gone@x.y\"}}"),
                        event("z3", "c5", "contact.deleted", "2026-11-03T10:00:00Z", null),
                        event("z2", "c5", "review.left", "2026-11-02T10:00:00Z", "{\"text\":\"call 555\"}")) + "]")
                .expectStatus().isAccepted().expectBody().jsonPath("$.accepted").isEqualTo(3);
        api.getContact(tenant.key(), "c5").expectStatus().isNotFound();
        assertThat(nonEmptyProperties("c5")).isZero();
        post(event("z4", "c5", "contact.tagged", "2026-11-04T10:00:00Z", "{\"tag\":\"back\"}"));
        api.getContact(tenant.key(), "c5").expectStatus().isOk().expectBody()
                .jsonPath("$.attributes").isEmpty()
                .jsonPath("$.tags[0]").isEqualTo("back");
    }

    @Test
    void aDeletionArrivingLateKeepsOnlyTheLaterFacts() {
        post(event("y1", "c4", "contact.created", "2026-11-01T10:00:00Z", "{\"attributes\":{\"email\":\"old@x.y\"}}"));
        post(event("y3", "c4", "contact.created", "2026-11-05T10:00:00Z", "{\"attributes\":{\"email\":\"new@x.y\"}}"));
        post(event("y4", "c4", "contact.tagged", "2026-11-06T10:00:00Z", "{\"tag\":\"kept\"}"));
        post(event("y0", "c4", "contact.tagged", "2026-10-01T10:00:00Z", "{\"tag\":\"erased\"}"));
        post(event("y2", "c4", "contact.deleted", "2026-11-03T10:00:00Z", null));
        api.getContact(tenant.key(), "c4").expectStatus().isOk().expectBody()
                .jsonPath("$.attributes.email").isEqualTo("new@x.y")
                .jsonPath("$.tags.length()").isEqualTo(1)
                .jsonPath("$.tags[0]").isEqualTo("kept")
                .jsonPath("$.createdAt").isEqualTo("2026-11-05T10:00:00Z");
    }

    @Test
    void unknownContactIs404() {
        api.getContact(tenant.key(), "never-seen").expectStatus().isNotFound();
    }

    private void post(String eventJson) {
        api.postEvents(tenant.key(), "[" + eventJson + "]").expectStatus().isAccepted()
                .expectBody().jsonPath("$.accepted").isEqualTo(1);
    }

    private long nonEmptyProperties(String contactId) {
        return db.sql("SELECT count(*) FROM events WHERE tenant_id = :t AND contact_id = :c AND properties <> '{}'::jsonb")
                .bind("t", tenant.id()).bind("c", contactId)
                .map(r -> r.get(0, Long.class)).one().block();
    }
}
