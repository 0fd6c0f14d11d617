package dev.isakmpd.oakley;

import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc7748.X448;

/**
 * curve25519 (group 31) and curve448 (group 32): the X25519 and X448 functions of RFC 7748 s5
 * with the IKE encoding of RFC 8031 s2: the KE data is the 32- or 56-byte little-endian
 * u-coordinate, and the shared secret is the function's 32- or 56-byte output, used as is.
 *
 * <p>Private keys are 32/56 random bytes, clamped by the function itself (RFC 7748 s5).
 * Validation: RFC 8031 s2 requires checking that the shared secret is not all zeros, which
 * happens exactly for peer values of small order (on the curve or its twist); any other
 * 32/56-byte string is a usable u-coordinate (RFC 7748 s5: the top bit of an X25519 input is
 * masked, non-canonical values are reduced). {@link #validatePeerPublic} applies the same
 * test by running the function with a fixed clamped scalar, which is zero on exactly those
 * small-order inputs, since every clamped scalar is a multiple of the cofactor.
 *
 * <p>Bouncy Castle's implementation is constant-time; the base-point multiplication uses its
 * precomputed Edwards-form tables (built once, {@link #warmUp()}).
 */
final class MontgomeryCurveGroup extends DhGroup {
    private final boolean is25519;
    private final int size;
    private final byte[] probeScalar;

    private MontgomeryCurveGroup(int id, String name, boolean is25519) {
        super(id, name);
        this.is25519 = is25519;
        this.size = is25519 ? X25519.SCALAR_SIZE : X448.SCALAR_SIZE;
        this.probeScalar = new byte[size];
        probeScalar[0] = 8;                                      // any clamped scalar would do
    }

    static MontgomeryCurveGroup x25519() {
        return new MontgomeryCurveGroup(31, "curve25519", true);
    }

    static MontgomeryCurveGroup x448() {
        return new MontgomeryCurveGroup(32, "curve448", false);
    }

    /** Builds Bouncy Castle's base-point tables now rather than on the first key pair. */
    void warmUp() {
        if (is25519) {
            X25519.precompute();
        } else {
            X448.precompute();
        }
    }

    @Override
    public Kind kind() {
        return Kind.MONTGOMERY;
    }

    @Override
    public int publicValueLength() {
        return size;
    }

    @Override
    public int sharedSecretLength() {
        return size;
    }

    @Override
    public DhKeyPair generateKeyPair(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        byte[] k = new byte[size];
        random.nextBytes(k);
        return keyPairFromPrivate(k);
    }

    @Override
    DhKeyPair keyPairFromPrivate(byte[] k) {
        if (k.length != size) {
            throw new IllegalArgumentException(name() + " private key must be " + size + " bytes");
        }
        byte[] pub = new byte[size];
        if (is25519) {
            X25519.scalarMultBase(k, 0, pub, 0);
        } else {
            X448.scalarMultBase(k, 0, pub, 0);
        }
        return new DhKeyPair(this, k.clone(), pub);
    }

    @Override
    void validateValue(byte[] peerPublic) throws InvalidKeyInformationException {
        byte[] out = new byte[size];
        if (!compute(probeScalar, peerPublic, out)) {
            throw invalid("peer public value has small order");
        }
    }

    @Override
    byte[] agreeValidated(byte[] privateValue, byte[] peerPublic) throws InvalidKeyInformationException {
        byte[] out = new byte[size];
        if (!compute(privateValue, peerPublic, out)) {
            // RFC 8031 s2 / RFC 7748 s6: all-zero output means a small-order peer value.
            throw invalid("all-zero shared secret (small-order peer value)");
        }
        return out;
    }

    /** Runs X25519/X448; false when the output is all zeros. */
    private boolean compute(byte[] k, byte[] u, byte[] out) {
        return is25519
                ? X25519.calculateAgreement(k, 0, u, 0, out, 0)
                : X448.calculateAgreement(k, 0, u, 0, out, 0);
    }
}
