package io.segstream.query;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Previews against a brute-force count of the contacts as generated: exact over the bitmaps, exact by
 * evaluating every contact of a small tenant, and sampled in a larger one (the exact limit is set low).
 */
@IntegrationTest
@TestPropertySource(properties = {"segstream.authoring.preview-exact-limit=60", "segstream.authoring.preview-sample=100"})
class PreviewIT {

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    /** A generated contact, as sent. */
    record Contact(String id, boolean t0, boolean t1, boolean a0, boolean unsubSms, Integer score, List<Integer> ratings) {}

    static final Map<String, Predicate<Contact>> BITMAP_RULES = Map.of(
            "{\"and\":[{\"tag\":\"t0\"},{\"not\":{\"audience\":\"a0\"}}]}", c -> c.t0() && !c.a0(),
            "{\"or\":[{\"segment\":\"vip\"},{\"subscribed\":\"sms\"}]}", c -> c.t0() || !c.unsubSms(),
            "{\"not\":{\"tag\":\"t1\"}}", c -> !c.t1());
    static final Map<String, Predicate<Contact>> EVALUATED_RULES = Map.of(
            "{\"and\":[{\"attribute\":\"score\",\"op\":\"gte\",\"value\":5},{\"tag\":\"t1\"}]}",
            c -> c.score() != null && c.score() >= 5 && c.t1(),
            // The signature of segment "happy": its behaviour is stored.
            "{\"event\":\"review.left\",\"where\":[{\"property\":\"rating\",\"op\":\"gte\",\"value\":4}],\"count\":{\"op\":\"gte\",\"value\":2}}",
            c -> c.ratings().stream().filter(r -> r >= 4).count() >= 2,
            // No segment counts these events: they are read from the event log.
            "{\"event\":\"review.left\",\"where\":[{\"property\":\"rating\",\"op\":\"lte\",\"value\":2}]}",
            c -> c.ratings().stream().anyMatch(r -> r <= 2));

