package io.segstream.tenant;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** Tenants and API keys in PostgreSQL. Every call is bounded by a timeout. */
@Repository
public class TenantStore {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final DatabaseClient db;

    public TenantStore(DatabaseClient db) {
        this.db = db;
    }

    /** Inserts the tenant; emits it, or empty when the id is taken. */
    public Mono<Tenant> create(Tenant tenant) {
        return db.sql("""
                        INSERT INTO tenants (id, name, time_zone) VALUES (:id, :name, :zone)
                        ON CONFLICT (id) DO NOTHING RETURNING id""")
                .bind("id", tenant.id())
                .bind("name", tenant.name())
                .bind("zone", tenant.timeZone().getId())
                .map(row -> tenant)
                .one()
                .flatMap(t -> db.sql("INSERT INTO contact_number_blocks (tenant_id, next_no) VALUES (:id, 0) ON CONFLICT DO NOTHING")
                        .bind("id", t.id())
                        .then()
                        .thenReturn(t))
                .timeout(TIMEOUT);
    }

    public Mono<Tenant> find(String id) {
        return db.sql("SELECT id, name, time_zone FROM tenants WHERE id = :id")
                .bind("id", id)
                .map(row -> new Tenant(row.get("id", String.class), row.get("name", String.class),
                        ZoneId.of(row.get("time_zone", String.class))))
                .one()
                .timeout(TIMEOUT);
    }

    /** When the tenant was created; empty when it does not exist. */
    public Mono<java.time.Instant> createdAt(String id) {
        return db.sql("SELECT created_at FROM tenants WHERE id = :id")
                .bind("id", id)
                .map(row -> row.get("created_at", java.time.OffsetDateTime.class).toInstant())
                .one()
                .timeout(TIMEOUT);
    }

    /** Stores a key's hash for an existing tenant; empty when the tenant does not exist. */
    public Mono<String> addKey(String tenantId, String keyId, String keyHash, Set<Scope> scopes) {
        return db.sql("""
                        INSERT INTO api_keys (id, tenant_id, key_hash, scopes)
                        SELECT :keyId, id, :hash, :scopes FROM tenants WHERE id = :tenant
                        RETURNING id""")
                .bind("keyId", keyId)
                .bind("hash", keyHash)
                .bind("scopes", scopes.stream().map(Scope::wireName).sorted().toArray(String[]::new))
                .bind("tenant", tenantId)
                .map(row -> row.get("id", String.class))
                .one()
                .timeout(TIMEOUT);
    }

    /** Sets the hash of a key with a fixed id (the development key), creating it if absent. */
    public Mono<Void> upsertKey(String tenantId, String keyId, String keyHash, Set<Scope> scopes) {
        return db.sql("""
                        INSERT INTO api_keys (id, tenant_id, key_hash, scopes) VALUES (:keyId, :tenant, :hash, :scopes)
                        ON CONFLICT (id) DO UPDATE SET key_hash = EXCLUDED.key_hash, scopes = EXCLUDED.scopes,
                                                       revoked_at = NULL""")
                .bind("keyId", keyId)
                .bind("hash", keyHash)
                .bind("scopes", scopes.stream().map(Scope::wireName).sorted().toArray(String[]::new))
                .bind("tenant", tenantId)
                .then()
                .timeout(TIMEOUT);
    }

    public Mono<Boolean> keyExists(String keyId) {
        return db.sql("SELECT 1 FROM api_keys WHERE id = :id")
                .bind("id", keyId)
                .map(row -> Boolean.TRUE)
                .one()
                .defaultIfEmpty(Boolean.FALSE)
                .timeout(TIMEOUT);
    }

    /** Revokes a key of the tenant; emits false when the tenant has no such key. */
    public Mono<Boolean> revokeKey(String tenantId, String keyId) {
        return db.sql("""
                        UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
                        WHERE id = :keyId AND tenant_id = :tenant""")
                .bind("keyId", keyId)
                .bind("tenant", tenantId)
                .fetch()
                .rowsUpdated()
                .map(n -> n > 0)
                .timeout(TIMEOUT);
    }

    /** The caller owning the key with this hash, or empty for an unknown or revoked key. */
    public Mono<Caller> findCaller(String keyHash) {
        return callerOfUnrevokedKey("k.key_hash", keyHash);
    }

    /** The caller owning the unrevoked key with this id, or empty. */
    public Mono<Caller> findCallerByKeyId(String keyId) {
        return callerOfUnrevokedKey("k.id", keyId);
    }

    /** {@code column} is one of the two key columns above, never caller input. */
    private Mono<Caller> callerOfUnrevokedKey(String column, String value) {
        return db.sql("""
                        SELECT k.id, k.tenant_id, k.scopes, t.time_zone
                        FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
                        WHERE %s = :value AND k.revoked_at IS NULL""".formatted(column))
                .bind("value", value)
                .map(row -> new Caller(row.get("tenant_id", String.class),
                        ZoneId.of(row.get("time_zone", String.class)),
                        row.get("id", String.class),
                        scopes(row.get("scopes", String[].class))))
                .one()
                .timeout(TIMEOUT);
    }

    private static Set<Scope> scopes(String[] names) {
        Set<Scope> out = EnumSet.noneOf(Scope.class);
        List<String> list = names == null ? List.of() : Arrays.asList(names);
        for (String n : list) Scope.fromWire(n).ifPresent(out::add);
        return out;
    }
}
