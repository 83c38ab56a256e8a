package io.segstream.query;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import io.segstream.support.OneTenantPerTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

@IntegrationTest
class QueryIT extends OneTenantPerTest {

    @LocalServerPort
    int port;

    Random random = new Random(515);

    /** contact -> its tags, audiences and unsubscribed channels, as sent. */
    Map<String, Set<String>> facts = new HashMap<>();

    @BeforeEach
    void twoLiveSegments() {
        api.createSegment(tenant.key(), "{\"id\":\"s-a\",\"name\":\"a\",\"rule\":{\"or\":[{\"tag\":\"t0\"},{\"audience\":\"a0\"}]}}")
                .expectStatus().isCreated();
        api.createSegment(tenant.key(), "{\"id\":\"s-b\",\"name\":\"b\",\"rule\":{\"and\":[{\"tag\":\"t1\"},{\"not\":{\"tag\":\"t2\"}}]}}")
                .expectStatus().isCreated();
        for (String s : List.of("s-a", "s-b")) {
            api.awaitLive(tenant.key(), s);
        }
    }

    @Test
    void aListingReadToItsEndReleasesItsSnapshot() {
        List<String> events = new ArrayList<>();
        for (int c = 0; c < 30; c++) events.add(event("r" + c, "r" + c, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"t0\"}"));
        api.postEvents(tenant.key(), "[" + String.join(",", events) + "]").expectStatus().isAccepted();
        assertThat(listAll("{\"all\":[{\"segment\":\"s-a\"}]}", 7)).hasSize(30);
        var conn = redis.getReactiveConnection();
        try {
            List<Long> ttls = conn.keyCommands()
                    .scan(org.springframework.data.redis.core.ScanOptions.scanOptions().match("{t:" + tenant.id() + "}:snap*").build())
                    .flatMap(k -> conn.keyCommands().ttl(k))
                    .collectList().block(Duration.ofSeconds(5));
            assertThat(ttls).as("the listing's snapshot and its meta").hasSize(2)
                    .allSatisfy(ttl -> assertThat(ttl).isBetween(1L, Bitmaps.RELEASED_TTL.toSeconds()));
        } finally {
            conn.close();
        }
    }

    @Test
    void aListingWhoseFirstPageIsItsLastKeepsNoSnapshot() {
        List<String> events = new ArrayList<>();
        for (int c = 0; c < 5; c++) events.add(event("o" + c, "o" + c, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"t0\"}"));
        api.postEvents(tenant.key(), "[" + String.join(",", events) + "]").expectStatus().isAccepted();
        assertThat(listAll("{\"all\":[{\"segment\":\"s-a\"}]}", 10)).hasSize(5);
        assertThat(listAll("{\"all\":[{\"tag\":\"nobody-has-this\"}]}", 10)).isEmpty();
        var conn = redis.getReactiveConnection();
        try {
            assertThat(conn.keyCommands()
                    .scan(org.springframework.data.redis.core.ScanOptions.scanOptions().match("{t:" + tenant.id() + "}:snap*").build())
                    .collectList().block(Duration.ofSeconds(5))).as("no cursor was handed out: nothing kept").isEmpty();
        } finally {
            conn.close();
        }
    }

