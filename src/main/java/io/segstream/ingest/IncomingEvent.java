package io.segstream.ingest;

import io.segstream.contact.ContactEvent;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * A validated event of a request: what the profile fold needs, plus the properties to store, and its
 * position in the request (for a rejection found when it is stored).
 */
record IncomingEvent(long index, ContactEvent event, String propertiesJson, JsonNode properties) {
    IncomingEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(propertiesJson, "propertiesJson");
        Objects.requireNonNull(properties, "properties");
    }
}
