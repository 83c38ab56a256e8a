package io.segstream.rules;

import java.util.Optional;

/** What one node of a rule observed of a contact when it was evaluated with a {@link Evaluator.Listener}. */
public sealed interface Seen {

    /** And, or, not: nothing of their own (their children's results). */
    Seen NOTHING = new Nothing();

    record Nothing() implements Seen {}

    /** An attribute test: the attribute's value, empty when the contact has none. */
    record Attribute(Optional<Value> value) implements Seen {}

    /** A behavioural condition: how many matching events fall in its window. */
    record Count(long count) implements Seen {}

    /** An aggregate condition: the aggregate of the matching events' numbers, empty when none has one. */
    record Aggregate(Optional<java.math.BigDecimal> value) implements Seen {}

    /** A recency condition: when the latest or earliest matching event occurred, empty when there is none. */
    record Occurred(Optional<java.time.Instant> at) implements Seen {}

    /** A tag, audience, channel consent or segment node: whether the contact has it. */
    record Flag(boolean present) implements Seen {}
}
