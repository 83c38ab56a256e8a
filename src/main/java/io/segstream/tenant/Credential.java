package io.segstream.tenant;

/**
 * What a request presented to prove who it is, before it is checked. Secrets never appear in
 * {@code toString()}, so a credential that reaches a log shows only its kind.
 */
sealed interface Credential {

    /** {@code Authorization: Bearer <key>} on {@code /v1/admin/**}. */
    record AdminKey(String key) implements Credential {
        @Override
        public String toString() {
            return "AdminKey[***]";
        }
    }

    /** {@code Authorization: Bearer <key>} elsewhere under {@code /v1}. */
    record BearerKey(String key) implements Credential {
        @Override
        public String toString() {
            return "BearerKey[***]";
        }
    }

    /** The session cookie's value. */
    record SessionCookie(String sessionId) implements Credential {
        @Override
        public String toString() {
            return "SessionCookie[***]";
        }
    }

    /** {@code ?access_token=} on a change stream. */
    record StreamToken(String token) implements Credential {
        @Override
        public String toString() {
            return "StreamToken[***]";
        }
    }
}
