package io.segstream.segment;

import static io.segstream.support.Api.event;

import io.segstream.support.OneTenantPerTest;
import io.segstream.support.IntegrationTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Segments given and answered as readable rules ({@code ruleText}, docs/rule-text.md). */
@IntegrationTest
class SegmentTextIT extends OneTenantPerTest {

    static final String SEED_TEXT = "createdAt in current month and review.left(rating >= 4)"
            + " and survey.answered(survey = \\\"referral\\\", answer = \\\"YES\\\")";

    @Test
    void aSegmentGivenAsTextIsStoredAsItsTreeAndEvaluated() {
        api.createSegment(tenant.key(), "{\"id\":\"vip-email\",\"name\":\"VIP by email\","
                        + "\"ruleText\":\"has tag vip\\n  and subscribed to email\"}")
                .expectStatus().isCreated().expectBody()
                .jsonPath("$.rule.and[0].tag").isEqualTo("vip")
                .jsonPath("$.rule.and[1].subscribed").isEqualTo("email")
                .jsonPath("$.ruleText").isEqualTo("has tag vip and subscribed to email")
                .jsonPath("$.version").isEqualTo(1);
        api.awaitLive(tenant.key(), "vip-email");
        api.postEvents(tenant.key(), "[" + event("t1", "val", "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}") + "]")
                .expectStatus().isAccepted();
        api.getContact(tenant.key(), "val").expectBody().jsonPath("$.segments").isEqualTo(List.of("vip-email"));

        api.get(tenant.key(), "/v1/segments/vip-email").expectStatus().isOk().expectBody()
                .jsonPath("$.rule.and[0].tag").isEqualTo("vip")
                .jsonPath("$.ruleText").isEqualTo("has tag vip and subscribed to email");
        api.get(tenant.key(), "/v1/segments").expectStatus().isOk().expectBody()
                .jsonPath("$.segments[0].ruleText").isEqualTo("has tag vip and subscribed to email")
                .jsonPath("$.segments[0].rule.and[1].subscribed").isEqualTo("email");

        put("vip-email", "{\"name\":\"VIP or gold\",\"ruleText\":\"HAS TAG vip or plan in [\\\"gold\\\"]\"}")
                .expectStatus().isOk().expectBody()
                .jsonPath("$.version").isEqualTo(2)
                .jsonPath("$.rule.or[1].op").isEqualTo("in")
                .jsonPath("$.ruleText").isEqualTo("has tag vip or plan in [\"gold\"]");
    }

    @Test
    void aSegmentGivenAsJsonIsAnsweredWithItsText() {
        api.createSegment(tenant.key(), SegmentIT.SEED_SEGMENT).expectStatus().isCreated().expectBody()
                .jsonPath("$.ruleText").isEqualTo(SEED_TEXT.replace("\\\"", "\""));
        api.createSegment(tenant.key(), "{\"id\":\"seed-text\",\"name\":\"Seed as text\",\"ruleText\":\"" + SEED_TEXT + "\"}")
                .expectStatus().isCreated().expectBody()
                .jsonPath("$.rule.and[0].op").isEqualTo("inCurrent")
                .jsonPath("$.rule.and[2].where[1].value").isEqualTo("YES")
                .jsonPath("$.ruleText").isEqualTo(SEED_TEXT.replace("\\\"", "\""));
        api.createSegment(tenant.key(), "{\"id\":\"big-lapsed\",\"name\":\"Big spenders, lapsed reviewers\",\"ruleText\":"
                        + "\"purchase.made() sum of amount >= 100 within 90d and review.left() last older than 90d\"}")
                .expectStatus().isCreated().expectBody()
                .jsonPath("$.rule.and[0].aggregate.fn").isEqualTo("sum")
                .jsonPath("$.rule.and[0].within").isEqualTo("90d")
                .jsonPath("$.rule.and[1].last.op").isEqualTo("olderThan")
                .jsonPath("$.ruleText").isEqualTo("purchase.made() sum of amount >= 100 within 90d"
                        + " and review.left() last older than 90d");
    }

    @Test
    void ruleAndRuleTextTogetherOrNeitherAre400() {
        api.createSegment(tenant.key(), "{\"name\":\"x\",\"rule\":{\"tag\":\"a\"},\"ruleText\":\"has tag a\"}")
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.errors[0].pointer").isEqualTo("/rule")
                .jsonPath("$.errors[1].pointer").isEqualTo("/ruleText")
                .jsonPath("$.errors[0].message").isEqualTo("give either rule or ruleText, not both");
        api.createSegment(tenant.key(), "{\"name\":\"x\"}")
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.errors[0].pointer").isEqualTo("/rule")
                .jsonPath("$.errors[1].pointer").isEqualTo("/ruleText");
        api.createSegment(tenant.key(), "{\"name\":\"x\",\"ruleText\":42}")
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.errors[0].pointer").isEqualTo("/ruleText")
                .jsonPath("$.errors[0].message").isEqualTo("must be a string");
        api.get(tenant.key(), "/v1/segments").expectBody().jsonPath("$.segments.length()").isEqualTo(0);
    }

    @Test
    void aBadTextIs400WithItsLineAndColumn() {
        api.createSegment(tenant.key(), "{\"name\":\"x\",\"ruleText\":\"has tag vip and\\n  rating => 4\"}")
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.errors.length()").isEqualTo(1)
                .jsonPath("$.errors[0].pointer").isEqualTo("/ruleText")
                .jsonPath("$.errors[0].message").isEqualTo("unknown operator `=>`, did you mean `>=`?")
                .jsonPath("$.errors[0].line").isEqualTo(2)
                .jsonPath("$.errors[0].column").isEqualTo(10);
        api.createSegment(tenant.key(), "{\"name\":\"x\",\"ruleText\":\"has tag vip or in segment nowhere\"}")
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.errors[0].pointer").isEqualTo("/ruleText")
                .jsonPath("$.errors[0].message").isEqualTo("no segment 'nowhere' in this tenant")
                .jsonPath("$.errors[0].line").isEqualTo(1)
                .jsonPath("$.errors[0].column").isEqualTo(27);
        api.createSegment(tenant.key(), "{\"name\":\"x\",\"rule\":{\"subscribed\":\"fax\"}}")
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.errors[0].pointer").isEqualTo("/rule/subscribed")
                .jsonPath("$.errors[0].line").doesNotExist()
                .jsonPath("$.errors[0].column").doesNotExist();
        api.get(tenant.key(), "/v1/segments").expectBody().jsonPath("$.segments.length()").isEqualTo(0);
    }

    private WebTestClient.ResponseSpec put(String id, String json) {
        return client.put().uri("/v1/segments/{id}", id).contentType(MediaType.APPLICATION_JSON)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .bodyValue(json).exchange();
    }
}
