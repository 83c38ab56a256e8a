package io.segstream.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Steady ingest: {@code rps} requests per second to {@code POST /v1/events}, each carrying
 * {@code events.per.request} realistic events (so rps x events.per.request events per second), after
 * a linear ramp from 1 request/s. Bodies are JSON arrays, NDJSON, or both at random ({@code format}).
 *
 * <p>Every response must be {@code 202} with {@code accepted} equal to the number of events sent, no
 * duplicate and no rejected event (the event ids are new in every run). Assertions: no failed
 * request, p99 below {@code p99.ms}.
 *
 * <pre>
 * -Dbase.url=http://127.0.0.1:8080 -Dapi.key=KEY (scope ingest)
 * -Drps=20 -Devents.per.request=100 -Dduration.s=60 -Dramp.s=10 -Dcontacts=20000
 * -Dformat=mixed|json|ndjson -Dp99.ms=2000
 * </pre>
 */
public class IngestSimulation extends Simulation {

    private final double rps = Config.decimal("rps", 20);
    private final int eventsPerRequest = Config.integer("events.per.request", 100);
    private final Duration ramp = Config.seconds("ramp.s", 10);
    private final Duration duration = Config.seconds("duration.s", 60);
    private final String format = Config.string("format", "mixed");
    private final int p99 = Config.p99Millis(2000);
    private final Events events = new Events(Config.integer("contacts", 20_000));

    private final HttpProtocolBuilder protocol = http.baseUrl(Config.baseUrl())
            .authorizationHeader("Bearer " + Config.apiKey())
            .acceptHeader("application/json")
            .userAgentHeader("segstream-gatling/ingest")
            // The ingest clients are backend services with a connection pool, not one connection per request.
            .shareConnections();

    private HttpRequestActionBuilder postEvents(String name, String contentType, boolean ndjson) {
        return http(name).post("/v1/events")
                .header("Content-Type", contentType)
                .body(StringBody(session -> events.batch(eventsPerRequest, ndjson)))
                .check(
                        status().is(202),
                        jsonPath("$.accepted").ofInt().is(eventsPerRequest),
                        jsonPath("$.duplicates").ofInt().is(0),
                        jsonPath("$.rejected[*]").count().is(0));
    }

    /** Per request: NDJSON with probability {@code ndjsonShare}, else a JSON array. */
    private final double ndjsonShare = switch (format) {
        case "ndjson" -> 1.0;
        case "json" -> 0.0;
        case "mixed" -> 0.5;
        default -> throw new IllegalArgumentException("-Dformat must be json, ndjson or mixed, not " + format);
    };

    private final ScenarioBuilder ingest = scenario("Ingest " + eventsPerRequest + " events a request")
            .doIfOrElse(session -> ThreadLocalRandom.current().nextDouble() < ndjsonShare)
            .then(exec(postEvents("POST /v1/events (NDJSON)", "application/x-ndjson", true)))
            .orElse(exec(postEvents("POST /v1/events (JSON array)", "application/json", false)));

    {
        Config.describe("IngestSimulation", String.format(
                "%.1f requests/s x %d events = %.0f events/s for %ds after a %ds ramp, %s bodies, p99 < %d ms",
                rps, eventsPerRequest, rps * eventsPerRequest, duration.toSeconds(), ramp.toSeconds(), format, p99));
        List<OpenInjectionStep> steps = new ArrayList<>();
        if (!ramp.isZero()) steps.add(rampUsersPerSec(Math.min(1, rps)).to(rps).during(ramp));
        steps.add(constantUsersPerSec(rps).during(duration));
        setUp(ingest.injectOpen(steps))
                .protocols(protocol)
                .assertions(
                        global().failedRequests().count().is(0L),
                        global().responseTime().percentile(99.0).lt(p99));
    }
}
