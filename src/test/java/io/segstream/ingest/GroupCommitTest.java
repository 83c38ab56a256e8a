package io.segstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.segstream.contact.ContactEvent;
import io.segstream.contact.ProfileEffect;
import io.segstream.platform.FieldError;
import io.segstream.platform.ProblemException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import tools.jackson.databind.node.JsonNodeFactory;

/** Requests of a tenant that arrive while its transactions are busy go together, each answered for itself. */
class GroupCommitTest {

    /** A store whose transactions end when the test says; it records what each was given. */
    private final List<List<String>> calls = new CopyOnWriteArrayList<>();
    private final List<Sinks.One<Set<String>>> ends = new CopyOnWriteArrayList<>();
    private final GroupCommit.Store store = (tenant, events) -> {
        calls.add(events.stream().map(e -> e.event().id()).toList());
        Sinks.One<Set<String>> end = Sinks.one();
        ends.add(end);
        return end.asMono().map(GroupCommit.Outcome::stored);
    };

    private static List<IncomingEvent> events(String... ids) {
        List<IncomingEvent> out = new ArrayList<>();
        for (String id : ids) {
            out.add(new IncomingEvent(out.size(), new ContactEvent(id, "c-" + id, "t", Instant.parse("2026-11-01T00:00:00Z"),
                    new ProfileEffect.Behavioural()), "{}", JsonNodeFactory.instance.objectNode()));
        }
        return out;
    }

    private void commit(int call, String... stored) {
        ends.get(call).tryEmitValue(Set.of(stored));
    }

