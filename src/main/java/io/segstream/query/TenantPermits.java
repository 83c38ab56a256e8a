package io.segstream.query;

import java.util.concurrent.ConcurrentHashMap;

/** At most {@code limit} operations of one tenant in flight; a tenant with none in flight holds no entry. */
final class TenantPermits {

    private final int limit;
    private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

    TenantPermits(int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1: " + limit);
        this.limit = limit;
    }

    /** Takes a permit of the tenant if one is free; a taken permit must be {@linkplain #release released}. */
    boolean tryAcquire(String tenantId) {
        boolean[] taken = {false};
        inFlight.compute(tenantId, (k, n) -> {
            int current = n == null ? 0 : n;
            if (current >= limit) return n;
            taken[0] = true;
            return current + 1;
        });
        return taken[0];
    }

    void release(String tenantId) {
        inFlight.computeIfPresent(tenantId, (k, n) -> n <= 1 ? null : n - 1);
    }

    int inFlight(String tenantId) {
        return inFlight.getOrDefault(tenantId, 0);
    }
}
