package dev.isakmpd.oakley;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The IKEv1 pseudo-random function. RFC 2409 s4: when no prf is negotiated (none is defined),
 * the HMAC (RFC 2104) form of the negotiated hash is used. Immutable and thread-safe: every
 * {@link #apply} call uses its own HMAC instance.
 */
public final class Prf {
    private static final Map<HashAlgorithm, Prf> HMACS = new EnumMap<>(HashAlgorithm.class);

    static {
        for (HashAlgorithm h : HashAlgorithm.values()) {
            HMACS.put(h, new Prf(h));
        }
    }

    private final HashAlgorithm hash;

    private Prf(HashAlgorithm hash) {
        this.hash = hash;
    }

    public static Prf hmac(HashAlgorithm h) {
        return HMACS.get(Objects.requireNonNull(h, "h"));
    }

    /**
     * prf(key, data[0] | data[1] | ...). HMAC accepts keys of any length (RFC 2104 s2), so the
     * Appendix B key-expansion for short-keyed PRFs is never needed here.
     */
    public byte[] apply(byte[] key, byte[]... data) {
        Objects.requireNonNull(key, "key");
        HMac mac = new HMac(hash.newDigest());
        mac.init(new KeyParameter(key));
        for (byte[] part : data) {
            Objects.requireNonNull(part, "data part");
            mac.update(part, 0, part.length);
        }
        byte[] out = new byte[mac.getMacSize()];
        mac.doFinal(out, 0);
        return out;
    }

    /** prf keyed with secret material (e.g. SKEYID_a); the temporary key copy is wiped afterwards. */
    public byte[] apply(SecretBytes key, byte[]... data) {
        Objects.requireNonNull(key, "key");
        byte[] k = key.bytes();
        try {
            return apply(k, data);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    public int outputLength() {
        return hash.outputLength();
    }

    public HashAlgorithm hash() {
        return hash;
    }

    @Override
    public String toString() {
        return "HMAC-" + hash;
    }
}
