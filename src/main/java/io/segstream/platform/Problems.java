package io.segstream.platform;

/** The problem {@code type} URIs segstream answers with (listed in docs/problems.md). */
public final class Problems {
    private static final String PREFIX = "urn:segstream:problem:";

    public static final String VALIDATION = PREFIX + "validation";
    public static final String MALFORMED = PREFIX + "malformed-body";
    /** A request that could not be read as HTTP (request line, headers or URI), answered below the application. */
    public static final String MALFORMED_REQUEST = PREFIX + "malformed-request";
    public static final String TOO_LARGE = PREFIX + "payload-too-large";
    public static final String UNAUTHORIZED = PREFIX + "unauthorized";
    public static final String FORBIDDEN = PREFIX + "forbidden";
    public static final String NOT_FOUND = PREFIX + "not-found";
    public static final String CONFLICT = PREFIX + "conflict";
    public static final String METHOD_NOT_ALLOWED = PREFIX + "method-not-allowed";
    public static final String UNSUPPORTED_MEDIA_TYPE = PREFIX + "unsupported-media-type";
    public static final String NOT_ACCEPTABLE = PREFIX + "not-acceptable";
    public static final String UNAVAILABLE = PREFIX + "unavailable";
    public static final String SNAPSHOT_EXPIRED = PREFIX + "snapshot-expired";
    public static final String INTERNAL = PREFIX + "internal";
    public static final String HTTP = PREFIX + "http";

    private Problems() {}
}
