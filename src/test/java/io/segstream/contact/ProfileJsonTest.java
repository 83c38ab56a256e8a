package io.segstream.contact;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ProfileJsonTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void storedFormReadsBackToTheSameProfile() {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            Profile p = Profile.replay(ProfileTest.randomHistory(random, 1 + random.nextInt(20)));
            String stored = json.writeValueAsString(ProfileJson.write(p));
            assertThat(ProfileJson.read(json.readTree(stored))).as(stored).isEqualTo(p);
        }
    }

    @Test
    void numbersAreStoredInPlainNotationAsJsonbPrintedThem() {
        Profile p = Profile.replay(java.util.List.of(new ContactEvent("e1", "c", "contact.updated", java.time.Instant.parse("2026-11-01T10:00:00Z"),
                new ProfileEffect.Updated(java.util.Map.of("big", java.util.Optional.of(new io.segstream.rules.Value.Num(new java.math.BigDecimal("1.2345678901234567891E+25"))),
                        "small", java.util.Optional.of(new io.segstream.rules.Value.Num(new java.math.BigDecimal("2.50"))))))));
        String stored = ProfileJson.storedForm(json).writeValueAsString(ProfileJson.write(p));
        assertThat(stored).contains("12345678901234567891000000").contains("2.50").doesNotContain("E+");
    }

    @Test
    void emptyStateIsTheEmptyProfile() {
        assertThat(ProfileJson.read(json.readTree("{}"))).isEqualTo(Profile.EMPTY);
    }
}
