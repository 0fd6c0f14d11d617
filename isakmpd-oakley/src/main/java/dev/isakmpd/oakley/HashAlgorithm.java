package dev.isakmpd.oakley;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.MD5Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;

/**
 * IKEv1 phase-1 "Hash Algorithm" attribute (class 2). Values 1-2 from RFC 2409 Appendix A,
 * 4-6 from the IANA assignments quoted in RFC 4868 s4. Tiger (3) is not supported.
 */
public enum HashAlgorithm {
    MD5(1, 16, MD5Digest::new, "HmacMD5"),
    SHA1(2, 20, SHA1Digest::new, "HmacSHA1"),
    SHA2_256(4, 32, SHA256Digest::new, "HmacSHA256"),
    SHA2_384(5, 48, SHA384Digest::new, "HmacSHA384"),
    SHA2_512(6, 64, SHA512Digest::new, "HmacSHA512");

    private final int ikeValue;
    private final int outputLength;
    private final Supplier<Digest> factory;
    private final String jcaHmac;

    HashAlgorithm(int ikeValue, int outputLength, Supplier<Digest> factory, String jcaHmac) {
        this.ikeValue = ikeValue;
        this.outputLength = outputLength;
        this.factory = factory;
        this.jcaHmac = jcaHmac;
    }

    public int ikeValue() {
        return ikeValue;
    }

    /** Digest size in bytes. */
    public int outputLength() {
        return outputLength;
    }

    public static Optional<HashAlgorithm> fromIke(int v) {
        for (HashAlgorithm h : values()) {
            if (h.ikeValue == v) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }

    /** Hash of the concatenation of {@code parts}. */
    public byte[] digest(byte[]... parts) {
        Digest d = newDigest();
        for (byte[] part : parts) {
            Objects.requireNonNull(part, "part");
            d.update(part, 0, part.length);
        }
        byte[] out = new byte[outputLength];
        d.doFinal(out, 0);
        return out;
    }

    /** The JCA standard name of this hash's HMAC ("HmacSHA256"). */
    String jcaHmac() {
        return jcaHmac;
    }

    /** A fresh (not thread-safe) Bouncy Castle digest instance. */
    Digest newDigest() {
        return factory.get();
    }
}
