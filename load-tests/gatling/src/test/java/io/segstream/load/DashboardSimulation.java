package io.segstream.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.SseMessageCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live dashboards: {@code dashboards} virtual users (opened over {@code ramp.s}) each open the
 * server-sent-event stream {@code GET /v1/segments/{segment}/changes} and wait up to
 * {@code sse.timeout.s} for the first {@code enter} or {@code exit} change of that segment, then close
 * the stream. Meanwhile a separate "churn" scenario ingests {@code contact.tagged} /
 * {@code contact.untagged} events for the segment's tag, so contacts keep entering and leaving.
 *
 * <p>The segment must be {@code {"tag": "<tag>"}} (setup.sh creates {@code vip} with tag {@code vip}).
 * Every churn event flips one contact of a pool of {@code churn.contacts} (ids {@code dash-<run>-N},
 * new each run): the first visit tags it (enter), the next untags it (exit), and so on, with
 * occurredAt = now so each flip is the contact's latest fact about the tag.
 *
 * <p>Checks: churn requests 202 with every event accepted; each stream delivers an SSE event whose
 * {@code event} is enter or exit and whose data names the segment, a contact and the change. A stream
 * that times out, fails to connect or ends early is a failed request. Assertions: no failed request;
 * p99 of the churn requests below {@code p99.ms}; p99 of the wait for the first change below
 * {@code first.change.p99.ms} (default: the timeout).
 *
 * <pre>
 * -Dbase.url=http://127.0.0.1:8080 -Dapi.key=KEY (scopes ingest, read)
 * -Dsegment=vip -Dtag=vip -Ddashboards=50 -Dramp.s=10 -Dsse.timeout.s=15
 * -Dchurn.rps=5 -Dchurn.events.per.request=10 -Dchurn.contacts=1000 -Dp99.ms=2000
 * </pre>
 */
public class DashboardSimulation extends Simulation {

    private static final String CHURN_REQUEST = "POST /v1/events (tag churn)";
    private static final String FIRST_CHANGE = "first enter/exit on the stream";

    private final String segment = Config.string("segment", "vip");
    private final String tag = Config.string("tag", "vip");
    private final int dashboards = Config.integer("dashboards", 50);
    private final Duration ramp = Config.seconds("ramp.s", 10);
    private final Duration timeout = Config.seconds("sse.timeout.s", 15);
    private final double churnRps = Config.decimal("churn.rps", 5);
    private final int churnEventsPerRequest = Config.integer("churn.events.per.request", 10);
    private final int churnContacts = Config.integer("churn.contacts", 1000);
    private final int p99 = Config.p99Millis(2000);
    private final int firstChangeP99 = Config.integer("first.change.p99.ms", (int) timeout.toMillis());

    private final AtomicLong flips = new AtomicLong();

    /** Churn: the next n flips, each tagging or untagging one contact of the pool, as a JSON array. */
    private String churnBatch() {
        StringBuilder sb = new StringBuilder(churnEventsPerRequest * 170).append('[');
        String now = Instant.now().toString();
        for (int i = 0; i < churnEventsPerRequest; i++) {
            long flip = flips.getAndIncrement();
            long contact = flip % churnContacts;
            boolean tagging = (flip / churnContacts) % 2 == 0;
            if (i > 0) sb.append(',');
            sb.append("{\"id\":\"dash-").append(Events.RUN).append('-').append(flip)
                    .append("\",\"contactId\":\"dash-").append(Events.RUN).append('-').append(contact)
                    .append("\",\"type\":\"").append(tagging ? "contact.tagged" : "contact.untagged")
                    .append("\",\"occurredAt\":\"").append(now)
                    .append("\",\"properties\":{\"tag\":\"").append(tag).append("\"}}");
        }
        return sb.append(']').toString();
    }

    private final HttpProtocolBuilder apiProtocol = http.baseUrl(Config.baseUrl())
            .authorizationHeader("Bearer " + Config.apiKey())
            .acceptHeader("application/json")
            .userAgentHeader("segstream-gatling/churn")
            .shareConnections();

    /** Dashboards are browsers: one connection each (no sharing). */
    private final HttpProtocolBuilder dashboardProtocol = http.baseUrl(Config.baseUrl())
            .authorizationHeader("Bearer " + Config.apiKey())
            .userAgentHeader("segstream-gatling/dashboard");

    private final ScenarioBuilder churn = scenario("Tag churn on '" + tag + "'")
            .exec(http(CHURN_REQUEST).post("/v1/events")
                    .header("Content-Type", "application/json")
                    .body(StringBody(session -> churnBatch()))
                    .check(
                            status().is(202),
                            jsonPath("$.accepted").ofInt().is(churnEventsPerRequest),
                            jsonPath("$.rejected[*]").count().is(0)));

    /** Skips the stream's retry/comment lines and anything but enter/exit; checks the first change. */
    private final SseMessageCheck firstChange = sse.checkMessage(FIRST_CHANGE)
            .matching(jsonPath("$.event").in("enter", "exit"))
            .check(
                    jsonPath("$.id").exists(),
                    jsonPath("$.data.segment").is(segment),
                    jsonPath("$.data.contactId").exists(),
                    jsonPath("$.data.change").in("enter", "exit"),
                    jsonPath("$.data.seq").ofLong().exists());

    private final ScenarioBuilder dashboard = scenario("Dashboard on segment '" + segment + "'")
            // The check is armed with the connection, so no change that arrives first is missed.
            .exec(sse("GET /v1/segments/{id}/changes").get("/v1/segments/" + segment + "/changes")
                    .await(timeout).on(firstChange))
            .exec(sse("close stream").close());

    {
        Duration churnFor = ramp.plus(timeout).plusSeconds(5);
        Config.describe("DashboardSimulation", String.format(
                "%d dashboards over %ds on segment '%s', each waiting <= %ds for enter/exit; churn %.1f requests/s x %d "
                        + "tag flips for %ds; p99 (churn) < %d ms",
                dashboards, ramp.toSeconds(), segment, timeout.toSeconds(), churnRps, churnEventsPerRequest,
                churnFor.toSeconds(), p99));
        setUp(
                churn.injectOpen(constantUsersPerSec(churnRps).during(churnFor)).protocols(apiProtocol),
                // Let the churn start flowing before the first dashboard connects.
                dashboard.injectOpen(nothingFor(Duration.ofSeconds(1)),
                                ramp.isZero() ? atOnceUsers(dashboards) : rampUsers(dashboards).during(ramp))
                        .protocols(dashboardProtocol))
                .assertions(
                        global().failedRequests().count().is(0L),
                        details(CHURN_REQUEST).responseTime().percentile(99.0).lt(p99),
                        details(FIRST_CHANGE).responseTime().percentile(99.0).lte(firstChangeP99));
    }
}
