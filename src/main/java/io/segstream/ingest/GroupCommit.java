package io.segstream.ingest;

import io.segstream.platform.FieldError;
import io.segstream.platform.OwnedWork;
import io.segstream.platform.ProblemException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Stores a tenant's requests with at most {@code lanes} transactions in flight; requests that arrive
 * while all are busy wait and then go together, in one transaction, each answered for its own events.
 *
 * <p>Design note: a tenant's transactions end one at a time on its change-log seq lock, each holding it
 * through its commit's flush. When the disk stalls a flush, every batch queued behind it used to take
 * the lock, append and flush in turn: measured, appends waited up to a second after a 100 ms stall. Here a
 * backlog drains as one transaction (up to {@code maxEvents} events), one flush for all. While batches do
 * not overlap nothing changes: each goes alone, at once.
 */
final class GroupCommit {

    /** Stores events (one per id) in one transaction and publishes their changes; emits what became of them. */
    interface Store {
        Mono<Outcome> store(String tenantId, List<IncomingEvent> events);
    }

    /**
     * What became of events: the ids stored, and the ids refused when they were to be stored (a tenant's
     * limit), each with its problem. Any other id was known already (a duplicate).
     */
    record Outcome(Set<String> stored, Map<String, FieldError> refused) {
        Outcome {
            stored = Set.copyOf(stored);
            refused = Map.copyOf(refused);
        }

        static Outcome stored(Set<String> ids) {
            return new Outcome(ids, Map.of());
        }
    }

    private record Pending(List<IncomingEvent> events, Sinks.One<Outcome> done) {}

    /** A tenant's transactions in flight and requests waiting; dropped (retired) when both are none. */
    private static final class Lane {
        int inFlight;
        boolean retired;
        long queuedEvents;
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    }

    private final Store store;
    private final int lanes;
    private final int maxEvents;
    private final long maxQueuedEvents;
    private final Map<String, Lane> byTenant = new ConcurrentHashMap<>();
    private final OwnedWork work = new OwnedWork();

    GroupCommit(Store store, int lanes, int maxEvents, long maxQueuedEvents) {
        if (lanes < 1) throw new IllegalArgumentException("at least one transaction per tenant, not " + lanes);
        this.store = store;
        this.lanes = lanes;
        this.maxEvents = maxEvents;
        this.maxQueuedEvents = maxQueuedEvents;
    }

    /**
     * Stores a request's events (ids unique within it); emits those it stored. Cancelling the result does
     * not cancel the transaction it went into (other requests share it).
     */
    Mono<Outcome> submit(String tenantId, List<IncomingEvent> events) {
        return Mono.defer(() -> {
            Pending pending = new Pending(events, Sinks.one());
            while (true) {
                Lane lane = byTenant.computeIfAbsent(tenantId, t -> new Lane());
                List<Pending> group = null;
                synchronized (lane) {
                    if (lane.retired) continue; // went idle and was dropped meanwhile: take the tenant's new one
                    if (!lane.waiting.isEmpty() && lane.queuedEvents + events.size() > maxQueuedEvents) {
                        return Mono.error(ProblemException.unavailable("Too many events of this tenant are waiting to be stored ("
                                + lane.queuedEvents + "); nothing was stored", Duration.ofSeconds(1)));
                    }
                    lane.waiting.add(pending);
                    lane.queuedEvents += events.size();
                    if (lane.inFlight < lanes) {
                        lane.inFlight++;
                        group = take(lane);
                    }
                }
                if (group != null) run(tenantId, lane, group);
                return pending.done.asMono();
            }
        });
    }

    /**
     * Cancels the transactions in flight (on shutdown, after the web server has drained its requests);
     * later submissions are never stored and their requests never answered.
     */
    void dispose() {
        work.dispose();
    }

    /** Transactions in flight, over all tenants. */
    int inFlight() {
        return work.inFlight();
    }

    /** Tenants with a transaction in flight or requests waiting. */
    int busyTenants() {
        return byTenant.size();
    }

    /** The next group: waiting requests in arrival order, up to maxEvents events (at least one request). */
    private List<Pending> take(Lane lane) {
        List<Pending> group = new ArrayList<>();
        long n = 0;
        while (!lane.waiting.isEmpty() && (group.isEmpty() || n + lane.waiting.peek().events().size() <= maxEvents)) {
            Pending p = lane.waiting.poll();
            group.add(p);
            n += p.events().size();
            lane.queuedEvents -= p.events().size();
        }
        return group;
    }

    private void run(String tenantId, Lane lane, List<Pending> group) {
        // One event per id: the first request of the group that carries an id owns it; the others count it
        // as a duplicate, as if they had come after it (also when the owner's was refused).
        Map<String, Integer> owner = new HashMap<>();
        List<IncomingEvent> events = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            for (IncomingEvent e : group.get(i).events()) {
                if (owner.putIfAbsent(e.event().id(), i) == null) events.add(e);
            }
        }
        work.run(Mono.defer(() -> store.store(tenantId, events))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("A group of batches was stored without a result")))
                .doFinally(signal -> next(tenantId, lane)), outcome -> {
                    for (int i = 0; i < group.size(); i++) {
                        Set<String> mine = new HashSet<>();
                        Map<String, FieldError> refused = new HashMap<>();
                        for (IncomingEvent e : group.get(i).events()) {
                            String id = e.event().id();
                            if (owner.get(id) != i) continue;
                            if (outcome.stored().contains(id)) mine.add(id);
                            FieldError problem = outcome.refused().get(id);
                            if (problem != null) refused.put(id, problem);
                        }
                        group.get(i).done().tryEmitValue(new Outcome(mine, refused));
                    }
                }, error -> group.forEach(p -> p.done().tryEmitError(error)));
    }

    private void next(String tenantId, Lane lane) {
        List<Pending> group = null;
        synchronized (lane) {
            if (!lane.waiting.isEmpty()) {
                group = take(lane);
            } else if (--lane.inFlight == 0) {
                // Nothing in flight or waiting: an instance keeps no state for a tenant that went quiet.
                lane.retired = true;
                byTenant.remove(tenantId, lane);
            }
        }
        if (group != null) run(tenantId, lane, group);
    }
}