    @Test
    void aGroupStoredWithoutAResultFailsItsRequestsAndFreesItsTransaction() {
        AtomicInteger stores = new AtomicInteger();
        GroupCommit groups = new GroupCommit((tenant, events) -> stores.getAndIncrement() == 0 ? Mono.empty()
                : Mono.just(GroupCommit.Outcome.stored(events.stream().map(e -> e.event().id()).collect(Collectors.toSet()))),
                1, 1_000, 8_000);
        StepVerifier.create(groups.submit("t", events("a")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessage("A group of batches was stored without a result"))
                .verify(Duration.ofSeconds(5));
        // the tenant's only transaction is free again
        StepVerifier.create(groups.submit("t", events("b")))
                .assertNext(o -> assertThat(o.stored()).containsExactly("b"))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void transactionsInFlightAreOwnedAndCancelledOnDispose() {
        AtomicInteger cancelled = new AtomicInteger();
        GroupCommit groups = new GroupCommit((tenant, events) -> Mono.<GroupCommit.Outcome>never().doOnCancel(cancelled::incrementAndGet),
                2, 100, 1_000);
        groups.submit("t", events("a1")).map(GroupCommit.Outcome::stored).toFuture();
        groups.submit("u", events("b1")).map(GroupCommit.Outcome::stored).toFuture();
        assertThat(groups.inFlight()).isEqualTo(2);
        groups.dispose();
        assertThat(cancelled.get()).as("transactions cancelled by their owner").isEqualTo(2);
        assertThat(groups.inFlight()).isZero();
    }

    @Test
    void aFinishedTransactionIsNoLongerTracked() {
        GroupCommit groups = new GroupCommit(store, 1, 100, 1_000);
        var first = groups.submit("t", events("a1")).map(GroupCommit.Outcome::stored).toFuture();
        assertThat(groups.inFlight()).isEqualTo(1);
        commit(0, "a1");
        assertThat(first).isCompletedWithValue(Set.of("a1"));
        assertThat(groups.inFlight()).isZero();
    }

    @Test
    void requestsArrivingWhileTheLaneIsBusyGoTogetherAndEachGetsItsOwnEvents() {
        GroupCommit groups = new GroupCommit(store, 1, 100, 1_000);
        var first = groups.submit("t", events("a1", "a2")).map(GroupCommit.Outcome::stored).toFuture();
        var second = groups.submit("t", events("b1")).map(GroupCommit.Outcome::stored).toFuture();
        var third = groups.submit("t", events("c1", "c2")).map(GroupCommit.Outcome::stored).toFuture();
        assertThat(calls).containsExactly(List.of("a1", "a2"));

        commit(0, "a1", "a2");
        assertThat(first).isCompletedWithValue(Set.of("a1", "a2"));
        assertThat(calls).hasSize(2).last().isEqualTo(List.of("b1", "c1", "c2"));
        assertThat(second).isNotDone();

        commit(1, "b1", "c2"); // c1 was known already
        assertThat(second).isCompletedWithValue(Set.of("b1"));
        assertThat(third).isCompletedWithValue(Set.of("c2"));
    }

    @Test
    void aTenantWithNothingInFlightOrWaitingLeavesNothingBehind() {
        GroupCommit groups = new GroupCommit(store, 1, 100, 1_000);
        var first = groups.submit("t", events("a1")).map(GroupCommit.Outcome::stored).toFuture();
        var second = groups.submit("t", events("b1")).map(GroupCommit.Outcome::stored).toFuture();
        assertThat(groups.busyTenants()).isEqualTo(1);
        commit(0, "a1");
        assertThat(groups.busyTenants()).isEqualTo(1); // b1 in flight
        commit(1, "b1");
        assertThat(groups.busyTenants()).isZero();
        assertThat(first).isCompletedWithValue(Set.of("a1"));
        assertThat(second).isCompletedWithValue(Set.of("b1"));

        // The tenant comes back: a fresh lane, used as before.
        var third = groups.submit("t", events("c1")).map(GroupCommit.Outcome::stored).toFuture();
        assertThat(calls).hasSize(3).last().isEqualTo(List.of("c1"));
        commit(2, "c1");
        assertThat(third).isCompletedWithValue(Set.of("c1"));
        assertThat(groups.busyTenants()).isZero();
    }

    @Test
    void requestsArrivingWhileLanesAreDroppedAreAllStoredOneTransactionAtATime() throws Exception {
        // Transactions end on other threads at once, so lanes go idle and are dropped while requests arrive;
        // a request that joined a dropped lane would run beside the tenant's new one, beyond its lanes.
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        AtomicInteger most = new AtomicInteger();
        GroupCommit.Store immediate = (tenant, events) -> Mono.fromCallable(() -> {
                    AtomicInteger running = inFlight.computeIfAbsent(tenant, t -> new AtomicInteger());
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    Set<String> ids = events.stream().map(e -> e.event().id()).collect(Collectors.toSet());
                    running.decrementAndGet();
                    return GroupCommit.Outcome.stored(ids);
                })
                .subscribeOn(Schedulers.parallel());
        GroupCommit groups = new GroupCommit(immediate, 1, 100, 100_000);
        var pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Set<String>>> results = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                String id = "r" + i;
                results.add(pool.submit(() -> groups.submit("t" + (id.hashCode() & 1), events(id)).map(GroupCommit.Outcome::stored).block(Duration.ofSeconds(10))));
            }
            Set<String> stored = new HashSet<>();
            for (var r : results) stored.addAll(r.get(20, TimeUnit.SECONDS));
            assertThat(stored).hasSize(20_000);
            assertThat(most).hasValue(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> groups.busyTenants() == 0);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTenantNeedsAtLeastOneTransaction() {
        assertThatThrownBy(() -> new GroupCommit(store, 0, 100, 1_000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIdInTwoRequestsOfAGroupIsStoredOnceForTheFirst() {
        GroupCommit groups = new GroupCommit(store, 1, 100, 1_000);
        groups.submit("t", events("x")).subscribe();
        var early = groups.submit("t", events("d1", "shared")).map(GroupCommit.Outcome::stored).toFuture();
        var late = groups.submit("t", events("shared", "d2")).map(GroupCommit.Outcome::stored).toFuture();
        commit(0, "x");
        assertThat(calls.get(1)).containsExactly("d1", "shared", "d2");
        commit(1, "d1", "shared", "d2");
        assertThat(early).isCompletedWithValue(Set.of("d1", "shared"));
        assertThat(late).isCompletedWithValue(Set.of("d2"));
    }

    @Test
    void aGroupIsBoundedByEventsAndLanesRunSideBySidePerTenant() {
        GroupCommit groups = new GroupCommit(store, 2, 3, 1_000);
        groups.submit("t", events("p1")).subscribe();
        groups.submit("t", events("q1")).subscribe();
        groups.submit("other", events("o1")).subscribe();
        assertThat(calls).hasSize(3); // two lanes for t, one for the other tenant
        groups.submit("t", events("r1", "r2")).subscribe();
        groups.submit("t", events("s1", "s2")).subscribe();
        groups.submit("t", events("u1")).subscribe();
        commit(0, "p1");
        // r (2 events) fits, s would make 4 > 3: it waits for the next group
        assertThat(calls.get(3)).containsExactly("r1", "r2");
        commit(1, "q1");
        assertThat(calls.get(4)).containsExactly("s1", "s2", "u1");
    }

    @Test
    void aFailedTransactionFailsEveryRequestInItAndTheLaneGoesOn() {
        GroupCommit groups = new GroupCommit(store, 1, 100, 1_000);
        groups.submit("t", events("f0")).subscribe();
        var a = groups.submit("t", events("f1")).map(GroupCommit.Outcome::stored).toFuture();
        var b = groups.submit("t", events("f2")).map(GroupCommit.Outcome::stored).toFuture();
        commit(0, "f0");
        ends.get(1).tryEmitError(new IllegalStateException("database gone"));
        assertThat(a).isCompletedExceptionally();
        assertThat(b).isCompletedExceptionally();
        var c = groups.submit("t", events("f3")).map(GroupCommit.Outcome::stored).toFuture();
        commit(2, "f3");
        assertThat(c).isCompletedWithValue(Set.of("f3"));
    }

    @Test
    void tooManyWaitingEventsIs503AndTheRequestIsNotQueued() {
        GroupCommit groups = new GroupCommit(store, 1, 100, 3);
        groups.submit("t", events("w0")).subscribe();
        groups.submit("t", events("w1", "w2")).subscribe();
        StepVerifier.create(groups.submit("t", events("w3", "w4")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ProblemException.class).hasMessageContaining("waiting"))
                .verify();
        commit(0, "w0");
        assertThat(calls.get(1)).containsExactly("w1", "w2");
    }

    @Test
    void cancellingOneRequestDoesNotCancelItsTransaction() {
        GroupCommit groups = new GroupCommit(store, 1, 100, 1_000);
        groups.submit("t", events("k0")).subscribe();
        var gone = groups.submit("t", events("k1")).subscribe();
        var kept = groups.submit("t", events("k2")).map(GroupCommit.Outcome::stored).toFuture();
        gone.dispose();
        commit(0, "k0");
        assertThat(calls.get(1)).containsExactly("k1", "k2");
        commit(1, "k1", "k2");
        assertThat(kept).isCompletedWithValue(Set.of("k2"));
    }

    @Test
    void aRefusedEventIsReportedToTheRequestThatOwnsItsId() {
        Sinks.One<GroupCommit.Outcome> end = Sinks.one();
        GroupCommit groups = new GroupCommit((tenant, events) -> end.asMono(), 1, 100, 1_000);
        var first = groups.submit("t", events("g1", "g2")).toFuture();
        FieldError limit = new FieldError("/properties/tag", "tenant t has reached its limit of 3 distinct tags");
        end.tryEmitValue(new GroupCommit.Outcome(Set.of("g1"), Map.of("g2", limit, "other", limit)));
        assertThat(first).isCompletedWithValue(new GroupCommit.Outcome(Set.of("g1"), Map.of("g2", limit)));
    }
}
