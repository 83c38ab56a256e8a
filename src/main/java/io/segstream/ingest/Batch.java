package io.segstream.ingest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The events of one request as they are read: the valid ones (first occurrence of each id), the
 * rejections, and how many repeated an id already seen in the same request. Not thread-safe; a
 * request's events are read sequentially.
 */
final class Batch {

    final List<IncomingEvent> events = new ArrayList<>();
    final List<Rejection> rejections = new ArrayList<>();
    private final Set<String> ids = new HashSet<>();
    int duplicatesInRequest;
    long size;

    void add(EventValidator.Result result) {
        size++;
        switch (result) {
            case EventValidator.Valid v -> {
                if (ids.add(v.event().event().id())) events.add(v.event());
                else duplicatesInRequest++;
            }
            case EventValidator.Invalid i -> rejections.add(i.rejection());
        }
    }
}
