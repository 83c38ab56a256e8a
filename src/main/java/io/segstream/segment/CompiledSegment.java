package io.segstream.segment;

import io.segstream.rules.Evaluator;

/** One segment version of a tenant, compiled for evaluation. */
public record CompiledSegment(String id, int version, String status, Evaluator evaluator) {}
