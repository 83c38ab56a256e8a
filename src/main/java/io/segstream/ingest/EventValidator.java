package io.segstream.ingest;

import io.segstream.contact.ContactEvent;
import io.segstream.contact.EventEffects;
import io.segstream.platform.FieldError;
import io.segstream.platform.Text;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Validates one event of a batch and reports every problem with a JSON pointer relative to the event.
 * Pure apart from serializing the properties; {@code now} is a parameter. Public so that events made
 * elsewhere (the demo's generator) can be checked against the same rules as {@code POST /v1/events}.
 */
public final class EventValidator {

    static final int MAX_ID_LENGTH = 128;
    static final int MAX_TYPE_LENGTH = 128;
    static final int MAX_PROPERTIES_CHARS = 64 * 1024;
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_.:-]+");
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");

    private final JsonMapper json;
    private final Duration maxFutureSkew;

    /** @param maxFutureSkew how far after {@code now} an event's occurredAt may be */
    public EventValidator(JsonMapper json, Duration maxFutureSkew) {
        this.json = json;
        this.maxFutureSkew = maxFutureSkew;
    }

    sealed interface Result permits Valid, Invalid {}

    record Valid(IncomingEvent event) implements Result {}

    record Invalid(Rejection rejection) implements Result {}

    /** The problems of one event, with JSON pointers relative to it; empty when it is valid. */
    public List<FieldError> problems(JsonNode event, Instant now) {
        return switch (validate(0, event, now)) {
            case Valid v -> List.of();
            case Invalid i -> i.rejection().errors();
        };
    }

    Result validate(long index, JsonNode node, Instant now) {
        if (node == null || !node.isObject()) {
            return new Invalid(Rejection.of(index, null, List.of(new FieldError("", "an event must be a JSON object"))));
        }
        List<FieldError> errors = new ArrayList<>();
        String id = boundedString(node, "id", MAX_ID_LENGTH, errors);
        String contactId = boundedString(node, "contactId", 128, errors);
        String type = boundedString(node, "type", MAX_TYPE_LENGTH, errors);
        if (type != null && !TYPE.matcher(type).matches()) {
            errors.add(new FieldError("/type", "may contain letters, digits and _ . : - only"));
            type = null;
        }
        Instant occurredAt = instant(node, errors, now);
        JsonNode properties = node.get("properties");
        if (properties == null || properties.isNull()) {
            properties = JsonNodeFactory.instance.objectNode();
        } else if (!properties.isObject()) {
            errors.add(new FieldError("/properties", "must be an object"));
            properties = null;
        }
        if (properties != null) {
            int before = errors.size();
            Text.check(properties, "/properties", errors);
            if (errors.size() > before) properties = null;
        }
        EventEffects.Parsed parsed = null;
        String propertiesJson = null;
        if (type != null && properties != null) {
            parsed = EventEffects.parse(type, properties);
            errors.addAll(parsed.errors());
            propertiesJson = json.writeValueAsString(properties);
            if (propertiesJson.length() > MAX_PROPERTIES_CHARS) {
                errors.add(new FieldError("/properties", "must be at most " + MAX_PROPERTIES_CHARS + " characters of JSON"));
            }
        }
        if (!errors.isEmpty()) {
            return new Invalid(Rejection.of(index, id, errors));
        }
        return new Valid(new IncomingEvent(index, new ContactEvent(id, contactId, type, occurredAt, parsed.effect()), propertiesJson, properties));
    }

    private static String boundedString(JsonNode node, String field, int max, List<FieldError> errors) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            errors.add(new FieldError("/" + field, "is required"));
            return null;
        }
        if (!v.isString()) {
            errors.add(new FieldError("/" + field, "must be a string"));
            return null;
        }
        String s = v.stringValue();
        if (s.isEmpty() || s.length() > max) {
            errors.add(new FieldError("/" + field, "must be 1-" + max + " characters"));
            return null;
        }
        String problem = Text.problem(s);
        if (problem != null) {
            errors.add(new FieldError("/" + field, problem));
            return null;
        }
        return s;
    }

    private Instant instant(JsonNode node, List<FieldError> errors, Instant now) {
        JsonNode v = node.get("occurredAt");
        if (v == null || v.isNull()) {
            errors.add(new FieldError("/occurredAt", "is required"));
            return null;
        }
        Instant at = v.isString() ? parseInstant(v.stringValue()) : null;
        if (at == null) {
            errors.add(new FieldError("/occurredAt", "must be an ISO-8601 instant such as 2026-11-28T10:00:00Z"));
            return null;
        }
        if (at.isBefore(EARLIEST)) {
            errors.add(new FieldError("/occurredAt", "must not be before 1970"));
            return null;
        }
        if (at.isAfter(now.plus(maxFutureSkew))) {
            errors.add(new FieldError("/occurredAt", "is more than " + maxFutureSkew + " in the future"));
            return null;
        }
        // PostgreSQL keeps microseconds: truncate now so that every later comparison sees the stored value.
        return at.truncatedTo(ChronoUnit.MICROS);
    }

    static Instant parseInstant(String s) {
        try {
            return io.segstream.rules.Instants.parse(s);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
