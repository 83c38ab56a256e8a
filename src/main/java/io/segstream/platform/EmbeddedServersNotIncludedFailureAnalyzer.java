package io.segstream.platform;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns {@link EmbeddedServersNotIncludedException} into Spring Boot's "APPLICATION FAILED TO START"
 * report: its sentence and what to set or run, and no stack trace (registered in
 * {@code META-INF/spring.factories}).
 */
final class EmbeddedServersNotIncludedFailureAnalyzer extends AbstractFailureAnalyzer<EmbeddedServersNotIncludedException> {

    static final String ACTION = "Point segstream at your servers: SPRING_R2DBC_URL (for example"
            + " r2dbc:postgresql://db:5432/segstream) with SPRING_R2DBC_USERNAME and SPRING_R2DBC_PASSWORD, and"
            + " SPRING_DATA_REDIS_URL (for example redis://cache:6379); see docs/configuration.md. Or run a build"
            + " that includes the embedded servers: ./mvnw spring-boot:run, or ./mvnw -Pembedded package and then"
            + " java -jar target/segstream-<version>-embedded.jar.";

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, EmbeddedServersNotIncludedException cause) {
        return new FailureAnalysis(cause.getMessage(), ACTION, cause);
    }
}
