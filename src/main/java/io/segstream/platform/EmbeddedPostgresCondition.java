package io.segstream.platform;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches in embedded (development) mode: no {@code spring.r2dbc.url} is configured. */
public final class EmbeddedPostgresCondition implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return EmbeddedServersIncluded.postgresEmbedded(context.getEnvironment());
    }
}
