package io.segstream.ingest;

import io.segstream.ingest.TagNames.Name;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tag and audience names this instance knows to be recorded in PostgreSQL ({@code tenant_names}), per
 * tenant. A recorded name is never removed, so a name found here needs no check; names are added only
 * after the transaction that found or recorded them committed. Holds about {@code capacity} names: when
 * more would be added, it starts over empty (the names are then looked up again, without a lock).
 * Thread-safe.
 */
final class KnownNames {

    private final int capacity;
    private final ConcurrentHashMap<String, Set<Name>> byTenant = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();

    KnownNames(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        this.capacity = capacity;
    }

    boolean contains(String tenantId, Name name) {
        Set<Name> names = byTenant.get(tenantId);
        return names != null && names.contains(name);
    }

    /** Adds names recorded in PostgreSQL (call only after the transaction that saw them committed). */
    void addAll(String tenantId, Collection<Name> names) {
        if (names.isEmpty()) return;
        if (size.get() + names.size() > capacity) clear();
        Set<Name> known = byTenant.computeIfAbsent(tenantId, t -> ConcurrentHashMap.newKeySet());
        for (Name n : names) {
            if (known.add(n)) size.incrementAndGet();
        }
    }

    /** Forgets every name (the next batches look them up in PostgreSQL again). */
    void clear() {
        byTenant.clear();
        size.set(0);
    }

    /** Names held, about (concurrent additions may be counted a moment before they are visible). */
    int size() {
        return size.get();
    }
}
