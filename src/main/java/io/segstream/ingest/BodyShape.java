package io.segstream.ingest;

import io.segstream.platform.ProblemException;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Checks, as the bytes stream by, that a {@code POST /v1/events} body has the shape the contract names:
 * exactly one JSON array (of events) for {@code application/json}, at least one line for NDJSON. The
 * streaming decoder alone would take a scalar ({@code 42}, {@code null}) for one event, several arrays
 * ({@code [][]}) for their elements and an empty body for none. Violations are 400 problem+json.
 *
 * <p>Design note: a byte-level state machine (strings and their escapes, nesting depth) rather than a
 * second JSON parser: it keeps no buffer and costs one pass over bytes already in memory. Malformed JSON
 * inside the array is left to the decoder.
 */
final class BodyShape {

    private BodyShape() {}

    /** {@code body} (heap buffers: nothing to release), failing with 400 as soon as it is not one JSON array. */
    static Flux<DataBuffer> oneArray(Flux<DataBuffer> body) {
        return Flux.defer(() -> {
            ArrayScan scan = new ArrayScan();
            return body.map(buffer -> {
                String problem = scan.feed(buffer);
                if (problem != null) throw malformed(problem);
                return buffer;
            }).concatWith(Mono.defer(() -> scan.started ? Mono.empty() : Mono.error(malformed(
                    "The body is empty; send a JSON array of events (or NDJSON, one event a line)"))));
        });
    }

    /** {@code body}, failing with 400 at its end when it held no non-blank byte. */
    static Flux<DataBuffer> notBlank(Flux<DataBuffer> body) {
        return Flux.defer(() -> {
            boolean[] seen = {false};
            return body.doOnNext(buffer -> {
                if (seen[0]) return;
                for (int i = buffer.readPosition(); i < buffer.writePosition(); i++) {
                    if (!whitespace(buffer.getByte(i))) {
                        seen[0] = true;
                        return;
                    }
                }
            }).concatWith(Mono.defer(() -> seen[0] ? Mono.empty() : Mono.error(malformed(
                    "The body is empty; send one event a line"))));
        });
    }

    private static ProblemException malformed(String detail) {
        return ProblemException.validation("", detail);
    }

    private static boolean whitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    /** Where a scan of the body is: before the array, inside it (depth, in a string, after a backslash), after it. */
    static final class ArrayScan {
        boolean started;
        boolean ended;
        int depth;
        boolean inString;
        boolean escaped;

        /** Scans the readable bytes of {@code buffer} without consuming them; the problem found, or null. */
        String feed(DataBuffer buffer) {
            for (int i = buffer.readPosition(); i < buffer.writePosition(); i++) {
                String problem = next(buffer.getByte(i));
                if (problem != null) return problem;
            }
            return null;
        }

        String next(byte b) {
            if (ended) return whitespace(b) ? null : "The body must be one JSON array of events; more follows after it";
            if (!started) {
                if (whitespace(b)) return null;
                if (b != '[') return "The body must be a JSON array of events (or NDJSON with Content-Type application/x-ndjson)";
                started = true;
                depth = 1;
                return null;
            }
            if (inString) {
                if (escaped) escaped = false;
                else if (b == '\\') escaped = true;
                else if (b == '"') inString = false;
                return null;
            }
            switch (b) {
                case '"' -> inString = true;
                case '[', '{' -> depth++;
                case ']', '}' -> {
                    if (--depth == 0) ended = true;
                }
                default -> { }
            }
            return null;
        }
    }
}
