package io.segstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.rules.Value;
import io.segstream.contact.ProfileEffect;
import io.segstream.platform.FieldError;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

class EventValidatorTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private final JsonMapper json = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private final EventValidator validator = new EventValidator(json, Duration.ofHours(1));

    @Test
    void aBehaviouralEventIsValid() {
        var result = validate("""
                {"id":"e1","contactId":"c-42","type":"review.left","occurredAt":"2026-11-28T10:00:00Z",
                 "properties":{"rating":5,"site":"google"}}""");
        assertThat(result).isInstanceOf(EventValidator.Valid.class);
        var valid = ((EventValidator.Valid) result).event();
        assertThat(valid.event().effect()).isInstanceOf(ProfileEffect.Behavioural.class);
        assertThat(valid.propertiesJson()).isEqualTo("{\"rating\":5,\"site\":\"google\"}");
    }

    @Test
    void offsetsAreAcceptedAndNormalized() {
        var result = (EventValidator.Valid) validate(
                "{\"id\":\"e1\",\"contactId\":\"c\",\"type\":\"x\",\"occurredAt\":\"2026-11-28T11:00:00+01:00\"}");
        assertThat(result.event().event().occurredAt()).isEqualTo(Instant.parse("2026-11-28T10:00:00Z"));
    }

    @Test
    void attributesKeepExactNumbersAndNullRemoves() {
        var result = (EventValidator.Valid) validate("""
                {"id":"e1","contactId":"c","type":"contact.updated","occurredAt":"2026-11-28T10:00:00Z",
                 "properties":{"attributes":{"score":0.1,"vip":true,"gone":null}}}""");
        var effect = (ProfileEffect.Updated) result.event().event().effect();
        assertThat(effect.attributes())
                .containsEntry("score", Optional.of(new Value.Num(new BigDecimal("0.1"))))
                .containsEntry("vip", Optional.of(new Value.Bool(true)))
                .containsEntry("gone", Optional.empty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"contactId\":\"c\",\"type\":\"x\",\"occurredAt\":\"2026-11-28T10:00:00Z\"}|/id",
        "{\"id\":\"e\",\"type\":\"x\",\"occurredAt\":\"2026-11-28T10:00:00Z\"}|/contactId",
        "{\"id\":\"e\",\"contactId\":\"\",\"type\":\"x\",\"occurredAt\":\"2026-11-28T10:00:00Z\"}|/contactId",
        "{\"id\":\"e\",\"contactId\":\"c\",\"occurredAt\":\"2026-11-28T10:00:00Z\"}|/type",
        "{\"id\":\"e\",\"contactId\":\"c\",\"type\":\"a b\",\"occurredAt\":\"2026-11-28T10:00:00Z\"}|/type",
        "{\"id\":\"e\",\"contactId\":\"c\",\"type\":\"x\",\"occurredAt\":\"yesterday\"}|/occurredAt",
        "{\"id\":\"e\",\"contactId\":\"c\",\"type\":\"x\",\"occurredAt\":\"2026-11-28T14:00:00Z\"}|/occurredAt",
        "{\"id\":\"e\",\"contactId\":\"c\",\"type\":\"x\",\"occurredAt\":\"2026-11-28T10:00:00Z\",\"properties\":[]}|/properties",
        "{\"id\":\"e\",\"contactId\":\"c\",\"type\":\"contact.tagged\",\"occurredAt\":\"2026-11-28T10:00:00Z\"}|/properties/tag",
        "{\"id\":\"e\",\"contactId\":\"c\",\"type\":\"audience.joined\",\"occurredAt\":\"2026-11-28T10:00:00Z\",\"properties\":{\"audience\":7}}|/properties/audience",
        "{\"id\":\"e\",\"contactId\":\"c\",\"type\":\"contact.unsubscribed\",\"occurredAt\":\"2026-11-28T10:00:00Z\",\"properties\":{\"channel\":\"fax\"}}|/properties/channel",
        "{\"id\":\"e\",\"contactId\":\"c\",\"type\":\"contact.updated\",\"occurredAt\":\"2026-11-28T10:00:00Z\"}|/properties/attributes",
        "{\"id\":\"e\",\"contactId\":\"c\",\"type\":\"contact.updated\",\"occurredAt\":\"2026-11-28T10:00:00Z\",\"properties\":{\"attributes\":{\"a/b\":[1]}}}|/properties/attributes/a~1b",
        "{\"id\":\"e\",\"contactId\":\"c\",\"type\":\"contact.created\",\"occurredAt\":\"2026-11-28T10:00:00Z\",\"properties\":{\"attributes\":{\"createdAt\":\"2020-01-01\"}}}|/properties/attributes/createdAt",
    })
    void eachProblemIsReportedWithItsPointer(String event, String pointer) {
        var result = validate(event);
        assertThat(result).isInstanceOf(EventValidator.Invalid.class);
        assertThat(((EventValidator.Invalid) result).rejection().errors()).extracting(FieldError::pointer).contains(pointer);
    }

    @Test
    void everyProblemOfAnEventIsReportedAtOnce() {
        var result = (EventValidator.Invalid) validate("{\"id\":5,\"occurredAt\":\"no\"}");
        assertThat(result.rejection().errors()).extracting(FieldError::pointer)
                .containsExactlyInAnyOrder("/id", "/contactId", "/type", "/occurredAt");
        assertThat(result.rejection().index()).isEqualTo(3);
    }

    @Test
    void aNonObjectIsRejected() {
        var result = (EventValidator.Invalid) validate("\"hello\"");
        assertThat(result.rejection().errors()).extracting(FieldError::pointer).containsExactly("");
    }

    private EventValidator.Result validate(String event) {
        return validator.validate(3, json.readTree(event), NOW);
    }
}
