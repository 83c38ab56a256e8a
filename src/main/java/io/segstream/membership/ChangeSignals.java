package io.segstream.membership;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Says that a tenant's change log grew: after every commit that wrote changes, the Redis projection
 * catches up, then this instance's change feed is woken directly and other instances through Redis
 * pub/sub. A lost wake-up only delays delivery: feeds also poll.
 */
@Component
public class ChangeSignals {

    public static final String CHANNEL = "segstream:changes";
    private static final Logger log = LoggerFactory.getLogger(ChangeSignals.class);

    private final Projection projection;
    private final ReactiveStringRedisTemplate redis;
    private final Sinks.Many<String> local = Sinks.many().multicast().directBestEffort();

    public ChangeSignals(Projection projection, ReactiveStringRedisTemplate redis) {
        this.projection = projection;
        this.redis = redis;
    }

    /** To call after a commit that wrote changes of {@code tenantId}; never fails. */
    public Mono<Void> committed(String tenantId) {
        // Bounded: while Redis replays or rebuilds a tenant, a commit does not wait for it.
        return projection.catchUpQuietly(tenantId).timeout(Duration.ofSeconds(2), Mono.empty())
                .then(Mono.fromRunnable(() -> local.tryEmitNext(tenantId)))
                .then(redis.convertAndSend(CHANNEL, tenantId)
                        .timeout(Duration.ofSeconds(2))
                        .doOnError(e -> log.debug("Change signal not published: {}", e.toString()))
                        .onErrorResume(e -> Mono.empty())
                        .then());
    }

    /** Tenants whose log grew through this instance. */
    public Flux<String> local() {
        return local.asFlux();
    }
}
