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
            String stored = ProfileJson.write(p);
            assertThat(json.readTree(stored).isObject()).as("valid JSON: %s", stored).isTrue();
            assertThat(ProfileJson.read(json, stored)).as(stored).isEqualTo(p);
        }
    }

    @Test
    void numbersAreStoredInPlainNotationAsJsonbPrintedThem() {
        Profile p = Profile.replay(java.util.List.of(new ContactEvent("e1", "c", "contact.updated", java.time.Instant.parse("2026-11-01T10:00:00Z"),
                new ProfileEffect.Updated(java.util.Map.of("big", java.util.Optional.of(new io.segstream.rules.Value.Num(new java.math.BigDecimal("1.2345678901234567891E+25"))),
                        "small", java.util.Optional.of(new io.segstream.rules.Value.Num(new java.math.BigDecimal("2.50"))))))));
        String stored = ProfileJson.write(p);
        assertThat(stored).contains("12345678901234567891000000").contains("2.50").doesNotContain("E+");
        assertThat(ProfileJson.read(json, stored).attributes().get("big").value())
                .as("read back exactly, not through a double")
                .isEqualTo(new io.segstream.rules.Value.Num(new java.math.BigDecimal("12345678901234567891000000")));
    }

    @Test
    void textOfAnyKindReadsBackExactly() {
        String[] texts = {"say \"hi\" \\ {a,b}", "tab\tline\nfeed\r\u0001\u001f", "caf\u00e9 \u6f22\u5b57 \ud83d\ude00", "", "null", "/slash</"};
        java.time.Instant at = java.time.Instant.parse("2026-11-01T10:00:00.123456Z");
        for (String t : texts) {
            Profile p = Profile.replay(java.util.List.of(
                    new ContactEvent("id \"" + t, "c", "contact.created", at, new ProfileEffect.Created(java.util.Map.of(
                            "k " + t, new io.segstream.rules.Value.Text(t), "flag", new io.segstream.rules.Value.Bool(true)))),
                    new ContactEvent("tag" + t, "c", "contact.tagged", at.plusSeconds(1), new ProfileEffect.Tagged("t " + t, true))));
            String stored = ProfileJson.write(p);
            assertThat(json.readTree(stored).get("a").get("k " + t).get("v").stringValue()).as(stored).isEqualTo(t);
            assertThat(ProfileJson.read(json, stored)).as(stored).isEqualTo(p);
        }
    }

    @Test
    void aStateWrittenByTheEarlierTreeWriterReadsTheSame() {
        // As stored by the Jackson tree writer the stored form was printed with before (a row of the benchmark).
        String earlier = """
                {"a":{"city":{"v":"Paris","t":"2026-10-11T09:23:51.260299Z","e":"mx82jtab-70158"},\
                "visits":{"v":13,"t":"2026-10-11T09:23:51.260299Z","e":"mx82jtab-70158"},\
                "gone":{"v":null,"t":"2026-10-12T09:00:00Z","e":"x1"},"vip":{"v":false,"t":"2026-10-12T09:00:00Z","e":"x2"}},\
                "tg":{"t5":{"v":true,"t":"2026-10-28T21:04:59.261571Z","e":"mx82iz70-84189"}},\
                "au":{"a5":{"v":true,"t":"2026-10-17T06:47:30.261571Z","e":"mx82iz70-2303"},\
                "a7":{"v":false,"t":"2026-10-16T02:14:51.136844Z","e":"mx82jj5s-70934"}},\
                "ch":{"sms":{"v":false,"t":"2026-10-16T02:14:51Z","e":"u1"}},\
                "cr":{"t":"2026-10-05T22:17:05.260299Z","e":"mx82jtab-38338"},\
                "fi":{"t":"2026-10-05T22:17:05.260299Z","e":"mx82jtab-38338"},\
                "la":{"t":"2026-11-24T04:09:19.627499Z","e":"mx82j9ia-76399"}}""";
        Profile p = ProfileJson.read(json, earlier);
        assertThat(p.currentAttributes()).containsOnly(
                java.util.Map.entry("city", new io.segstream.rules.Value.Text("Paris")),
                java.util.Map.entry("visits", new io.segstream.rules.Value.Num(new java.math.BigDecimal("13"))),
                java.util.Map.entry("vip", new io.segstream.rules.Value.Bool(false)));
        assertThat(p.attributes()).containsKey("gone");
        assertThat(p.tags().get("t5").value()).isTrue();
        assertThat(p.audiences().get("a7").value()).isFalse();
        assertThat(p.subscriptions().get(Channel.SMS).value()).isFalse();
        assertThat(p.created()).isEqualTo(new Stamp(java.time.Instant.parse("2026-10-05T22:17:05.260299Z"), "mx82jtab-38338"));
        assertThat(p.latest().eventId()).isEqualTo("mx82j9ia-76399");
        assertThat(p.deleted()).isNull();
        assertThat(ProfileJson.read(json, ProfileJson.write(p))).isEqualTo(p);
    }

    @Test
    void emptyStateIsTheEmptyProfile() {
        assertThat(ProfileJson.read(json, "{}")).isEqualTo(Profile.EMPTY);
    }
}
