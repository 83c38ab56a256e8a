package io.segstream.rules;

import java.util.Optional;

/** The operators of attribute tests and of event {@code where} filters. */
public enum Op {
    EQ("eq", Kind.SCALAR),
    NEQ("neq", Kind.SCALAR),
    IN("in", Kind.LIST),
    NOT_IN("notIn", Kind.LIST),
    CONTAINS("contains", Kind.TEXT),
    STARTS_WITH("startsWith", Kind.TEXT),
    ENDS_WITH("endsWith", Kind.TEXT),
    GT("gt", Kind.ORDERED),
    GTE("gte", Kind.ORDERED),
    LT("lt", Kind.ORDERED),
    LTE("lte", Kind.ORDERED),
    BETWEEN("between", Kind.RANGE),
    EXISTS("exists", Kind.NONE),
    MISSING("missing", Kind.NONE),
    WITHIN_LAST("withinLast", Kind.LENGTH),
    OLDER_THAN("olderThan", Kind.LENGTH),
    IN_CURRENT("inCurrent", Kind.PERIOD),
    IN_PREVIOUS("inPrevious", Kind.PERIOD),
    BEFORE("before", Kind.INSTANT),
    AFTER("after", Kind.INSTANT);

    /** What the operand of an operator is. */
    public enum Kind {
        SCALAR, LIST, TEXT, ORDERED, RANGE, NONE, LENGTH, PERIOD, INSTANT
    }

    private final String wireName;
    private final Kind kind;

    Op(String wireName, Kind kind) {
        this.wireName = wireName;
        this.kind = kind;
    }

    public String wireName() {
        return wireName;
    }

    public Kind kind() {
        return kind;
    }

    /** True for operators whose answer changes as time passes. */
    public boolean timeRelative() {
        return kind == Kind.LENGTH || kind == Kind.PERIOD;
    }

    public static Optional<Op> fromWire(String s) {
        for (Op op : values()) if (op.wireName.equals(s)) return Optional.of(op);
        return Optional.empty();
    }
}
