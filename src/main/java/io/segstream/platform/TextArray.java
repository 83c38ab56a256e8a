package io.segstream.platform;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.client.EncodedParameter;
import io.r2dbc.postgresql.codec.Codec;
import io.r2dbc.postgresql.codec.CodecRegistry;
import io.r2dbc.postgresql.extension.CodecRegistrar;
import io.r2dbc.postgresql.message.Format;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * A {@code text[]} parameter sent in PostgreSQL's binary array format: each element's length, then its UTF-8
 * bytes, nothing escaped. Bind it where SQL reads {@code :name::text[]}; null elements are SQL NULL.
 *
 * <p>Design note: bound as an array literal ({@link PgArrays#text}), every element is quoted and escaped by
 * the service and parsed back character by character by PostgreSQL ({@code array_in}: 5.5 % of PostgreSQL's
 * CPU while ingesting with 10 live segments, in a {@code perf} profile, most of it on the contacts' JSON
 * states and the events' properties). In the binary format PostgreSQL reads lengths and checks the bytes
 * are UTF-8. The driver has no binary encoding for {@code String[]}; {@link Registrar} adds one for this
 * type (registered through {@code META-INF/services}, which r2dbc-postgresql reads at connection time).
 */
public record TextArray(String[] values) {

    /** PostgreSQL's type oids of {@code text} and {@code text[]}. */
    static final int TEXT = 25;
    static final int TEXT_ARRAY = 1009;

    public static TextArray of(String[] values) {
        return new TextArray(values);
    }

    /**
     * The binary form: dimensions (0 for an empty array, else 1), null flag, element type, size and lower bound, elements.
     *
     * <p>Design note: each element is encoded with {@link String#getBytes}, which copies a string of ASCII text
     * (the contacts' stored states) in bulk; Netty's {@code ByteBufUtil.writeUtf8} went character by character,
     * 3 % of the service's CPU samples while ingesting (JFR).
     */
    ByteBuf encode(ByteBufAllocator allocator) {
        int size = 20;
        boolean nulls = false;
        byte[][] utf8 = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            String v = values[i];
            if (v == null) {
                nulls = true;
            } else {
                utf8[i] = v.getBytes(StandardCharsets.UTF_8);
                size += utf8[i].length;
            }
            size += 4;
        }
        ByteBuf buf = allocator.buffer(size);
        buf.writeInt(values.length == 0 ? 0 : 1).writeInt(nulls ? 1 : 0).writeInt(TEXT);
        if (values.length == 0) return buf;
        buf.writeInt(values.length).writeInt(1);
        for (byte[] v : utf8) {
            if (v == null) buf.writeInt(-1);
            else buf.writeInt(v.length).writeBytes(v);
        }
        return buf;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TextArray other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "TextArray" + Arrays.toString(values);
    }

    /** Encodes {@link TextArray} parameters; decodes nothing (results are read as the driver reads them). */
    static final class ArrayCodec implements Codec<TextArray> {

        private final ByteBufAllocator allocator;

        ArrayCodec(ByteBufAllocator allocator) {
            this.allocator = allocator;
        }

        @Override
        public boolean canDecode(int dataType, Format format, Class<?> type) {
            return false;
        }

        @Override
        public boolean canEncode(Object value) {
            return value instanceof TextArray;
        }

        @Override
        public boolean canEncodeNull(Class<?> type) {
            return type == TextArray.class;
        }

        @Override
        public TextArray decode(ByteBuf buffer, int dataType, Format format, Class<? extends TextArray> type) {
            throw new UnsupportedOperationException("TextArray is a parameter type only");
        }

        @Override
        public EncodedParameter encode(Object value) {
            TextArray array = (TextArray) value;
            return new EncodedParameter(Format.FORMAT_BINARY, TEXT_ARRAY, Mono.fromSupplier(() -> array.encode(allocator)));
        }

        @Override
        public EncodedParameter encode(Object value, int dataType) {
            return encode(value);
        }

        @Override
        public EncodedParameter encodeNull() {
            return new EncodedParameter(Format.FORMAT_BINARY, TEXT_ARRAY, EncodedParameter.NULL_VALUE);
        }
    }

    /** Adds {@link ArrayCodec} to every connection's codecs, ahead of the driver's own. */
    public static final class Registrar implements CodecRegistrar {
        @Override
        public Publisher<Void> register(PostgresqlConnection connection, ByteBufAllocator allocator, CodecRegistry registry) {
            registry.addFirst(new ArrayCodec(allocator));
            return Mono.empty();
        }
    }
}
