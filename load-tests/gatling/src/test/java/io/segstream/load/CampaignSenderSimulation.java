package io.segstream.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Campaign senders preparing a send: each virtual user picks a segment and
 * <ol>
 *   <li>reads its size: {@code GET /v1/segments/{id}/count} ({@code segment}, {@code count}, {@code asOf});
 *   <li>lists its members: the first page of {@code GET /v1/segments/{id}/members?limit=}, then follows
 *       {@code nextCursor} for up to {@code pages} pages in all; every page must have at most
 *       {@code limit} members and the same {@code asOf} as the first (one listing is one snapshot);
 *   <li>runs one set query, {@code POST /v1/query} with all/any/none refs and a channel (one of
 *       {@code queries}, picked at random), checks {@code count}, {@code members}, {@code asOf}, and
 *       follows its {@code nextCursor} once with {@code {"cursor": ...}} when there is one.
 * </ol>
 * Assertions: no failed request, p99 of all requests below {@code p99.ms}.
 *
 * <pre>
 * -Dbase.url=http://127.0.0.1:8080 -Dapi.key=KEY (scope read)
 * -Dsenders.per.s=5 -Dduration.s=60 -Dramp.s=5 -Dsegments=lyon,happy-reviewers,engaged-email,vip
 * -Dlimit=100 -Dpages=3 -Dp99.ms=500
 * </pre>
 * The default segments and the refs in the default queries (tags t1/t2, audiences a2/a3) are what
 * setup.sh creates and seeds.
 */
public class CampaignSenderSimulation extends Simulation {

    /** nextCursor when it is a string; absent (so not saved) when it is null. */
    private static final String NEXT_CURSOR = "\"nextCursor\"\\s*:\\s*\"([^\"]+)\"";

    private static final List<String> DEFAULT_QUERIES = List.of(
            "{\"all\":[{\"segment\":\"lyon\"}],\"any\":[{\"tag\":\"t1\"},{\"audience\":\"a2\"}],"
                    + "\"none\":[{\"segment\":\"unhappy-reviewers\"}],\"channel\":\"email\"}",
            "{\"all\":[{\"segment\":\"happy-reviewers\"}],\"none\":[{\"tag\":\"t2\"}],\"channel\":\"sms\"}",
            "{\"any\":[{\"segment\":\"lyon\"},{\"segment\":\"engaged-email\"},{\"audience\":\"a3\"}],\"channel\":\"email\"}",
            "{\"all\":[{\"tag\":\"t1\"},{\"audience\":\"a2\"}]}");

    private final double sendersPerSecond = Config.decimal("senders.per.s", 5);
    private final Duration ramp = Config.seconds("ramp.s", 5);
    private final Duration duration = Config.seconds("duration.s", 60);
    private final List<String> segments = Config.list("segments", "lyon,happy-reviewers,engaged-email,vip");
    private final int limit = Config.integer("limit", 100);
    private final int pages = Config.integer("pages", 3);
    private final int p99 = Config.p99Millis(500);
    private final List<String> queries = queries();

    /** -Dqueries=file.ndjson (one query body a line), or the defaults above. */
    private static List<String> queries() {
        String file = Config.string("queries", null);
        if (file == null) return DEFAULT_QUERIES;
        try {
            List<String> lines = Files.readAllLines(Path.of(file)).stream()
                    .map(String::trim).filter(l -> !l.isEmpty()).toList();
            if (lines.isEmpty()) throw new IllegalArgumentException("-Dqueries=" + file + " has no query");
            return lines;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read -Dqueries=" + file, e);
        }
    }

    private final HttpProtocolBuilder protocol = http.baseUrl(Config.baseUrl())
            .authorizationHeader("Bearer " + Config.apiKey())
            .acceptHeader("application/json")
            .userAgentHeader("segstream-gatling/campaign-sender")
            .shareConnections();

