package io.segstream.support;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * An integration test whose every test works in a tenant of its own, created before it, and whose tenant
 * must satisfy DESIGN.md's invariants after it ({@link Invariants}): PostgreSQL's memberships, the change
 * log and the Redis projection agree.
 */
public abstract class OneTenantPerTest {

    @Autowired
    protected WebTestClient client;

    @Autowired
    protected DatabaseClient db;

    @Autowired
    protected ReactiveRedisConnectionFactory redis;

    protected Api api;
    protected Api.TestTenant tenant;

    @BeforeEach
    protected void newTenant() {
        api = new Api(client);
        tenant = api.newTenant();
    }

    @AfterEach
    protected void tenantInvariantsHold() {
        new Invariants(db, redis).check(tenant.id());
    }
}
