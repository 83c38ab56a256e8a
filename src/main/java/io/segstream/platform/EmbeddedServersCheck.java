package io.segstream.platform;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Stops the start as soon as its configuration is known, before the application context exists, when a
 * server must be embedded but this build does not include it (the production jar): one sentence instead
 * of a class-not-found stack trace (registered in {@code META-INF/spring.factories}; runs after the
 * configuration files and the environment have been read, since it has no order of its own).
 */
final class EmbeddedServersCheck implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        EmbeddedServersIncluded.require(environment, application.getClassLoader());
    }
}
