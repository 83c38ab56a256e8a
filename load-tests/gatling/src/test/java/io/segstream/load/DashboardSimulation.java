package io.segstream.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
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

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.SseConnectActionBuilder;
import io.gatling.javaapi.http.SseMessageCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live dashboards, signed in the way browsers do: {@code dashboards} virtual users (opened over
 * {@code ramp.s}) each authenticate without sending the key on the stream, open the server-sent-event
 * stream {@code GET /v1/segments/{segment}/changes} and wait up to {@code sse.timeout.s} for the first
 * {@code enter} or {@code exit} change of that segment, then close the stream. Two ways in ({@code auth}):
 * <ul>
 *   <li>{@code session}: the dashboard page's sign-in, {@code POST /v1/sessions {"key"}} (201, the
 *       session cookie kept in the virtual user's cookie jar), then the stream with that cookie only;
 *   <li>{@code token}: a dashboard hosted elsewhere, {@code POST /v1/stream-tokens
 *       {"segments": [segment], "ttl"}} with the key (201, {@code token}), then the stream with
 *       {@code ?access_token=<token>} only;
 *   <li>{@code both} (default): half the dashboards each way.
 * </ul>
 * Meanwhile a separate "churn" scenario ingests {@code contact.tagged} / {@code contact.untagged}
 * events for the segment's tag with the key, so contacts keep entering and leaving.
 *
 * <p>The segment must be {@code {"tag": "<tag>"}} (setup.sh creates {@code vip} with tag {@code vip}).
 * Every churn event flips one contact of a pool of {@code churn.contacts} (ids {@code dash-<run>-N},
 * new each run): the first visit tags it (enter), the next untags it (exit), and so on, with
 * occurredAt = now so each flip is the contact's latest fact about the tag.
 *
 * <p>Checks: sign-ins 201 naming a tenant; tokens 201 with a token; churn requests 202 with every
 * event accepted; each stream delivers an SSE event whose {@code event} is enter or exit and whose data
 * names the segment, a contact and the change. A stream that times out, fails to connect (a 401 when
 * the cookie or token is not accepted) or ends early is a failed request. Assertions: no failed
 * request; p99 of the churn requests below {@code p99.ms}; p99 of the wait for the first change below
 * {@code first.change.p99.ms} (default: the timeout).
 *
 * <pre>
 * -Dbase.url=http://127.0.0.1:8080 -Dapi.key=KEY (scopes ingest, read)
 * -Dsegment=vip -Dtag=vip -Ddashboards=50 -Dramp.s=10 -Dsse.timeout.s=15 -Dauth=both -Dtoken.ttl=15m
 * -Dchurn.rps=5 -Dchurn.events.per.request=10 -Dchurn.contacts=1000 -Dp99.ms=2000
 * </pre>
 */
public class DashboardSimulation extends Simulation {

    private static final String CHURN_REQUEST = "POST /v1/events (tag churn)";
    private static final String FIRST_CHANGE = "first enter/exit on the stream";
    private static final String STREAM = "GET /v1/segments/{id}/changes";
    private static final String STREAM_BY_COOKIE = STREAM + " (session cookie)";
    private static final String STREAM_BY_TOKEN = STREAM + " (stream token)";

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
    private final String auth = Config.string("auth", "both").toLowerCase(Locale.ROOT);
    private final String tokenTtl = Config.string("token.ttl", "15m");

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

    /**
     * Dashboards are browsers: one connection each (no sharing), and no key on the stream: the session
     * cookie (kept by each virtual user's cookie jar) or the stream token authenticates it.
     */
    private final HttpProtocolBuilder dashboardProtocol = http.baseUrl(Config.baseUrl())
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

    /** Waits for the first change on the stream, then closes it. The check is armed with the connection. */
    private ChainBuilder stream(SseConnectActionBuilder connect) {
        return exec(connect.await(timeout).on(firstChange))
                .exec(sse("close stream").close());
    }

    /** The dashboard page's sign-in: the key once, then the session cookie. */
    private final ScenarioBuilder sessionDashboard = scenario("Dashboard on segment '" + segment + "' (session cookie)")
            .exec(http("POST /v1/sessions").post("/v1/sessions")
                    .header("Content-Type", "application/json")
                    .body(StringBody("{\"key\":" + quoted(Config.apiKey()) + "}"))
                    .check(status().is(201), jsonPath("$.tenant").exists(), jsonPath("$.expiresAt").exists()))
            .exec(stream(sse(STREAM_BY_COOKIE).get("/v1/segments/" + segment + "/changes")));

    /** A dashboard hosted elsewhere: a stream token minted with the key, then {@code ?access_token=}. */
    private final ScenarioBuilder tokenDashboard = scenario("Dashboard on segment '" + segment + "' (stream token)")
            .exec(http("POST /v1/stream-tokens").post("/v1/stream-tokens")
                    .header("Authorization", "Bearer " + Config.apiKey())
                    .header("Content-Type", "application/json")
                    .body(StringBody("{\"segments\":[" + quoted(segment) + "],\"ttl\":" + quoted(tokenTtl) + "}"))
                    .check(status().is(201), jsonPath("$.token").saveAs("streamToken"), jsonPath("$.expiresAt").exists()))
            .exec(stream(sse(STREAM_BY_TOKEN).get("/v1/segments/" + segment + "/changes").queryParam("access_token", "#{streamToken}")));

    /** A JSON string literal. */
    private static String quoted(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** The dashboards of one way in, opened after the churn has started. */
    private PopulationBuilder dashboards(ScenarioBuilder scenario, int users) {
        return scenario.injectOpen(nothingFor(Duration.ofSeconds(1)),
                        ramp.isZero() ? atOnceUsers(users) : rampUsers(users).during(ramp))
                .protocols(dashboardProtocol);
    }

    {
        Duration churnFor = ramp.plus(timeout).plusSeconds(5);
        Config.describe("DashboardSimulation", String.format(
                "%d dashboards (auth %s) over %ds on segment '%s', each waiting <= %ds for enter/exit; churn %.1f requests/s x %d "
                        + "tag flips for %ds; p99 (churn) < %d ms",
                dashboards, auth, ramp.toSeconds(), segment, timeout.toSeconds(), churnRps, churnEventsPerRequest,
                churnFor.toSeconds(), p99));
        List<PopulationBuilder> populations = new ArrayList<>();
        populations.add(churn.injectOpen(constantUsersPerSec(churnRps).during(churnFor)).protocols(apiProtocol));
        switch (auth) {
            case "session" -> populations.add(dashboards(sessionDashboard, dashboards));
            case "token" -> populations.add(dashboards(tokenDashboard, dashboards));
            case "both" -> {
                if (dashboards - dashboards / 2 > 0) populations.add(dashboards(sessionDashboard, dashboards - dashboards / 2));
                if (dashboards / 2 > 0) populations.add(dashboards(tokenDashboard, dashboards / 2));
            }
            default -> throw new IllegalArgumentException("-Dauth must be session, token or both, not '" + auth + "'");
        }
        setUp(populations)
                .assertions(
                        global().failedRequests().count().is(0L),
                        details(CHURN_REQUEST).responseTime().percentile(99.0).lt(p99),
                        details(FIRST_CHANGE).responseTime().percentile(99.0).lte(firstChangeP99));
    }
}
