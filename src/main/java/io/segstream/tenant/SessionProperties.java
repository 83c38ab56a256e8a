package io.segstream.tenant;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Browser sessions ({@code segstream.sessions.*}).
 *
 * @param ttl how long a session cookie authenticates after sign-in
 */
@ConfigurationProperties("segstream.sessions")
public record SessionProperties(@DefaultValue("12h") Duration ttl) {

    public SessionProperties {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("segstream.sessions.ttl must be positive");
        }
    }
}
