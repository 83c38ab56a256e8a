package io.segstream.query;

import io.segstream.contact.Behaviour;
import io.segstream.contact.ContactStore;
import io.segstream.contact.NewEvent;
import io.segstream.contact.ProfileFacts;
import io.segstream.platform.FieldError;
import io.segstream.platform.ProblemException;
import io.segstream.rules.Evaluator;
import io.segstream.rules.Rule;
import io.segstream.rules.RuleReader;
import io.segstream.rules.Signature;
import io.segstream.segment.CompiledSegment;
import io.segstream.segment.SegmentCatalog;
import io.segstream.segment.RuleInput;
import io.segstream.segment.SegmentLimits;
import io.segstream.segment.TenantSegments;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How many contacts a rule would hold now, without storing anything. A rule of tags, audiences, channel
 * consent and segment references under and/or/not is counted exactly with bit operations on the Redis
 * bitmaps. Any other rule is evaluated, with the evaluator the segments use, over the contacts' stored
 * state: over every contact when the tenant has at most {@code preview-exact-limit} contact numbers,
 * else over a uniform random sample of contact numbers (numbers are dense, so a sample is a list of
 * random numbers), in a random order and within a time budget; a preview stopped by its budget answers
 * from the contacts evaluated so far, which are a uniform sample too.
 *
 * <p>Event conditions read the contacts' behaviour as stored when the tenant's segments already keep it
 * (same signature, a window at least as long); otherwise the evaluated contacts' events of those types
 * are read from the event log.
 */
@Component
class RulePreview {

    static final int DEFAULT_SAMPLE = 20;
    static final int MAX_SAMPLE = 100;
    private static final int CHUNK = 500;
    private static final Duration SNAPSHOT_TTL = Duration.ofSeconds(30);

    /** The answer of {@code POST /v1/segments/preview}. */
    record Preview(long count, boolean exact, long low, long high, List<String> sample, long asOf) {}

    /** A validated request. */
    record Request(RuleInput input, int sample) {
        Rule rule() {
            return input.rule();
        }

        List<RuleReader.Reference> references() {
            return input.references();
        }
    }

    private final SegmentCatalog catalog;
    private final Bitmaps bitmaps;
    private final ContactStore contacts;
    private final SegmentLimits limits;
    private final AuthoringProperties properties;
    private final TenantPermits permits;
    private final Clock clock;
    private final JsonMapper json;
    private final SplittableRandom seeds = new SplittableRandom();

    RulePreview(SegmentCatalog catalog, Bitmaps bitmaps, ContactStore contacts, SegmentLimits limits,
            AuthoringProperties properties, Clock clock, JsonMapper json) {
        this.json = json;
        this.catalog = catalog;
        this.bitmaps = bitmaps;
        this.contacts = contacts;
        this.limits = limits;
        this.properties = properties;
        this.permits = new TenantPermits(properties.previewConcurrency());
        this.clock = clock;
    }

    /** Reads and validates the request body; 400 with a pointer to each problem. */
    Request parse(JsonNode body) {
        if (body == null || !body.isObject()) throw ProblemException.validation("", "must be a JSON object");
        List<FieldError> errors = new ArrayList<>();
        for (String field : body.propertyNames()) {
            if (!List.of("rule", "ruleText", "sample").contains(field)) errors.add(new FieldError("/" + FieldError.token(field), "unknown field"));
        }
        int sample = DEFAULT_SAMPLE;
        JsonNode s = body.get("sample");
        if (s != null && !s.isNull()) {
            // (canConvertToInt first: a number beyond a long, such as 1e30 written out, fails asLong())
            if (!s.isIntegralNumber() || !s.canConvertToInt() || s.intValue() < 1 || s.intValue() > MAX_SAMPLE) {
                errors.add(new FieldError("/sample", "must be an integer from 1 to " + MAX_SAMPLE));
            } else {
                sample = s.intValue();
            }
        }
        RuleInput rule = RuleInput.read(body, limits.rules(), json, errors);
        if (!errors.isEmpty()) throw ProblemException.validation(errors);
        return new Request(rule, sample);
    }

