package dev.isakmpd.core.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A data attribute (RFC 2408 s3.3). With the AF bit set it is TV ("basic"): a 2-byte value in place of the length.
 * With AF clear it is TLV ("variable"): a 2-byte length then that many value bytes. The format is kept as received
 * so that re-encoding is byte-identical (hashes such as HASH_I cover the SA payload as sent).
 */
public final class DataAttribute {
    /** Attribute types are 15 bits; the top bit of the type field is the AF flag. */
    public static final int MAX_TYPE = 0x7FFF;
    private static final int AF_BIT = 0x8000;

    private static final byte[] NO_BYTES = new byte[0];

    private final int type;
    private final boolean basic;
    /** The 16-bit value of a basic attribute (kept unboxed: most SA attributes are basic). */
    private final int basicValue;
    /** The value of a variable attribute; empty for basic ones. */
    private final byte[] value;

    private DataAttribute(int type, boolean basic, int basicValue, byte[] value) {
        this.type = Bytes.checkRange(type, 0, MAX_TYPE, "attribute type");
        this.basic = basic;
        this.basicValue = basicValue;
        this.value = value;
    }

    private DataAttribute(int type, byte[] value) {
        this(type, false, 0, value);
    }

    /** A TV attribute with a 16-bit value. */
    public static DataAttribute basic(int type, int value) {
        Bytes.checkRange(value, 0, 0xFFFF, "basic attribute value");
        return new DataAttribute(type, true, value, NO_BYTES);
    }

    /** A TLV attribute; the value may be 0..65535 bytes. */
    public static DataAttribute variable(int type, byte[] value) {
        byte[] v = Bytes.copy(value, "value");
        Bytes.checkRange(v.length, 0, 0xFFFF, "variable attribute length");
        return new DataAttribute(type, v);
    }

    /**
     * A number in the most compact form: basic when it fits 16 bits (RFC 2409 Appendix A allows V classes to be sent
     * as B then), else TLV of 4 bytes, or 8 bytes above 2^32-1.
     */
    public static DataAttribute number(int type, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("attribute value must not be negative: " + value);
        }
        if (value <= 0xFFFF) {
            return basic(type, (int) value);
        }
        int len = value <= 0xFFFF_FFFFL ? 4 : 8;
        byte[] v = new byte[len];
        for (int i = len - 1; i >= 0; i--) {
            v[i] = (byte) value;
            value >>>= 8;
        }
        return new DataAttribute(type, v);
    }

    public int type() {
        return type;
    }

    /** True for TV (AF=1) encoding. */
    public boolean isBasic() {
        return basic;
    }

    /** The value bytes (2 bytes for a basic attribute). */
    public byte[] value() {
        return basic ? new byte[] {(byte) (basicValue >>> 8), (byte) basicValue} : value.clone();
    }

    public int valueLength() {
        return basic ? 2 : value.length;
    }

    /**
     * The value as an unsigned big-endian number. Leading zero bytes are allowed, so a 12-byte TLV holding 28800 is
     * fine.
     *
     * @throws ArithmeticException if the value needs more than 63 bits (longer than 8 significant bytes)
     */
    public long longValue() {
        if (basic) {
            return basicValue;
        }
        long v = 0;
        for (byte b : value) {
            if ((v >>> 55) != 0) {
                throw new ArithmeticException("attribute " + type + " value of " + value.length
                        + " bytes does not fit a long");
            }
            v = (v << 8) | (b & 0xFF);
        }
        return v;
    }

    int encodedLength() {
        return basic ? 4 : 4 + value.length;
    }

    void write(WireWriter w) {
        if (basic) {
            w.u16(AF_BIT | type);
            w.u16(basicValue);
        } else {
            w.u16(type);
            w.u16(value.length);
            w.bytes(value);
        }
    }

    /**
     * A bare attribute list, as in the data of a RESPONDER-LIFETIME notify (RFC 2407 s4.6.3.1).
     */
    public static byte[] encodeList(List<DataAttribute> attributes) {
        WireWriter w = new WireWriter();
        attributes.forEach(a -> a.write(w));
        return w.toByteArray();
    }

    /** Inverse of {@link #encodeList}; every byte must belong to an attribute. */
    public static List<DataAttribute> decodeList(byte[] data) throws WireException {
        WireReader r = new WireReader(data, 0, data.length);
        List<DataAttribute> out = new ArrayList<>();
        while (r.hasRemaining()) {
            out.add(read(r));
        }
        return out;
    }

    static DataAttribute read(WireReader r) throws WireException {
        int typeField = r.u16("attribute type");
        if ((typeField & AF_BIT) != 0) {
            return new DataAttribute(typeField & MAX_TYPE, true, r.u16("attribute value"), NO_BYTES);
        }
        int length = r.u16("attribute length");
        return new DataAttribute(typeField, r.bytes(length, "attribute value"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataAttribute a && a.type == type && a.basic == basic && a.basicValue == basicValue
                && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * type + Boolean.hashCode(basic)) + basicValue) + Arrays.hashCode(value);
    }

    /**
     * TV values are shown; TLV values only by length, because an attribute does not know its space and a TLV may be
     * a secret (XAUTH-USER-PASSWORD in an Attribute payload). {@link MessageDump} shows the values it may.
     */
    @Override
    public String toString() {
        return basic ? "DataAttribute[type=" + type + ", TV, value=" + longValue() + "]"
                : "DataAttribute[type=" + type + ", TLV, " + value.length + " bytes]";
    }
}
