package io.segstream.rules;

import java.util.Objects;

/** One test of a named value: a contact attribute, or an event property in a {@code where} filter. */
public record Test(String name, Op op, Operand operand) {

    public Test {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(operand, "operand");
    }

    @Override
    public String toString() {
        String rhs = operand.toString();
        return rhs.isEmpty() ? name + " " + op.wireName() : name + " " + op.wireName() + " " + rhs;
    }
}
