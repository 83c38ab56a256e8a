package io.segstream.contact;

import java.util.Objects;
import tools.jackson.databind.JsonNode;

/** A newly stored event with its properties, as folding into profile and behaviour needs it. */
public record NewEvent(ContactEvent event, JsonNode properties) {
    public NewEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(properties, "properties");
    }
}