    Mono<Preview> preview(String tenantId, Request request) {
        return Mono.defer(() -> {
            if (!permits.tryAcquire(tenantId)) {
                return Mono.error(ProblemException.unavailable("This tenant already has " + properties.previewConcurrency()
                        + " previews in progress; retry shortly", Duration.ofSeconds(1)));
            }
            return catalog.current(tenantId)
                    .flatMap(segments -> preview(tenantId, request, segments))
                    .doFinally(signal -> permits.release(tenantId));
        });
    }

    private Mono<Preview> preview(String tenantId, Request request, TenantSegments segments) {
        List<FieldError> unknown = new ArrayList<>();
        for (RuleReader.Reference r : request.references()) {
            if (segments.get(r.segmentId()) == null) unknown.add(new FieldError(r.pointer(), "unknown segment " + r.segmentId()));
        }
        // Placed in the text when the rule came as text.
        if (!unknown.isEmpty()) return Mono.error(request.input().placeInText(ProblemException.validation(unknown)));
        Map<String, Rule> rules = new LinkedHashMap<>();
        for (CompiledSegment s : segments.segments()) rules.put(s.id(), s.evaluator().rule());
        Evaluator evaluator = Evaluator.compile(request.rule(), rules, segments.zone());
        boolean refsLive = request.references().stream().allMatch(r -> !segments.get(r.segmentId()).status().equals("building"));
        Optional<BitmapProgram> program = refsLive ? BitmapProgram.compile(request.rule()) : Optional.empty();
        return program.map(p -> exact(tenantId, p, request.sample()))
                .orElseGet(() -> evaluated(tenantId, evaluator, segments, request.sample()));
    }

    /** Bit operations on the bitmaps; the sample is the matching contacts with the lowest numbers. */
    private Mono<Preview> exact(String tenantId, BitmapProgram program, int sample) {
        return bitmaps.evaluate(tenantId, program, SNAPSHOT_TTL).flatMap(snap -> (snap.count() == 0
                        ? Mono.just(new long[0]) : bitmaps.members(tenantId, snap.id(), 0, sample))
                .flatMap(numbers -> ids(tenantId, numbers))
                .flatMap(ids -> bitmaps.discard(tenantId, snap.id())
                        .thenReturn(new Preview(snap.count(), true, snap.count(), snap.count(), ids, snap.asOf()))));
    }

    private Mono<List<String>> ids(String tenantId, long[] numbers) {
        return contacts.byNumbers(tenantId, numbers).map(found -> {
            Map<Long, String> byNo = new HashMap<>();
            found.forEach(c -> byNo.put(c.contactNo(), c.contactId()));
            List<String> out = new ArrayList<>();
            for (long n : numbers) if (byNo.containsKey(n)) out.add(byNo.get(n));
            return out;
        });
    }

    /** What one chunk of contact numbers gave. */
    private record Tally(int numbers, long live, long matched, List<String> matches) {
        static final Tally NONE = new Tally(0, 0, 0, List.of());

        Tally plus(Tally o, int keep) {
            List<String> m = matches;
            if (m.size() < keep && !o.matches.isEmpty()) {
                m = new ArrayList<>(m);
                for (String id : o.matches) if (m.size() < keep) m.add(id);
            }
            return new Tally(numbers + o.numbers, live + o.live, matched + o.matched, m);
        }
    }