    @Test
    void setAlgebraAndConsentExclusionEqualABruteForceOracle() {
        List<String> events = new ArrayList<>();
        for (int c = 0; c < 120; c++) {
            String contact = "q" + c;
            Set<String> f = facts.computeIfAbsent(contact, k -> new HashSet<>());
            events.add(event("new-" + c, contact, "contact.created", "2026-01-01T00:00:00Z", null));
            for (int k = 0; k < 4; k++) {
                int pick = random.nextInt(6);
                String id = "e" + c + "-" + k;
                switch (pick) {
                    case 0, 1, 2 -> {
                        String tag = "t" + pick;
                        events.add(event(id, contact, "contact.tagged", "2026-01-02T00:00:0" + k + "Z", "{\"tag\":\"" + tag + "\"}"));
                        f.add("tag:" + tag);
                    }
                    case 3 -> {
                        events.add(event(id, contact, "audience.joined", "2026-01-02T00:00:0" + k + "Z", "{\"audience\":\"a0\"}"));
                        f.add("aud:a0");
                    }
                    default -> {
                        String ch = pick == 4 ? "email" : "sms";
                        events.add(event(id, contact, "contact.unsubscribed", "2026-01-02T00:00:0" + k + "Z", "{\"channel\":\"" + ch + "\"}"));
                        f.add("unsub:" + ch);
                    }
                }
            }
            if (f.contains("tag:t0") || f.contains("aud:a0")) f.add("seg:s-a");
            if (f.contains("tag:t1") && !f.contains("tag:t2")) f.add("seg:s-b");
        }
        for (int i = 0; i < events.size(); i += 200) {
            api.postEvents(tenant.key(), "[" + String.join(",", events.subList(i, Math.min(events.size(), i + 200))) + "]")
                    .expectStatus().isAccepted();
        }
        String[] refs = {"{\"segment\":\"s-a\"}", "{\"segment\":\"s-b\"}", "{\"tag\":\"t0\"}", "{\"tag\":\"t1\"}", "{\"tag\":\"t2\"}",
            "{\"audience\":\"a0\"}"};
        String[] keys = {"seg:s-a", "seg:s-b", "tag:t0", "tag:t1", "tag:t2", "aud:a0"};
        for (int round = 0; round < 40; round++) {
            List<Integer> all = pick(), any = pick(), none = pick();
            String channel = random.nextInt(3) == 0 ? null : random.nextBoolean() ? "email" : "sms";
            String body = "{\"all\":" + json(all, refs) + ",\"any\":" + json(any, refs) + ",\"none\":" + json(none, refs)
                    + (channel == null ? "" : ",\"channel\":\"" + channel + "\"") + "}";
            Set<String> expected = new TreeSet<>();
            facts.forEach((contact, f) -> {
                boolean ok = all.stream().allMatch(i -> f.contains(keys[i]))
                        && (any.isEmpty() || any.stream().anyMatch(i -> f.contains(keys[i])))
                        && none.stream().noneMatch(i -> f.contains(keys[i]))
                        && (channel == null || !f.contains("unsub:" + channel));
                if (ok) expected.add(contact);
            });
            assertThat(listAll(body, 7)).as("query %s", body).isEqualTo(expected);
        }
        api.get(tenant.key(), "/v1/segments/s-a/count").expectBody().jsonPath("$.count")
                .isEqualTo((int) facts.values().stream().filter(f -> f.contains("seg:s-a")).count());
    }

    @Test
    void pagesOfOneListingComeFromOneSnapshotWhileMembershipChanges() {
        List<String> first = new ArrayList<>();
        for (int c = 0; c < 300; c++) first.add(event("p" + c, "m" + c, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"t0\"}"));
        api.postEvents(tenant.key(), "[" + String.join(",", first.subList(0, 150)) + "]").expectStatus().isAccepted();
        api.postEvents(tenant.key(), "[" + String.join(",", first.subList(150, 300)) + "]").expectStatus().isAccepted();

        Map<?, ?> page = api.get(tenant.key(), "/v1/segments/s-a/members?limit=40").expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        long asOf = ((Number) page.get("asOf")).longValue();
        // Membership changes underneath: half leave, new ones enter.
        WebClient web = Api.bearer(port, tenant.key());
        var churn = Flux.range(0, 10).concatMap(b -> web.post().uri("/v1/events").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("[" + java.util.stream.IntStream.range(0, 30).mapToObj(i -> {
                            int c = b * 30 + i;
                            return c % 2 == 0
                                    ? event("u" + c, "m" + c, "contact.untagged", "2026-01-02T00:00:00Z", "{\"tag\":\"t0\"}")
                                    : event("n" + c, "late" + c, "contact.tagged", "2026-01-02T00:00:00Z", "{\"tag\":\"t0\"}");
                        }).collect(Collectors.joining(",")) + "]")
                        .retrieve().toBodilessEntity())
                .subscribeOn(Schedulers.boundedElastic()).then().toFuture();
        Set<String> listed = new TreeSet<>();
        while (true) {
            @SuppressWarnings("unchecked") List<String> members = (List<String>) page.get("members");
            listed.addAll(members);
            assertThat(((Number) page.get("asOf")).longValue()).isEqualTo(asOf);
            Object next = page.get("nextCursor");
            if (next == null) break;
            page = api.get(tenant.key(), "/v1/segments/s-a/members?limit=40&cursor=" + next).expectStatus().isOk()
                    .expectBody(Map.class).returnResult().getResponseBody();
        }
        churn.orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();
        // The union of the pages is the membership as of asOf, replayed from the change log.
        Set<Long> asOfMembers = new TreeSet<>();
        db.sql("SELECT contact_no, bit FROM changes WHERE tenant_id = :t AND key = 'seg:s-a' AND seq <= :s ORDER BY seq")
                .bind("t", tenant.id()).bind("s", asOf)
                .map(r -> new Object[] {r.get(0, Long.class), r.get(1, Boolean.class)}).all().collectList().block(Duration.ofSeconds(30))
                .forEach(r -> {
                    if ((Boolean) r[1]) asOfMembers.add((Long) r[0]);
                    else asOfMembers.remove((Long) r[0]);
                });
        Set<String> expected = new TreeSet<>(db.sql("SELECT contact_id FROM contacts WHERE tenant_id = :t AND contact_no = ANY(:n)")
                .bind("t", tenant.id()).bind("n", asOfMembers.toArray(Long[]::new))
                .map(r -> r.get(0, String.class)).all().collectList().block(Duration.ofSeconds(30)));
        assertThat(listed).isEqualTo(expected).hasSize(300);
    }

