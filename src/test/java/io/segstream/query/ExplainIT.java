package io.segstream.query;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Explanations agree with stored membership, and every and/or/not node with its children. */
@IntegrationTest
class ExplainIT {

    private static final Map<String, String> SEGMENTS = Map.of(
            "vip", "{\"tag\":\"vip\"}",
            "engaged", "{\"and\":[{\"event\":\"review.left\",\"where\":[{\"property\":\"rating\",\"op\":\"gte\",\"value\":4}],"
                    + "\"within\":\"30d\"},{\"not\":{\"tag\":\"blocked\"}}]}",
            "local", "{\"or\":[{\"attribute\":\"city\",\"op\":\"eq\",\"value\":\"Lyon\"},{\"audience\":\"newsletter\"}]}",
            "recent", "{\"attribute\":\"createdAt\",\"op\":\"withinLast\",\"value\":\"7d\"}");
    private static final String COMBO = "{\"or\":[{\"segment\":\"vip\"},{\"and\":[{\"segment\":\"local\"},{\"subscribed\":\"email\"}]}]}";

    @Autowired
    WebTestClient client;

    @Test
    @SuppressWarnings("unchecked")
    void explanationsMatchStoredMembershipNodeByNode() {
        // The first requests of a fresh application on a busy machine can take longer than the default 5 s.
        Api api = new Api(client.mutate().responseTimeout(java.time.Duration.ofSeconds(30)).build());
        Api.TestTenant tenant = api.newTenant();
        SEGMENTS.forEach((id, rule) -> api.createSegment(tenant.key(), "{\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"rule\":" + rule + "}")
                .expectStatus().isCreated());
        api.createSegment(tenant.key(), "{\"id\":\"combo\",\"name\":\"combo\",\"rule\":" + COMBO + "}").expectStatus().isCreated();

        Random random = new Random(4242);
        Instant now = Instant.now();
        List<String> events = new ArrayList<>();
        int n = 0;
        for (int c = 0; c < 40; c++) {
            String contact = "c" + c;
            String created = now.minus(Duration.ofDays(random.nextBoolean() ? 2 : 20)).toString();
            events.add(event("e" + n++, contact, "contact.created", created,
                    "{\"attributes\":{\"city\":\"" + (random.nextBoolean() ? "Lyon" : "Paris") + "\"}}"));
            if (random.nextBoolean()) events.add(event("e" + n++, contact, "contact.tagged", created, "{\"tag\":\"vip\"}"));
            if (random.nextInt(4) == 0) events.add(event("e" + n++, contact, "contact.tagged", created, "{\"tag\":\"blocked\"}"));
            if (random.nextBoolean()) events.add(event("e" + n++, contact, "audience.joined", created, "{\"audience\":\"newsletter\"}"));
            if (random.nextInt(3) == 0) events.add(event("e" + n++, contact, "contact.unsubscribed", created, "{\"channel\":\"email\"}"));
            for (int r = random.nextInt(3); r > 0; r--) {
                String at = now.minus(Duration.ofDays(random.nextBoolean() ? 1 + random.nextInt(20) : 40)).toString();
                events.add(event("e" + n++, contact, "review.left", at, "{\"rating\":" + (1 + random.nextInt(5)) + "}"));
            }
        }
        api.postEvents(tenant.key(), "[" + String.join(",", events) + "]").expectStatus().isAccepted();
        for (String id : List.of("vip", "engaged", "local", "recent", "combo")) api.awaitLive(tenant.key(), id);

        int members = 0;
        for (int i = 0; i < 15; i++) {
            String contact = "c" + random.nextInt(40);
            List<String> stored = (List<String>) api.getContact(tenant.key(), contact).expectStatus().isOk()
                    .expectBody(Map.class).returnResult().getResponseBody().get("segments");
            for (String segment : List.of("vip", "engaged", "local", "recent", "combo")) {
                Map<String, Object> e = api.get(tenant.key(), "/v1/segments/{s}/explain/{c}", segment, contact)
                        .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
                String why = segment + "/" + contact + ": " + e;
                assertThat(e.get("segment")).isEqualTo(segment);
                assertThat(e.get("contactId")).isEqualTo(contact);
                assertThat(e.get("member")).as(why).isEqualTo(stored.contains(segment));
                Map<String, Object> rule = (Map<String, Object>) e.get("rule");
                assertThat(rule.get("result")).as(why).isEqualTo(e.get("member"));
                consistent(rule, why);
                if (segment.equals("vip")) {
                    assertThat(e.get("nextChange")).as(why).isNull();
                    assertThat(rule.get("saw")).as(why).isEqualTo(Map.of("tagged", stored.contains("vip")));
                }
                if (segment.equals("recent")) {
                    // A member leaves 7 days after its creation; a contact created earlier never enters by time alone.
                    assertThat(e.get("nextChange") != null).as(why).isEqualTo(e.get("member"));
                    assertThat(((Map<String, Object>) rule.get("saw")).get("value")).as(why).isNotNull();
                }
                if (e.get("member").equals(true)) members++;
            }
        }
        assertThat(members).as("some explanations are of members").isPositive();

        api.get(tenant.key(), "/v1/segments/vip/explain/nobody").expectStatus().isNotFound();
        api.get(tenant.key(), "/v1/segments/nope/explain/c1").expectStatus().isNotFound();
        Api.TestTenant other = api.newTenant();
        api.createSegment(other.key(), "{\"id\":\"vip\",\"name\":\"vip\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.get(other.key(), "/v1/segments/vip/explain/c1").expectStatus().isNotFound();
        String readOnly = api.key(tenant.id(), List.of("ingest"));
        api.get(readOnly, "/v1/segments/vip/explain/c1").expectStatus().isForbidden();
    }

    /** Every and/or/not node's result follows from its children's; every node has a result. */
    @SuppressWarnings("unchecked")
    private static void consistent(Map<String, Object> node, String why) {
        assertThat(node.get("result")).as(why).isInstanceOf(Boolean.class);
        boolean result = (Boolean) node.get("result");
        if (node.containsKey("and") || node.containsKey("or")) {
            List<Map<String, Object>> children = (List<Map<String, Object>>) (node.containsKey("and") ? node.get("and") : node.get("or"));
            children.forEach(c -> consistent(c, why));
            List<Object> results = children.stream().map(c -> c.get("result")).toList();
            assertThat(result).as(why).isEqualTo(node.containsKey("and") ? !results.contains(false) : results.contains(true));
            assertThat(node).as(why).doesNotContainKey("saw");
        } else if (node.containsKey("not")) {
            Map<String, Object> child = (Map<String, Object>) node.get("not");
            consistent(child, why);
            assertThat(result).as(why).isEqualTo(!(Boolean) child.get("result"));
        } else {
            assertThat(node).as(why + ": a leaf says what it saw").containsKey("saw");
        }
    }
}