    @Test
    @SuppressWarnings("unchecked")
    void previewsEqualABruteForceCount() {
        // The first requests of a fresh application on a busy machine can take longer than the default 5 s.
        Api api = new Api(client.mutate().responseTimeout(java.time.Duration.ofSeconds(30)).build());
        Api.TestTenant small = tenant(api, 40, new Random(1));
        List<Contact> contacts = generated;
        long lastSeq = lastSeq(small.id());

        Map<String, Predicate<Contact>> all = new java.util.HashMap<>(BITMAP_RULES);
        all.putAll(EVALUATED_RULES);
        all.forEach((rule, truth) -> {
            Set<String> expected = matching(contacts, truth);
            Map<String, Object> p = preview(api, small, "{\"rule\":" + rule + ",\"sample\":5}");
            assertThat(p).as(rule).containsEntry("exact", true).containsEntry("count", expected.size())
                    .containsEntry("low", expected.size()).containsEntry("high", expected.size());
            List<String> sample = (List<String>) p.get("sample");
            assertThat(sample).as(rule).hasSize(Math.min(5, expected.size()));
            assertThat(expected).as(rule).containsAll(sample);
            assertThat(((Number) p.get("asOf")).longValue()).isPositive();
        });
        assertThat(lastSeq(small.id())).as("a preview writes nothing").isEqualTo(lastSeq);
        assertThat(api.get(small.key(), "/v1/segments").expectBody(Map.class).returnResult().getResponseBody().get("segments"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).hasSize(2);

        // Validation.
        // The readable syntax reads to the same tree.
        assertThat(preview(api, small, "{\"ruleText\":\"has tag t0 and not in audience a0\"}"))
                .containsEntry("exact", true).containsEntry("count", matching(contacts, c -> c.t0() && !c.a0()).size());
        post(api, small.key(), "{\"ruleText\":\"has tag t0 adn has tag t1\"}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/ruleText")
                .jsonPath("$.errors[0].line").isEqualTo(1).jsonPath("$.errors[0].column").isEqualTo(12);
        post(api, small.key(), "{\"rule\":{\"tag\":\"a\"},\"ruleText\":\"has tag a\"}").expectStatus().isBadRequest();
        post(api, small.key(), "{\"rule\":{\"segment\":\"nope\"}}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/rule/segment");
        post(api, small.key(), "{\"rule\":{\"tag\":\"a\"},\"sample\":0}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/sample");
        post(api, small.key(), "{\"rule\":{\"and\":[{\"tag\":5}]}}").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/rule/and/0/tag");
        post(api, api.key(small.id(), List.of("read")), "{\"rule\":{\"tag\":\"a\"}}").expectStatus().isForbidden();

        // A tenant over the exact limit: bitmap rules stay exact, the others are estimated from 100 contacts.
        Api.TestTenant large = tenant(api, 300, new Random(2));
        List<Contact> many = generated;
        BITMAP_RULES.forEach((rule, truth) -> assertThat(preview(api, large, "{\"rule\":" + rule + "}"))
                .as(rule).containsEntry("exact", true).containsEntry("count", matching(many, truth).size()));
        EVALUATED_RULES.forEach((rule, truth) -> {
            Set<String> expected = matching(many, truth);
            int covered = 0;
            for (int i = 0; i < 10; i++) {
                Map<String, Object> p = preview(api, large, "{\"rule\":" + rule + "}");
                assertThat(p).as(rule).containsEntry("exact", false);
                long low = ((Number) p.get("low")).longValue(), high = ((Number) p.get("high")).longValue();
                long count = ((Number) p.get("count")).longValue();
                assertThat(low).as(rule).isLessThanOrEqualTo(count);
                assertThat(count).as(rule).isLessThanOrEqualTo(high);
                assertThat(high).as(rule).isLessThanOrEqualTo(300);
                assertThat(expected).as(rule).containsAll((List<String>) p.get("sample"));
                if (low <= expected.size() && expected.size() <= high) covered++;
            }
            // Each interval holds the truth with probability about 0.95: 7 of 10 fail to with probability ~0.001.
            assertThat(covered).as(rule + ": intervals holding the true count " + expected.size()).isGreaterThanOrEqualTo(7);
        });
    }

    private List<Contact> generated;

    private Api.TestTenant tenant(Api api, int n, Random random) {
        Api.TestTenant t = api.newTenant();
        api.createSegment(t.key(), "{\"id\":\"vip\",\"name\":\"vip\",\"rule\":{\"tag\":\"t0\"}}").expectStatus().isCreated();
        api.createSegment(t.key(), "{\"id\":\"happy\",\"name\":\"happy\",\"rule\":{\"event\":\"review.left\",\"where\":"
                + "[{\"property\":\"rating\",\"op\":\"gte\",\"value\":4}]}}").expectStatus().isCreated();
        api.awaitLive(t.key(), "vip");
        api.awaitLive(t.key(), "happy");
        generated = new ArrayList<>();
        List<String> events = new ArrayList<>();
        int e = 0;
        for (int i = 0; i < n; i++) {
            List<Integer> ratings = new ArrayList<>();
            for (int r = random.nextInt(4); r > 0; r--) ratings.add(1 + random.nextInt(5));
            Contact c = new Contact("c" + i, random.nextInt(10) < 4, random.nextInt(10) < 3, random.nextBoolean(),
                    random.nextInt(10) < 3, random.nextInt(5) == 0 ? null : random.nextInt(10), ratings);
            generated.add(c);
            String at = "2026-03-0" + (1 + random.nextInt(9)) + "T10:00:00Z";
            events.add(event("e" + e++, c.id(), "contact.created", at,
                    c.score() == null ? null : "{\"attributes\":{\"score\":" + c.score() + "}}"));
            if (c.t0()) events.add(event("e" + e++, c.id(), "contact.tagged", at, "{\"tag\":\"t0\"}"));
            if (c.t1()) events.add(event("e" + e++, c.id(), "contact.tagged", at, "{\"tag\":\"t1\"}"));
            if (c.a0()) events.add(event("e" + e++, c.id(), "audience.joined", at, "{\"audience\":\"a0\"}"));
            if (c.unsubSms()) events.add(event("e" + e++, c.id(), "contact.unsubscribed", at, "{\"channel\":\"sms\"}"));
            for (int r : ratings) events.add(event("e" + e++, c.id(), "review.left", at, "{\"rating\":" + r + "}"));
        }
        for (int i = 0; i < events.size(); i += 400) {
            api.postEvents(t.key(), "[" + String.join(",", events.subList(i, Math.min(events.size(), i + 400))) + "]")
                    .expectStatus().isAccepted();
        }
        return t;
    }

    private static Set<String> matching(List<Contact> contacts, Predicate<Contact> truth) {
        Set<String> out = new HashSet<>();
        for (Contact c : contacts) if (truth.test(c)) out.add(c.id());
        return out;
    }

    private long lastSeq(String tenantId) {
        return db.sql("SELECT last_seq FROM change_seq WHERE tenant_id = :t").bind("t", tenantId)
                .map(r -> r.get(0, Long.class)).one().block();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> preview(Api api, Api.TestTenant t, String body) {
        return post(api, t.key(), body).expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    }

    private static WebTestClient.ResponseSpec post(Api api, String key, String body) {
        return api.client().post().uri("/v1/segments/preview")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange();
    }
}
