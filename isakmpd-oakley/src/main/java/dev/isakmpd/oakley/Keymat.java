package dev.isakmpd.oakley;

import java.util.Arrays;
import java.util.Objects;

/** Quick Mode keying material (RFC 2409 s5.5). */
public final class Keymat {
    private Keymat() {
    }

    /**
     * KEYMAT = K1 | K2 | ... truncated to {@code length} bytes, where
     * K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b) and
     * Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b).
     *
     * <p>Per s5.5 the SPI is the one chosen by the SA's destination, so the two directions of a
     * negotiation get different keys; protocol and SPI come from the accepted proposal.
     *
     * @param gxyQm Quick Mode DH secret (PFS), or {@code null} without PFS
     * @param protocolId ISAKMP protocol id, one octet (e.g. 3 = ESP)
     * @param niB Quick Mode initiator nonce, payload body only
     * @param nrB Quick Mode responder nonce, payload body only
     */
    public static SecretBytes derive(Prf prf, SecretBytes skeyidD, SecretBytes gxyQm, int protocolId,
            byte[] spi, byte[] niB, byte[] nrB, int length) {
        Objects.requireNonNull(prf, "prf");
        Objects.requireNonNull(skeyidD, "skeyidD");
        Objects.requireNonNull(spi, "spi");
        Objects.requireNonNull(niB, "niB");
        Objects.requireNonNull(nrB, "nrB");
        if (protocolId < 0 || protocolId > 0xff) {
            throw new IllegalArgumentException("protocol id must fit one octet: " + protocolId);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("KEYMAT length must be positive: " + length);
        }
        byte[] gxy = gxyQm == null ? new byte[0] : gxyQm.bytes();
        byte[] key = skeyidD.bytes();
        byte[] protocol = {(byte) protocolId};
        int n = prf.outputLength();
        byte[] out = new byte[(length + n - 1) / n * n];
        try {
            byte[] prev = new byte[0];   // K1 has no feedback block
            for (int off = 0; off < length; off += n) {
                byte[] k = prf.apply(key, prev, gxy, protocol, spi, niB, nrB);
                System.arraycopy(k, 0, out, off, n);
                Arrays.fill(prev, (byte) 0);
                prev = k;
            }
            Arrays.fill(prev, (byte) 0);
            return SecretBytes.adopt(Arrays.copyOf(out, length));
        } finally {
            Arrays.fill(out, (byte) 0);
            Arrays.fill(key, (byte) 0);
            Arrays.fill(gxy, (byte) 0);
        }
    }
}
