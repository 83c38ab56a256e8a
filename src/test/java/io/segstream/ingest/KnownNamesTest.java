package io.segstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.ingest.TagNames.Kind;
import io.segstream.ingest.TagNames.Name;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The names an instance remembers: per tenant, and never more than its capacity. */
class KnownNamesTest {

    private static Name tag(String name) {
        return new Name(Kind.TAG, name);
    }

    @Test
    void namesArePerTenantAndPerKind() {
        KnownNames known = new KnownNames(10);
        known.addAll("acme", List.of(tag("vip"), new Name(Kind.AUDIENCE, "loyal")));
        assertThat(known.contains("acme", tag("vip"))).isTrue();
        assertThat(known.contains("acme", new Name(Kind.AUDIENCE, "vip"))).isFalse();
        assertThat(known.contains("other", tag("vip"))).isFalse();
        known.addAll("acme", List.of(tag("vip")));
        assertThat(known.size()).isEqualTo(2);
    }

    @Test
    void pastItsCapacityItStartsOver() {
        KnownNames known = new KnownNames(3);
        known.addAll("a", List.of(tag("1"), tag("2")));
        known.addAll("b", List.of(tag("3")));
        assertThat(known.size()).isEqualTo(3);
        known.addAll("b", List.of(tag("4")));
        assertThat(known.size()).isEqualTo(1);
        assertThat(known.contains("a", tag("1"))).isFalse();
        assertThat(known.contains("b", tag("4"))).isTrue();
        known.clear();
        assertThat(known.contains("b", tag("4"))).isFalse();
    }
}
