package io.segstream.demo;

import io.segstream.ingest.InProcessIngest;
import io.segstream.ingest.IngestResult;
import io.segstream.tenant.TenantStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

/**
 * Feeds tenant {@code demo} with simulated activity ({@link ActivityGenerator}) at
 * {@code segstream.demo.rate} events per second, through the service's own ingestion, after creating
 * the example segments ({@link DemoSegments}). Embedded mode only, where tenant {@code demo} exists.
 *
 * <p>An owned pipeline: it starts once the application is ready (after the startup runners, so after
 * the development tenant was created) and is disposed when the context stops, before the connection
 * pools close. One batch is in flight at a time, every 200 ms; ticks that come while a batch is still
 * being stored are dropped, so a slow database lowers the rate instead of queuing work. A failed batch
 * is retried with the same event ids (duplicates are not applied twice); when retries are exhausted the
 * pipeline logs and starts again after a backoff. It never stops the application.
 */
@Component
@ConditionalOnProperty(name = "segstream.demo.enabled", havingValue = "true")
class DemoSimulator implements SmartLifecycle {

    static final String TENANT = "demo";
    static final Duration TICK = Duration.ofMillis(200);
    private static final Logger log = LoggerFactory.getLogger(DemoSimulator.class);

    private final InProcessIngest ingest;
    private final DemoSegments segments;
    private final TenantStore tenants;
    private final JsonMapper json;
    private final Clock clock;
    private final Environment env;
    private final double rate;
    private final ActivityGenerator generator;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicBoolean announced = new AtomicBoolean();
    private double owed;
    private volatile boolean running;
    private volatile Disposable feed;

    DemoSimulator(InProcessIngest ingest, DemoSegments segments, TenantStore tenants, JsonMapper json, Clock clock,
            Environment env, DemoProperties properties) {
        this.ingest = ingest;
        this.segments = segments;
        this.tenants = tenants;
        this.json = json;
        this.clock = clock;
        this.env = env;
        this.rate = properties.rate();
        long seed = properties.seed() != null ? properties.seed() : ThreadLocalRandom.current().nextLong();
        // Ids of this run's events and contacts differ from earlier runs' (one run per second at most).
        this.generator = new ActivityGenerator(seed, Long.toString(clock.millis() / 1000, 36));
    }

    @EventListener
    void onReady(ApplicationReadyEvent ready) {
        if (!running || feed != null) return;
        String url = ready.getApplicationContext() instanceof WebServerApplicationContext web && web.getWebServer() != null
                ? "http://localhost:" + web.getWebServer().getPort() + "/" : "the service's / page";
        feed = prepare(url).thenMany(Flux.interval(TICK).onBackpressureDrop().concatMap(tick -> sendDue(), 1))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofMinutes(1))
                        .doBeforeRetry(s -> log.warn("Demo: simulated activity failed; it starts again after a pause: {}",
                                s.failure().toString())))
                .subscribe(result -> {}, e -> log.error("Demo: simulated activity stopped", e));
    }

    /** Checks that the tenant exists, creates its example segments, and says once where to look. */
    private Mono<Void> prepare(String url) {
        return tenants.find(TENANT)
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("tenant '" + TENANT + "' does not exist (yet)")))
                .then(segments.createIfAbsent(TENANT))
                .doOnSuccess(created -> {
                    if (announced.compareAndSet(false, true)) {
                        log.info("Demo: simulating {} events/s of activity for tenant '{}'. Open {} and sign in with the "
                                + "development key (SEGSTREAM_DEV_KEY, or the key printed when tenant '{}' was created).",
                                rate, TENANT, url, TENANT);
                    }
                })
                .then();
    }

    /** Stores the events due since the last tick (the rate's fractions carried over). */
    private Mono<IngestResult> sendDue() {
        owed += rate * TICK.toMillis() / 1000.0;
        int n = (int) owed;
        if (n == 0) return Mono.empty();
        owed -= n;
        var events = generator.next(n, clock.instant()).stream().map(e -> e.toJson(json)).toList();
        return ingest.ingest(TENANT, events)
                .retryWhen(Retry.backoff(4, Duration.ofMillis(250)).maxBackoff(Duration.ofSeconds(5))
                        .doBeforeRetry(s -> log.debug("Demo: retrying a batch: {}", s.failure().toString())))
                .doOnNext(this::report);
    }

    private void report(IngestResult result) {
        stored.addAndGet(result.accepted());
        if (!result.rejected().isEmpty()) {
            log.warn("Demo: {} simulated events rejected, e.g. {}", result.rejected().size(), result.rejected().get(0));
        }
    }

    /** Events stored so far by this simulator. */
    long stored() {
        return stored.get();
    }

    /** Whether the simulated activity is flowing (or pausing before it starts again). */
    boolean feeding() {
        Disposable d = feed;
        return d != null && !d.isDisposed();
    }

    @Override
    public void start() {
        if (env.getProperty("spring.r2dbc.url", "").isBlank()) {
            running = true;
        } else {
            log.warn("Demo: segstream.demo.enabled is ignored: the demo runs in embedded mode only (no spring.r2dbc.url)");
        }
    }

    @Override
    public void stop() {
        running = false;
        Disposable d = feed;
        if (d != null) d.dispose();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
