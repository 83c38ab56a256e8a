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
    void emptyStateIsTheEmptyProfile() {
        assertThat(ProfileJson.read(json.readTree("{}"))).isEqualTo(Profile.EMPTY);
    }
}