    private final Iterator<Map<String, Object>> picks = Stream.generate(() -> {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return Map.<String, Object>of(
                "segment", segments.get(r.nextInt(segments.size())),
                "query", queries.get(r.nextInt(queries.size())));
    }).iterator();

    private final ChainBuilder count = exec(http("GET /v1/segments/{id}/count")
            .get("/v1/segments/#{segment}/count")
            .check(
                    status().is(200),
                    jsonPath("$.segment").isEL("#{segment}"),
                    jsonPath("$.count").ofLong().gte(0L),
                    jsonPath("$.asOf").ofLong().exists()));

    private final ChainBuilder members = exec(session -> session.set("page", 1).remove("cursor"))
            .exec(http("GET /v1/segments/{id}/members (first page)")
                    .get("/v1/segments/#{segment}/members")
                    .queryParam("limit", limit)
                    .check(
                            status().is(200),
                            jsonPath("$.members").exists(),
                            jsonPath("$.members[*]").count().lte(limit),
                            jsonPath("$.asOf").ofLong().saveAs("asOf"),
                            regex(NEXT_CURSOR).optional().saveAs("cursor")))
            .exec(asLongAs(this::morePages).on(
                    exec(session -> session.set("next", session.getString("cursor")).remove("cursor")
                                    .set("page", session.getInt("page") + 1))
                            .exec(http("GET /v1/segments/{id}/members (next page)")
                                    .get("/v1/segments/#{segment}/members")
                                    .queryParam("limit", limit)
                                    .queryParam("cursor", "#{next}")
                                    .check(
                                            status().is(200),
                                            jsonPath("$.members").exists(),
                                            jsonPath("$.members[*]").count().lte(limit),
                                            jsonPath("$.asOf").ofLong().isEL("#{asOf}"),
                                            regex(NEXT_CURSOR).optional().saveAs("cursor")))));

    private boolean morePages(Session session) {
        return session.contains("cursor") && session.getInt("page") < pages;
    }

    private final ChainBuilder query = exec(session -> session.remove("cursor"))
            .exec(http("POST /v1/query")
                    .post("/v1/query")
                    .queryParam("limit", limit)
                    .header("Content-Type", "application/json")
                    .body(StringBody("#{query}"))
                    .check(
                            status().is(200),
                            jsonPath("$.count").ofLong().gte(0L),
                            jsonPath("$.members").exists(),
                            jsonPath("$.members[*]").count().lte(limit),
                            jsonPath("$.asOf").ofLong().saveAs("asOf"),
                            regex(NEXT_CURSOR).optional().saveAs("cursor")))
            .doIf(session -> session.contains("cursor")).then(
                    exec(http("POST /v1/query (next page)")
                            .post("/v1/query")
                            .queryParam("limit", limit)
                            .header("Content-Type", "application/json")
                            .body(StringBody("{\"cursor\":\"#{cursor}\"}"))
                            .check(
                                    status().is(200),
                                    jsonPath("$.members").exists(),
                                    jsonPath("$.members[*]").count().lte(limit),
                                    jsonPath("$.asOf").ofLong().isEL("#{asOf}"))));

    private final ScenarioBuilder sender = scenario("Campaign sender")
            .feed(picks)
            .exec(count, members, query);

    {
        Config.describe("CampaignSenderSimulation", String.format(
                "%.1f senders/s for %ds after a %ds ramp over segments %s, pages of %d (at most %d), %d queries, p99 < %d ms",
                sendersPerSecond, duration.toSeconds(), ramp.toSeconds(), segments, limit, pages, queries.size(), p99));
        List<OpenInjectionStep> steps = new ArrayList<>();
        if (!ramp.isZero()) steps.add(rampUsersPerSec(Math.min(1, sendersPerSecond)).to(sendersPerSecond).during(ramp));
        steps.add(constantUsersPerSec(sendersPerSecond).during(duration));
        setUp(sender.injectOpen(steps))
                .protocols(protocol)
                .assertions(
                        global().failedRequests().count().is(0L),
                        global().responseTime().percentile(99.0).lt(p99));
    }
}
