package io.segstream.tenant;

import io.segstream.platform.EmbeddedPostgresCondition;
import io.segstream.platform.SegstreamProperties;
import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Embedded (development) mode only: creates tenant {@code demo} and its all-scopes key at first start
 * and prints the key once. With {@code SEGSTREAM_DEV_KEY} set, that key's value is fixed to it on every
 * start.
 *
 * <p>Design note: runs once on the main thread during startup, where waiting is harmless; the
 * application only reports ready after it.
 */
@Component
@Conditional(EmbeddedPostgresCondition.class)
class DevTenantBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(DevTenantBootstrap.class);
    static final String TENANT = "demo";
    static final String KEY_ID = "demo-dev";

    private final TenantStore store;
    private final String devKey;

    DevTenantBootstrap(TenantStore store, SegstreamProperties properties) {
        this.store = store;
        this.devKey = properties.devKey() == null ? "" : properties.devKey().trim();
    }

    @Override
    public void run(ApplicationArguments args) {
        Mono<Void> setup = store.create(new Tenant(TENANT, "Demo location", ZoneId.of("UTC")))
                .then(store.keyExists(KEY_ID))
                .flatMap(exists -> {
                    if (!devKey.isEmpty()) {
                        log.info("Development key of tenant '{}' fixed by SEGSTREAM_DEV_KEY", TENANT);
                        return store.upsertKey(TENANT, KEY_ID, ApiKeys.hash(devKey), EnumSet.allOf(Scope.class));
                    }
                    if (exists) return Mono.empty();
                    String key = ApiKeys.generate().key();
                    return store.upsertKey(TENANT, KEY_ID, ApiKeys.hash(key), EnumSet.allOf(Scope.class))
                            .doOnSuccess(v -> log.info(
                                    "Created tenant '{}' with development key (shown once): {}", TENANT, key));
                });
        setup.block(Duration.ofSeconds(30));
    }
}
