package dev.isakmpd.core.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a DER-encoded X.501 Name (RFC 5280 s4.1.2.4: SEQUENCE OF SET OF {OID, string}), as carried by
 * ID_DER_ASN1_DN and certificate requests, as "C=CH, O=..., CN=..." for dumps. A flat, bounds-checked walk with
 * the fixed nesting of a Name (no recursion); anything unexpected yields {@code null} and the caller shows hex.
 */
final class DerNames {
    private static final int SEQUENCE = 0x30;
    private static final int SET = 0x31;
    private static final int OID = 0x06;

    private DerNames() {
    }

    /** The name as text, or null if the bytes are not a DER Name. Attribute values are escaped by {@code text}. */
    static String format(byte[] der, java.util.function.Function<byte[], String> text) {
        int[] pos = {0};
        int nameEnd = header(der, pos, SEQUENCE, der.length);
        if (nameEnd != der.length) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        while (pos[0] < nameEnd) {
            int setEnd = header(der, pos, SET, nameEnd);
            if (setEnd < 0) {
                return null;
            }
            while (pos[0] < setEnd) {
                int atvEnd = header(der, pos, SEQUENCE, setEnd);
                if (atvEnd < 0) {
                    return null;
                }
                int oidStart = pos[0];
                int oidEnd = header(der, pos, OID, atvEnd);
                if (oidEnd < 0) {
                    return null;
                }
                String key = oidName(der, pos[0], oidEnd);
                pos[0] = oidEnd;
                if (pos[0] >= atvEnd) {
                    return null;
                }
                int valueEnd = header(der, pos, -1, atvEnd); // any string type
                if (valueEnd != atvEnd || key == null || oidStart >= oidEnd) {
                    return null;
                }
                byte[] value = java.util.Arrays.copyOfRange(der, pos[0], valueEnd);
                parts.add(key + "=" + text.apply(value));
                pos[0] = valueEnd;
            }
        }
        return String.join(", ", parts);
    }

    /** Reads a tag (expected unless -1) and a definite length; returns the content end or -1. */
    private static int header(byte[] b, int[] pos, int expectedTag, int limit) {
        int p = pos[0];
        if (p + 2 > limit) {
            return -1;
        }
        int tag = b[p++] & 0xFF;
        if (expectedTag >= 0 && tag != expectedTag) {
            return -1;
        }
        int len = b[p++] & 0xFF;
        if (len >= 0x80) {
            int n = len & 0x7F;
            if (n == 0 || n > 3 || p + n > limit) {
                return -1;
            }
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (b[p++] & 0xFF);
            }
        }
        if (len > limit - p) {
            return -1;
        }
        pos[0] = p;
        return p + len;
    }

    private static String oidName(byte[] b, int from, int to) {
        if (to - from == 3 && b[from] == 0x55 && b[from + 1] == 0x04) { // 2.5.4.x
            switch (b[from + 2]) {
                case 3: return "CN";
                case 5: return "serialNumber";
                case 6: return "C";
                case 7: return "L";
                case 8: return "ST";
                case 9: return "street";
                case 10: return "O";
                case 11: return "OU";
                case 12: return "title";
                default: break;
            }
        }
        byte[] email = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x09, 0x01};
        if (java.util.Arrays.equals(b, from, to, email, 0, email.length)) {
            return "E";
        }
        // dotted form
        if (to <= from || to - from > 32) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        long v = 0;
        boolean first = true;
        for (int i = from; i < to; i++) {
            v = (v << 7) | (b[i] & 0x7F);
            if ((b[i] & 0x80) == 0) {
                if (first) {
                    sb.append(v < 80 ? v / 40 : 2).append('.').append(v < 80 ? v % 40 : v - 80);
                    first = false;
                } else {
                    sb.append('.').append(v);
                }
                v = 0;
            } else if (v > (1L << 48)) {
                return null;
            }
        }
        return sb.toString();
    }
}
