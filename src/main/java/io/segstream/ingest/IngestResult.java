package io.segstream.ingest;

import java.util.List;

/** The reply to a batch: how many events were stored, how many were already known, which were invalid. */
public record IngestResult(int accepted, int duplicates, List<Rejection> rejected) {
    public IngestResult {
        rejected = List.copyOf(rejected);
    }
}
