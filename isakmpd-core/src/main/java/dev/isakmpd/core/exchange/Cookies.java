package dev.isakmpd.core.exchange;

import java.util.Arrays;
import java.util.HexFormat;

/** The pair (CKY-I, CKY-R) that names an ISAKMP SA (RFC 2408 s2.5.3); CKY-R is zero until MM2. */
record Cookies(byte[] initiator, byte[] responder) {
    private static final byte[] ZERO = new byte[8];

    Cookies {
        initiator = initiator.clone();
        responder = responder.clone();
    }

    /** An SA before MM2: CKY-R is still zero. */
    static Cookies initiatorOnly(byte[] initiator) {
        return new Cookies(initiator, ZERO);
    }

    @Override
    public byte[] initiator() {
        return initiator.clone();
    }

    @Override
    public byte[] responder() {
        return responder.clone();
    }

    boolean responderKnown() {
        return !Arrays.equals(responder, ZERO);
    }

    /** CKY-I | CKY-R, the SPI of the ISAKMP SA in Notification and Delete payloads (RFC 2408 s3.14, s3.15). */
    byte[] spi() {
        byte[] s = new byte[16];
        System.arraycopy(initiator, 0, s, 0, 8);
        System.arraycopy(responder, 0, s, 8, 8);
        return s;
    }

    String initiatorHex() {
        return HexFormat.of().formatHex(initiator);
    }

    String responderHex() {
        return HexFormat.of().formatHex(responder);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cookies c && Arrays.equals(initiator, c.initiator) && Arrays.equals(responder, c.responder);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(initiator) + Arrays.hashCode(responder);
    }

    @Override
    public String toString() {
        return initiatorHex() + ":" + responderHex();
    }
}