    private Mono<Preview> evaluated(String tenantId, Evaluator evaluator, TenantSegments segments, int sample) {
        Instant now = clock.instant();
        Map<Signature, Duration> missing = missingBehaviour(evaluator, segments);
        return Mono.zip(bitmaps.count(tenantId, "live"), contacts.maxNumber(tenantId)).flatMap(t -> {
            long population = t.getT1().count();
            long asOf = t.getT1().asOf();
            long numbers = t.getT2() + 1;
            if (numbers == 0) return Mono.just(new Preview(0, true, 0, 0, List.of(), asOf));
            boolean all = numbers <= properties.previewExactLimit() || numbers <= properties.previewSample();
            long[] order = all ? shuffled(numbers) : distinct(numbers, properties.previewSample());
            List<long[]> chunks = new ArrayList<>();
            for (int i = 0; i < order.length; i += CHUNK) chunks.add(java.util.Arrays.copyOfRange(order, i, Math.min(order.length, i + CHUNK)));
            return Flux.fromIterable(chunks)
                    .flatMapSequential(chunk -> tally(tenantId, chunk, evaluator, segments, missing, now, sample), 2)
                    .take(properties.previewBudget())
                    .reduce(Tally.NONE, (a, b) -> a.plus(b, sample))
                    .map(done -> {
                        if (all && done.numbers() == numbers) {
                            return new Preview(done.matched(), true, done.matched(), done.matched(), done.matches(), asOf);
                        }
                        Estimate e = Estimate.of(Math.max(population, done.live()), done.live(), done.matched());
                        return new Preview(e.count(), e.exact(), e.low(), e.high(), done.matches(), asOf);
                    });
        });
    }

    private Mono<Tally> tally(String tenantId, long[] chunk, Evaluator evaluator, TenantSegments segments,
            Map<Signature, Duration> missing, Instant now, int keep) {
        return contacts.byNumbers(tenantId, chunk).flatMap(found -> {
            Mono<Map<String, List<NewEvent>>> histories = missing.isEmpty() || found.isEmpty() ? Mono.just(Map.of())
                    : contacts.history(tenantId, found.stream().map(ContactStore.StoredContact::contactId).toList(),
                            missing.keySet().stream().map(Signature::type).distinct().toList());
            return histories.map(h -> {
                long matched = 0;
                List<String> matches = new ArrayList<>();
                for (ContactStore.StoredContact c : found) {
                    Behaviour b = missing.isEmpty() ? c.behaviour()
                            : c.behaviour().recompute(missing, h.getOrDefault(c.contactId(), List.of()), c.profile(), segments.zone(), now);
                    if (evaluator.matches(new ProfileFacts(c.profile(), b), now)) {
                        matched++;
                        if (matches.size() < keep) matches.add(c.contactId());
                    }
                }
                return new Tally(chunk.length, found.size(), matched, matches);
            });
        });
    }

    /**
     * The signatures the rule counts that the stored behaviour does not keep far enough back: no segment
     * of the tenant uses them, or only with a shorter window.
     */
    static Map<Signature, Duration> missingBehaviour(Evaluator evaluator, TenantSegments segments) {
        Map<Signature, Duration> missing = new HashMap<>();
        evaluator.inputs().signatures().forEach((signature, reach) -> {
            Duration kept = segments.signatures().get(signature);
            boolean covered = kept != null && (reach.isZero() || (!kept.isZero() && kept.compareTo(reach) >= 0));
            if (!covered) missing.put(signature, reach);
        });
        return missing;
    }

    /** 0..n-1 in a random order. */
    private long[] shuffled(long n) {
        SplittableRandom random = seeds.split();
        long[] out = LongStream.range(0, n).toArray();
        for (int i = out.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long x = out[i];
            out[i] = out[j];
            out[j] = x;
        }
        return out;
    }

    /** {@code k} distinct numbers drawn uniformly from 0..n-1 (k much smaller than n), in the order drawn. */
    private long[] distinct(long n, int k) {
        SplittableRandom random = seeds.split();
        java.util.LinkedHashSet<Long> picked = new java.util.LinkedHashSet<>();
        while (picked.size() < k) picked.add(random.nextLong(n));
        return picked.stream().mapToLong(Long::longValue).toArray();
    }
}
