package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.BlockHoundInstaller;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The integration tests run with BlockHound installed: a blocking call on a Reactor thread fails. */
class BlockHoundIT {

    @AfterEach
    void forgetTheViolationsMadeOnPurpose() {
        BlockHoundInstaller.forget();
    }

    @Test
    void aBlockingCallOnAParallelThreadFails() {
        assertThat(BlockHoundInstaller.installed()).as("BlockHound installed for the integration tests").isTrue();
        StepVerifier.create(Mono.fromRunnable(BlockHoundIT::parkBriefly).subscribeOn(Schedulers.parallel()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BlockingOperationError.class)
                        .hasMessageContaining("Unsafe#park"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void theSameCallOnABoundedElasticThreadIsAllowed() {
        StepVerifier.create(Mono.fromCallable(() -> {
                    parkBriefly();
                    return true;
                }).subscribeOn(Schedulers.boundedElastic()))
                .expectNext(true)
                .verifyComplete();
    }

    /** The blocking call under test: parks the calling thread for a millisecond (what every blocking wait comes down to). */
    private static void parkBriefly() {
        LockSupport.parkNanos(1_000_000);
    }
}