    @Test
    void anUnknownOrExpiredCursorIsAClearProblem() {
        String bogus = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("v1:0123456789abcdef0123:0".getBytes());
        api.get(tenant.key(), "/v1/segments/s-a/members?cursor=" + bogus).expectStatus().isEqualTo(410)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:segstream:problem:snapshot-expired");
        api.get(tenant.key(), "/v1/segments/s-a/members?cursor=garbage").expectStatus().isBadRequest();
        client.post().uri("/v1/query").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"all\":[{\"segment\":\"nope\"}]}")
                .exchange().expectStatus().isNotFound();
        client.post().uri("/v1/query").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"all\":[{\"colour\":\"red\"}],\"channel\":\"fax\"}")
                .exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].pointer").isEqualTo("/all/0/colour")
                .jsonPath("$.errors[1].pointer").isEqualTo("/channel");
    }

    @Test
    void theFullExportStreamsEveryMemberAsNdjson() {
        List<String> events = new ArrayList<>();
        for (int c = 0; c < 250; c++) events.add(event("x" + c, "x" + c, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"t0\"}"));
        api.postEvents(tenant.key(), "[" + String.join(",", events) + "]").expectStatus().isAccepted();
        List<String> lines = client.get().uri("/v1/segments/s-a/members").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .accept(MediaType.APPLICATION_NDJSON).exchange().expectStatus().isOk()
                .returnResult(String.class).getResponseBody().collectList().block(Duration.ofSeconds(10));
        assertThat(String.join("\n", lines)).contains("{\"contactId\":\"x0\"}", "{\"contactId\":\"x249\"}");
        assertThat(exported("s-a")).hasSize(250).isEqualTo(listAll("{\"all\":[{\"segment\":\"s-a\"}]}", 97));

        // A sparse segment (one member in 25) is read by looking up the members' numbers, not by a range scan.
        events.clear();
        for (int c = 0; c < 250; c++) {
            if (c % 25 == 0) events.add(event("y" + c, "x" + c, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"t1\"}"));
        }
        api.postEvents(tenant.key(), "[" + String.join(",", events) + "]").expectStatus().isAccepted();
        assertThat(exported("s-b")).hasSize(10).isEqualTo(listAll("{\"all\":[{\"segment\":\"s-b\"}]}", 3));
    }

    private Set<String> exported(String segment) {
        List<String> lines = client.get().uri("/v1/segments/" + segment + "/members").header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .accept(MediaType.APPLICATION_NDJSON).exchange().expectStatus().isOk()
                .returnResult(String.class).getResponseBody().collectList().block(Duration.ofSeconds(10));
        Set<String> ids = new TreeSet<>();
        for (String chunk : lines) {
            for (String line : chunk.split("\n")) {
                if (line.isBlank()) continue;
                assertThat(line).matches("\\{\"contactId\":\"[^\"]+\"\\}");
                assertThat(ids.add(line.substring(14, line.length() - 2))).as("exported once: %s", line).isTrue();
            }
        }
        return ids;
    }

    private Set<String> listAll(String body, int limit) {
        Set<String> out = new TreeSet<>();
        Map<?, ?> page = client.post().uri("/v1/query?limit=" + limit).header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        int count = ((Number) page.get("count")).intValue();
        while (true) {
            @SuppressWarnings("unchecked") List<String> members = (List<String>) page.get("members");
            out.addAll(members);
            Object next = page.get("nextCursor");
            if (next == null) break;
            page = client.post().uri("/v1/query?limit=" + limit).header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key())
                    .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"cursor\":\"" + next + "\"}").exchange()
                    .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
        }
        assertThat(out).hasSize(count);
        return out;
    }

    private List<Integer> pick() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < 6; i++) if (random.nextInt(5) == 0) out.add(i);
        return out;
    }

    private static String json(List<Integer> idx, String[] refs) {
        return idx.stream().map(i -> refs[i]).collect(Collectors.joining(",", "[", "]"));
    }
}
