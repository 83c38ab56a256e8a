package io.segstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TenantPermitsTest {

    @Test
    void eachTenantHasItsOwnLimitAndReleasedPermitsAreForgotten() {
        TenantPermits permits = new TenantPermits(2);
        assertThat(permits.tryAcquire("a")).isTrue();
        assertThat(permits.tryAcquire("a")).isTrue();
        assertThat(permits.tryAcquire("a")).as("over the limit").isFalse();
        assertThat(permits.tryAcquire("b")).as("another tenant").isTrue();
        permits.release("a");
        assertThat(permits.tryAcquire("a")).isTrue();
        permits.release("a");
        permits.release("a");
        permits.release("b");
        assertThat(permits.inFlight("a")).isZero();
        assertThat(permits.inFlight("b")).isZero();
    }
}
