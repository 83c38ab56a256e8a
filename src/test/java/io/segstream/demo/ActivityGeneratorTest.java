package io.segstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.ingest.EventValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

class ActivityGeneratorTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private final JsonMapper json = JsonMapper.builder().build();
    private final EventValidator validator = new EventValidator(json, Duration.ofHours(1));

    @Test
    void theSameSeedGivesTheSameActivity() {
        List<DemoEvent> a = new ActivityGenerator(42, "run1").next(2_000, NOW);
        List<DemoEvent> b = new ActivityGenerator(42, "run1").next(2_000, NOW);
        List<DemoEvent> c = new ActivityGenerator(43, "run1").next(2_000, NOW);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 42, -3_141_592_653L})
    void everyEventIsValidForIngestion(long seed) {
        List<DemoEvent> events = new ActivityGenerator(seed, "r" + Math.abs(seed)).next(5_000, NOW);
        for (DemoEvent e : events) {
            assertThat(validator.problems(e.toJson(json), NOW)).as("seed %d, event %s", seed, e).isEmpty();
            assertThat(e.occurredAt()).isEqualTo(NOW);
        }
        assertThat(events.stream().map(DemoEvent::id).collect(Collectors.toSet())).hasSize(events.size());
    }

    @Test
    void everyContactStartsWithItsCreationAndThePopulationGrows() {
        ActivityGenerator generator = new ActivityGenerator(5, "grow");
        Set<String> created = new HashSet<>();
        long before = 0;
        for (int round = 0; round < 10; round++) {
            for (DemoEvent e : generator.next(500, NOW)) {
                if (e.type().equals("contact.created")) {
                    assertThat(created.add(e.contactId())).as("created twice: %s", e).isTrue();
                } else {
                    assertThat(created).as("event before its contact's creation: %s", e).contains(e.contactId());
                }
            }
            assertThat(generator.contacts()).isGreaterThan(before).isEqualTo(created.size());
            before = generator.contacts();
        }
    }

    @Test
    void theActivityHasRealisticProportionsAndValues() {
        List<DemoEvent> events = new ActivityGenerator(11, "mix").next(20_000, NOW);
        Map<String, Long> byType = events.stream().collect(Collectors.groupingBy(DemoEvent::type, Collectors.counting()));
        assertThat(byType.keySet()).containsExactlyInAnyOrderElementsOf(ActivityGenerator.TYPES);
        assertThat(share(byType, "contact.created")).isBetween(0.10, 0.14);
        assertThat(share(byType, "review.left")).isBetween(0.12, 0.16);
        assertThat(share(byType, "message.opened")).isBetween(0.29, 0.36);
        assertThat(byType.get("contact.unsubscribed")).isGreaterThan(byType.get("contact.resubscribed"));

        Map<Object, Long> ratings = values(events, "review.left", "rating");
        assertThat(ratings.keySet()).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
        assertThat(ratings.get(5) + ratings.get(4)).as("mostly positive").isGreaterThan(ratings.get(1) + ratings.get(2) + ratings.get(3));
        assertThat(values(events, "review.left", "site").keySet()).containsExactlyInAnyOrder("google", "facebook");
        assertThat(values(events, "survey.answered", "survey").keySet()).containsExactlyInAnyOrder("referral", "nps");
        assertThat(values(events, "survey.answered", "answer").keySet()).containsExactlyInAnyOrder("YES", "NO");
        assertThat(values(events, "contact.tagged", "tag").keySet()).containsExactlyInAnyOrder("vip", "local", "returning");
        assertThat(values(events, "audience.joined", "audience").keySet()).containsExactlyInAnyOrder("loyal-customers", "newsletter");

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> attributes = events.stream().filter(e -> e.type().equals("contact.created"))
                .map(e -> (Map<String, Object>) e.properties().get("attributes")).toList();
        assertThat(attributes).allSatisfy(a -> assertThat(a).containsKeys("firstName", "city"));
        assertThat(attributes.stream().filter(a -> a.containsKey("email")).count()).isGreaterThan(attributes.size() * 8L / 10);
    }

    @Test
    void mostActivityFallsOnRecentContacts() {
        ActivityGenerator generator = new ActivityGenerator(3, "recent");
        generator.next(10_000, NOW);
        long contacts = generator.contacts();
        List<DemoEvent> later = generator.next(2_000, NOW).stream()
                .filter(e -> !e.type().equals("contact.created")).toList();
        long onNewestTenth = later.stream().filter(e -> number(e.contactId()) >= contacts * 9 / 10).count();
        assertThat((double) onNewestTenth / later.size()).isGreaterThan(0.35);
    }

    private static long number(String contactId) {
        return Long.parseLong(contactId.substring(contactId.lastIndexOf('-') + 1));
    }

    private static double share(Map<String, Long> byType, String type) {
        return (double) byType.getOrDefault(type, 0L) / byType.values().stream().mapToLong(Long::longValue).sum();
    }

    private static Map<Object, Long> values(List<DemoEvent> events, String type, String property) {
        Map<Object, Long> out = new HashMap<>();
        events.stream().filter(e -> e.type().equals(type) && e.properties().containsKey(property))
                .forEach(e -> out.merge(e.properties().get(property), 1L, Long::sum));
        return out;
    }
}
