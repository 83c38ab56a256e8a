package io.segstream.rules;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A segment rule: an immutable tree. Every node prints in a readable form ({@code (a && b)}), used in
 * logs, errors and explanations.
 */
public sealed interface Rule {

    /** This node's direct sub-rules; leaves have none. */
    default List<Rule> children() {
        return switch (this) {
            case And and -> and.rules();
            case Or or -> or.rules();
            case Not not -> List.of(not.rule());
            case AttributeTest a -> List.of();
            case HasTag t -> List.of();
            case InAudience a -> List.of();
            case Subscribed s -> List.of();
            case EventCondition e -> List.of();
            case EventAggregate e -> List.of();
            case EventRecency e -> List.of();
            case SegmentRef s -> List.of();
        };
    }

    record And(List<Rule> rules) implements Rule {
        public And {
            rules = List.copyOf(rules);
        }

        @Override
        public String toString() {
            return rules.stream().map(Object::toString).collect(Collectors.joining(" && ", "(", ")"));
        }
    }

    record Or(List<Rule> rules) implements Rule {
        public Or {
            rules = List.copyOf(rules);
        }

        @Override
        public String toString() {
            return rules.stream().map(Object::toString).collect(Collectors.joining(" || ", "(", ")"));
        }
    }

    record Not(Rule rule) implements Rule {
        public Not {
            Objects.requireNonNull(rule, "rule");
        }

        @Override
        public String toString() {
            return "!" + rule;
        }
    }

    /** A test of a contact attribute ({@code createdAt} is built in). */
    record AttributeTest(Test test) implements Rule {
        public AttributeTest {
            Objects.requireNonNull(test, "test");
        }

        @Override
        public String toString() {
            return test.toString();
        }
    }

    record HasTag(String tag) implements Rule {
        public HasTag {
            Objects.requireNonNull(tag, "tag");
        }

        @Override
        public String toString() {
            return "tag " + tag;
        }
    }

    record InAudience(String audience) implements Rule {
        public InAudience {
            Objects.requireNonNull(audience, "audience");
        }

        @Override
        public String toString() {
            return "audience " + audience;
        }
    }

    /** Has not unsubscribed from the channel ({@code email} or {@code sms}). */
    record Subscribed(String channel) implements Rule {
        public Subscribed {
            Objects.requireNonNull(channel, "channel");
        }

        @Override
        public String toString() {
            return "subscribed " + channel;
        }
    }

    /** A behavioural condition: how many events of a signature fall in a window. */
    record EventCondition(Signature signature, CountTest count, Window within) implements Rule {
        public EventCondition {
            Objects.requireNonNull(signature, "signature");
            Objects.requireNonNull(count, "count");
            Objects.requireNonNull(within, "within");
        }

        @Override
        public String toString() {
            return "event " + signature + " " + count + " " + within;
        }
    }

    /**
     * A behavioural condition on a number the matching events carry: {@code sum}, {@code avg},
     * {@code min} or {@code max} of {@code property} over the matching events in a window that hold a
     * number there; false when there is none.
     */
    record EventAggregate(Signature signature, AggregateTest aggregate, Window within) implements Rule {
        public EventAggregate {
            Objects.requireNonNull(signature, "signature");
            Objects.requireNonNull(aggregate, "aggregate");
            Objects.requireNonNull(within, "within");
            if (signature.measured().isPresent()) throw new IllegalArgumentException("the signature names the events only");
        }

        @Override
        public String toString() {
            return "event " + signature + " " + aggregate + " " + within;
        }
    }

    /**
     * A behavioural condition on when the latest ({@code last}) or earliest ({@code first}) matching
     * event occurred; false when there is none.
     */
    record EventRecency(Signature signature, RecencyTest recency) implements Rule {
        public EventRecency {
            Objects.requireNonNull(signature, "signature");
            Objects.requireNonNull(recency, "recency");
            if (signature.measured().isPresent()) throw new IllegalArgumentException("the signature names the events only");
        }

        @Override
        public String toString() {
            return "event " + signature + " " + recency;
        }
    }

    /** Membership of another segment of the same tenant. */
    record SegmentRef(String segmentId) implements Rule {
        public SegmentRef {
            Objects.requireNonNull(segmentId, "segmentId");
        }

        @Override
        public String toString() {
            return "segment " + segmentId;
        }
    }
}
