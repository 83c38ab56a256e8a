package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.mock.env.MockEnvironment;

/** The production build's start without PostgreSQL or Redis configured: one sentence, and only then. */
class EmbeddedServersIncludedTest {

    /** Sees the JDK's classes only: a build without the embedded servers. */
    private static final ClassLoader WITHOUT_SERVERS = new ClassLoader(null) {};
    private static final ClassLoader WITH_SERVERS = EmbeddedServersIncludedTest.class.getClassLoader();

    @Test
    void nothingConfiguredAndNoServersNamesBothAndHowToRunOnThem() {
        assertThat(EmbeddedServersIncluded.missing(new MockEnvironment(), WITHOUT_SERVERS)).hasValue(
                "No PostgreSQL configured (set SPRING_R2DBC_URL) and no Redis configured (set SPRING_DATA_REDIS_URL),"
                        + " and this build of segstream does not include the embedded servers:"
                        + " run it with ./mvnw spring-boot:run, or build it with ./mvnw -Pembedded package.");
    }

    @Test
    void onlyWhatIsNotConfiguredIsNamed() {
        var postgresOnly = new MockEnvironment().withProperty("spring.r2dbc.url", "r2dbc:postgresql://db:5432/segstream");
        assertThat(EmbeddedServersIncluded.missing(postgresOnly, WITHOUT_SERVERS)).hasValueSatisfying(sentence -> assertThat(sentence)
                .startsWith("No Redis configured (set SPRING_DATA_REDIS_URL), and this build").doesNotContain("PostgreSQL"));
        var redisOnly = new MockEnvironment().withProperty("spring.data.redis.url", "redis://cache:6379");
        assertThat(EmbeddedServersIncluded.missing(redisOnly, WITHOUT_SERVERS)).hasValueSatisfying(sentence -> assertThat(sentence)
                .startsWith("No PostgreSQL configured (set SPRING_R2DBC_URL), and this build").doesNotContain("Redis"));
    }

    @Test
    void everyWayOfNamingRedisCountsAndABlankUrlDoesNot() {
        var postgres = "r2dbc:postgresql://db:5432/segstream";
        for (String key : new String[] {"spring.data.redis.url", "spring.data.redis.host", "spring.data.redis.cluster.nodes",
                "spring.data.redis.sentinel.master"}) {
            var env = new MockEnvironment().withProperty("spring.r2dbc.url", postgres).withProperty(key, "cache:6379");
            assertThat(EmbeddedServersIncluded.missing(env, WITHOUT_SERVERS)).as(key).isEmpty();
        }
        var blank = new MockEnvironment().withProperty("spring.r2dbc.url", " ").withProperty("spring.data.redis.url", "");
        assertThat(EmbeddedServersIncluded.missing(blank, WITHOUT_SERVERS)).hasValueSatisfying(sentence -> assertThat(sentence)
                .contains("PostgreSQL", "Redis"));
    }

    @Test
    void aBuildWithTheServersStartsOnThemWithNothingConfigured() {
        assertThat(EmbeddedServersIncluded.missing(new MockEnvironment(), WITH_SERVERS)).isEmpty();
    }

    @Test
    void theCheckStopsTheStartBeforeTheContextAndTheReportIsTheSentence() {
        var application = new SpringApplication();
        application.setResourceLoader(new DefaultResourceLoader(WITHOUT_SERVERS));
        var check = new EmbeddedServersCheck();

        var postgresOnly = new MockEnvironment().withProperty("spring.r2dbc.url", "r2dbc:postgresql://db:5432/segstream");
        assertThatThrownBy(() -> check.postProcessEnvironment(postgresOnly, application))
                .isInstanceOfSatisfying(EmbeddedServersNotIncludedException.class, e -> {
                    assertThat(e).hasMessageStartingWith("No Redis configured");
                    FailureAnalysis analysis = new EmbeddedServersNotIncludedFailureAnalyzer().analyze(e);
                    assertThat(analysis.getDescription()).isEqualTo(e.getMessage());
                    assertThat(analysis.getAction()).contains("SPRING_R2DBC_USERNAME", "SPRING_DATA_REDIS_URL",
                            "docs/configuration.md", "-embedded.jar");
                });

        application.setResourceLoader(new DefaultResourceLoader(WITH_SERVERS));
        assertThatCode(() -> check.postProcessEnvironment(new MockEnvironment(), application))
                .doesNotThrowAnyException();
    }
}
