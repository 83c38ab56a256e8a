package io.segstream.query;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/** The answers of counts, member listings and set queries ({@link QueryController}). */
final class Listings {

    private Listings() {}

    /** {@code GET /v1/segments/{id}/count}. */
    @Schema(name = "SegmentCount")
    record SegmentCount(@Schema(example = "new-happy-referrers") String segment, @Schema(example = "42") long count,
            @Schema(description = "The change seq the count is as of", example = "1812") long asOf) {}

    /** A page of {@code GET /v1/segments/{id}/members}. */
    @Schema(name = "MemberPage")
    record MemberPage(
            @Schema(example = "[\"c-1\", \"c-42\"]") List<String> members,
            @Schema(nullable = true, description = "Pass as ?cursor= for the next page; null on the last page") String nextCursor,
            @Schema(description = "The change seq the listing's snapshot is as of", example = "1812") long asOf) {}

    /** A page of {@code POST /v1/query}: the first page also counts the whole answer. */
    @Schema(name = "QueryPage")
    record QueryPage(
            @Schema(description = "How many contacts the query matches (in the snapshot)", example = "120") long count,
            @Schema(example = "[\"c-1\", \"c-42\"]") List<String> members,
            @Schema(nullable = true, description = "Send as {\"cursor\": ...} for the next page; null on the last page") String nextCursor,
            @Schema(description = "The change seq the query's snapshot is as of", example = "1812") long asOf) {

        MemberPage withoutCount() {
            return new MemberPage(members, nextCursor, asOf);
        }
    }

    /** One line of the NDJSON member export. */
    @Schema(name = "MemberLine")
    record MemberLine(@Schema(example = "c-42") String contactId) {}

    /**
     * The body of {@code POST /v1/query}, for the document only ({@link QueryController.Query} reads it): refs
     * are {@code {"segment": id}}, {@code {"tag": t}} or {@code {"audience": a}}; or only {@code cursor}.
     */
    @Schema(name = "QueryInput", description = "Refs are {\"segment\": id}, {\"tag\": t} or {\"audience\": a}, at most 100 in all; "
            + "or, for the next page, only cursor")
    record QueryRequest(List<Map<String, String>> all, List<Map<String, String>> any, List<Map<String, String>> none,
            @Schema(allowableValues = {"email", "sms"}, nullable = true) String channel,
            @Schema(description = "The nextCursor of the previous page") String cursor) {}
}
