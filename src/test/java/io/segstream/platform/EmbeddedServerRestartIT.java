package io.segstream.platform;

import static io.segstream.support.Api.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A killed embedded Redis or PostgreSQL ({@code kill -9} of the server process) is restarted by the
 * service on its port with its data; ingest and queries work again, and the log says so in a few lines
 * (one per event and background loop), not a line per failed run.
 */
@IntegrationTest
@ExtendWith(OutputCaptureExtension.class)
// Commits flushed before they are acknowledged, as the service's default: the test server otherwise
// loses the last fraction of a second of commits to a kill -9 (synchronous_commit off).
@TestPropertySource(properties = "segstream.embedded.durable=true")
class EmbeddedServerRestartIT {

    private static final Pattern PROBLEM_LINE = Pattern.compile("^\\S+\\s+(WARN|ERROR)\\s.*$", Pattern.MULTILINE);

    @Autowired
    WebTestClient client;

    @Autowired
    EmbeddedRedisServer redis;

    @Autowired
    EmbeddedPostgresServer postgres;

    @Test
    void aKilledRedisIsRestartedAndQueriesAnswerAgain(CapturedOutput output) {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        tag(api, tenant, "r1", "c1");
        awaitCount(api, tenant, 1);

        long before = redis.pid();
        ProcessHandle.of(before).orElseThrow().destroyForcibly();
        tag(api, tenant, "r2", "c2"); // ingest needs only PostgreSQL
        await().atMost(Duration.ofSeconds(30)).until(() -> redis.pid() != before);
        awaitCount(api, tenant, 2);
        // Let the background loops notice the outage's end (each logs one line when it works again).
        await().atMost(Duration.ofSeconds(10)).until(() -> output.getOut().contains("Embedded Redis restarted"));

        assertThat(lines(output, "Embedded Redis (pid " + before + ") exited unexpectedly")).isEqualTo(1);
        assertThat(lines(output, "Embedded Redis restarted")).isEqualTo(1);
        assertNoFlood(output);
    }

    @Test
    void aKilledPostgresIsRestartedAndIngestWorksAgain(CapturedOutput output) {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\":\"vip\",\"name\":\"VIP\",\"rule\":{\"tag\":\"vip\"}}").expectStatus().isCreated();
        api.awaitLive(tenant.key(), "vip");
        tag(api, tenant, "p1", "d1");
        awaitCount(api, tenant, 1);

        long before = postgres.pid();
        assertThat(before).isPositive();
        ProcessHandle.of(before).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(90)).until(() -> postgres.pid() > 0 && postgres.pid() != before);
        // The pool replaces the connections the dead server broke; the first requests may still meet one.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                api.postEvents(tenant.key(), "[" + event("p2", "d2", "contact.tagged", "2026-01-01T00:00:00Z",
                        "{\"tag\":\"vip\"}") + "]").expectStatus().isAccepted());
        awaitCount(api, tenant, 2);
        client.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        await().atMost(Duration.ofSeconds(10)).until(() -> output.getOut().contains("Timer processing works again after"));

        assertThat(lines(output, "Embedded PostgreSQL (pid " + before + ") exited unexpectedly")).isEqualTo(1);
        assertThat(lines(output, "Embedded PostgreSQL restarted")).isEqualTo(1);
        assertNoFlood(output);
    }

    private static void tag(Api api, Api.TestTenant tenant, String eventId, String contactId) {
        api.postEvents(tenant.key(), "[" + event(eventId, contactId, "contact.tagged", "2026-01-01T00:00:00Z", "{\"tag\":\"vip\"}") + "]")
                .expectStatus().isAccepted();
    }

    private static void awaitCount(Api api, Api.TestTenant tenant, int count) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                api.get(tenant.key(), "/v1/segments/vip/count").expectStatus().isOk().expectBody().jsonPath("$.count").isEqualTo(count));
    }

    private static long lines(CapturedOutput output, String text) {
        return output.getOut().lines().filter(l -> l.contains(text)).count();
    }

    /**
     * Every background loop that failed meanwhile logged one line when it started failing (the timer loop
     * runs every 100 ms here, and used to log each failed run); together with the restart's own lines and
     * the clients' reports, a bounded handful. Lines about single requests (a 503 answered while the
     * server was down, and this test client's report of each retried request) are one per request and
     * not counted.
     */
    private static void assertNoFlood(CapturedOutput output) {
        List<String> problems = PROBLEM_LINE.matcher(output.getOut()).results().map(m -> m.group())
                .filter(line -> !line.contains("ProblemWebExceptionHandler") && !line.contains("reactive.server.ExchangeResult"))
                .toList();
        assertThat(problems).as("WARN/ERROR lines while the server was down").hasSizeLessThanOrEqualTo(12);
    }
}
