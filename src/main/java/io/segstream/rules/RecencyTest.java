package io.segstream.rules;

import java.util.Locale;
import java.util.Objects;

/**
 * The test of a recency rule: the occurredAt of the latest ({@link Edge#LAST}) or earliest
 * ({@link Edge#FIRST}) matching event, tested with a date operator ({@code withinLast}, {@code olderThan},
 * {@code inCurrent}, {@code inPrevious}, {@code before}, {@code after}). With no matching event the test
 * is false, whatever the operator.
 */
public record RecencyTest(Edge edge, Op op, Operand operand) {

    /** Which matching event's time is tested. */
    public enum Edge {
        FIRST, LAST;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public RecencyTest {
        Objects.requireNonNull(edge, "edge");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(operand, "operand");
        if (!dateOp(op)) throw new IllegalArgumentException("a recency test takes a date operator, not " + op.wireName());
    }

    /** The operators a recency test takes. */
    static boolean dateOp(Op op) {
        return op.kind() == Op.Kind.LENGTH || op.kind() == Op.Kind.PERIOD || op.kind() == Op.Kind.INSTANT;
    }

    @Override
    public String toString() {
        return edge.wireName() + " " + op.wireName() + " " + operand;
    }
}
