package io.segstream.membership;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.rules.Rule;
import io.segstream.rules.RuleLimits;
import io.segstream.rules.RuleReader;
import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import io.segstream.support.Invariants;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** A segment built while events keep arriving ends equal to recomputation from every contact's full history. */
@IntegrationTest
class BackfillIT {

    private static final String RULE = """
            {"or": [{"tag": "t1"},
                    {"and": [{"event": "review.left", "where": [{"property": "rating", "op": "gte", "value": 4}],
                              "count": {"op": "gte", "value": 2}},
                             {"not": {"audience": "a0"}}]}]}""";

    @Autowired
    WebTestClient client;

    @Autowired
    DatabaseClient db;

    @Autowired
    ReactiveRedisConnectionFactory redis;

    @LocalServerPort
    int port;

    @Test
    void backfillWhileEventsFlowEndsEqualToTheOracle() {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        Random random = new Random(20261128);
        for (int batch = 0; batch < 4; batch++) {
            api.postEvents(tenant.key(), batch(random, "pre" + batch, 100)).expectStatus().isAccepted();
        }
        WebClient web = Api.bearer(port, tenant.key());
        List<String> concurrent = new ArrayList<>();
        for (int i = 0; i < 30; i++) concurrent.add(batch(random, "live" + i, 40));
        var flowing = Flux.fromIterable(concurrent)
                .concatMap(body -> web.post().uri("/v1/events").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                        .retrieve().toBodilessEntity())
                .subscribeOn(Schedulers.boundedElastic())
                .then()
                .toFuture();

        api.createSegment(tenant.key(), "{\"id\":\"promoters\",\"name\":\"p\",\"rule\":" + RULE + "}").expectStatus().isCreated();
        flowing.orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();
        api.awaitLive(tenant.key(), "promoters", Duration.ofSeconds(60));

        Set<String> actual = new TreeSet<>(db.sql("SELECT contact_id FROM contacts WHERE tenant_id = :t AND segments @> '{promoters}'")
                .bind("t", tenant.id()).map(r -> r.get(0, String.class)).all().collectList().block());
        assertThat(actual).isNotEmpty().isEqualTo(oracle(tenant.id()));
        new Invariants(db, redis).check(tenant.id());
    }

    private Set<String> oracle(String tenantId) {
        JsonMapper json = JsonMapper.builder().build();
        Rule rule = RuleReader.read(json.readTree(RULE), "/rule", RuleLimits.DEFAULT).rule();
        Map<String, List<IncrementalEvaluationTest.Ev>> byContact = new HashMap<>();
        db.sql("SELECT event_id, contact_id, type, occurred_at, properties::text AS p FROM events WHERE tenant_id = :t")
                .bind("t", tenantId)
                .map(r -> Map.entry(r.get("contact_id", String.class), new IncrementalEvaluationTest.Ev(r.get("event_id", String.class),
                        r.get("type", String.class), r.get("occurred_at", java.time.OffsetDateTime.class).toInstant(),
                        (ObjectNode) json.readTree(r.get("p", String.class)))))
                .all().collectList().block()
                .forEach(e -> byContact.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return byContact.entrySet().stream()
                .filter(e -> {
                    var o = new IncrementalEvaluationTest.Oracle(e.getValue());
                    return o.live() && o.matches(rule, Map.of());
                })
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String batch(Random r, String prefix, int n) {
        Instant base = Instant.parse("2026-10-01T00:00:00Z");
        List<String> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String contact = "c" + r.nextInt(150);
            String at = base.plusSeconds(r.nextInt(40 * 86400)).toString();
            String id = prefix + "-" + i;
            events.add(switch (r.nextInt(6)) {
                case 0 -> event(id, contact, r.nextBoolean() ? "contact.tagged" : "contact.untagged", at, "{\"tag\":\"t" + r.nextInt(2) + "\"}");
                case 1 -> event(id, contact, r.nextBoolean() ? "audience.joined" : "audience.left", at, "{\"audience\":\"a0\"}");
                case 2 -> event(id, contact, r.nextInt(8) == 0 ? "contact.deleted" : "message.opened", at, null);
                default -> event(id, contact, "review.left", at, "{\"rating\":" + r.nextInt(6) + "}");
            });
        }
        return "[" + String.join(",", events) + "]";
    }
}
