package io.segstream.changefeed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

class StreamObservationsTest {

    @Test
    void theTwoStreamEndpointsAreChangeStreams() {
        assertThat(StreamObservations.isChangeStream(MockServerHttpRequest.get("/v1/changes").build())).isTrue();
        assertThat(StreamObservations.isChangeStream(MockServerHttpRequest.get("/v1/segments/vip/changes?from=3").build())).isTrue();
    }

    @Test
    void everythingElseIsObservedAsARequest() {
        for (String path : new String[] {"/v1/segments/vip", "/v1/segments/vip/count", "/v1/segments//changes",
                "/v1/segments/a/b/changes", "/v1/segments/changes", "/v1/changes/x", "/v1/events", "/actuator/prometheus"}) {
            assertThat(StreamObservations.isChangeStream(MockServerHttpRequest.get(path).build())).as(path).isFalse();
        }
        assertThat(StreamObservations.isChangeStream(MockServerHttpRequest.method(HttpMethod.POST, "/v1/changes").build())).isFalse();
    }
}
