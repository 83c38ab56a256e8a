package io.segstream.demo;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** One simulated event, in the shape of {@code POST /v1/events}; properties hold strings, numbers and maps of them. */
record DemoEvent(String id, String contactId, String type, Instant occurredAt, Map<String, Object> properties) {

    DemoEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(contactId, "contactId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(occurredAt, "occurredAt");
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** The event as the API's JSON. */
    JsonNode toJson(JsonMapper json) {
        ObjectNode node = json.createObjectNode();
        node.put("id", id);
        node.put("contactId", contactId);
        node.put("type", type);
        node.put("occurredAt", occurredAt.toString());
        node.set("properties", json.valueToTree(properties));
        return node;
    }
}
