package io.segstream.rules;

/** How many matching events a behavioural condition needs: {@code op value} ({@code between value high}). */
public record CountTest(Op op, long value, long high) {

    public static final CountTest AT_LEAST_ONE = new CountTest(Op.GTE, 1, 0);

    public boolean test(long count) {
        return switch (op) {
            case EQ -> count == value;
            case NEQ -> count != value;
            case GT -> count > value;
            case GTE -> count >= value;
            case LT -> count < value;
            case LTE -> count <= value;
            case BETWEEN -> count >= value && count <= high;
            default -> throw new IllegalStateException("not a count operator: " + op);
        };
    }

    @Override
    public String toString() {
        return op == Op.BETWEEN ? "count between [" + value + ", " + high + "]" : "count " + op.wireName() + " " + value;
    }
}
