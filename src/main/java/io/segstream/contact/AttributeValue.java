package io.segstream.contact;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A contact attribute's value: a string, a number or a boolean. ISO dates and instants are kept as
 * text; rules interpret them when they compare dates. Arrays, objects and null are not values (null
 * in {@code contact.updated} removes the attribute).
 */
public sealed interface AttributeValue {

    record Text(String value) implements AttributeValue {
        public Text {
            Objects.requireNonNull(value, "value");
        }
    }

    record Number(BigDecimal value) implements AttributeValue {
        public Number {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Number n && value.compareTo(n.value) == 0;
        }

        @Override
        public int hashCode() {
            return value.stripTrailingZeros().hashCode();
        }
    }

    record Bool(boolean value) implements AttributeValue {}
}
