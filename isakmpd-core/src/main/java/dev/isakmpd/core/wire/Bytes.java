package dev.isakmpd.core.wire;

import java.util.HexFormat;
import java.util.Objects;

/** Small byte[] helpers for the payload value classes. */
final class Bytes {
    private static final HexFormat HEX = HexFormat.of();
    private static final int TO_STRING_LIMIT = 64;

    private Bytes() {
    }

    static byte[] copy(byte[] b, String name) {
        return Objects.requireNonNull(b, name).clone();
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    /** Hex for toString: long values are cut so log lines stay readable. */
    static String shortHex(byte[] b) {
        if (b.length <= TO_STRING_LIMIT) {
            return HEX.formatHex(b);
        }
        return HEX.formatHex(b, 0, TO_STRING_LIMIT) + "...(" + b.length + " bytes)";
    }

    static int checkRange(int value, int min, int max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " out of range " + min + ".." + max + ": " + value);
        }
        return value;
    }
}
