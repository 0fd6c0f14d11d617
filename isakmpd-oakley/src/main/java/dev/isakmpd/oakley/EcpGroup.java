package dev.isakmpd.oakley;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * An elliptic curve group over GF(p): the NIST curves of RFC 5903 (19-21) and RFC 5114 (25, 26)
 * and the brainpool curves of RFC 6932 (27-30, used with IKEv1 as strongSwan does).
 *
 * <p>KE data is x | y, each coordinate big-endian and left-padded to the field length; the
 * shared secret is the x coordinate of d * Q, same padding (RFC 5903 s7 and s9, RFC 5114 s3.2
 * via RFC 4753, RFC 6954 s2.3). All these curves have cofactor 1, so a peer point that decodes
 * with coordinates in [0, p-1], lies on the curve and is not the identity (which has no x | y
 * encoding at all) is in the prime-order group.
 *
 * <p>Key generation uses a fixed-base table for the generator ({@link EcFixedBase}, built on
 * first use or by {@link #precompute}); agreement uses the curve's default multiplier (windowed
 * NAF). Bouncy Castle's custom-field curves (NIST P-192..P-521) have specialised field
 * arithmetic; brainpool curves use generic GF(p) arithmetic and are slower.
 */
final class EcpGroup extends DhGroup {
    private final String curveName;
    private final X9ECParameters params;
    private final ECCurve curve;
    private final ECPoint generator;
    private final BigInteger n;
    private final BigInteger fieldPrime;
    private final int fieldLength;
    private volatile EcFixedBase fixedBase;

    private EcpGroup(int id, String name, String curveName, X9ECParameters params) {
        super(id, name);
        this.curveName = curveName;
        this.params = params;
        this.curve = params.getCurve();
        this.generator = params.getG();
        this.n = params.getN();
        this.fieldPrime = curve.getField().getCharacteristic();
        this.fieldLength = (curve.getFieldSize() + 7) / 8;
        if (!BigInteger.ONE.equals(params.getH())) {
            throw new IllegalStateException(name + ": cofactor 1 expected");
        }
    }

    static EcpGroup named(int id, String name, String curveName) {
        X9ECParameters p = CustomNamedCurves.getByName(curveName);
        if (p == null) {
            p = ECNamedCurveTable.getByName(curveName);
        }
        if (p == null) {
            throw new IllegalStateException("Bouncy Castle lacks curve " + curveName);
        }
        return new EcpGroup(id, name, curveName, p);
    }

    @Override
    public Kind kind() {
        return Kind.ECP;
    }

    @Override
    public int publicValueLength() {
        return 2 * fieldLength;
    }

    @Override
    public int sharedSecretLength() {
        return fieldLength;
    }

    /** The SEC 2 / RFC 5639 name, e.g. "secp256r1", as JCA providers know the curve. */
    String curveName() {
        return curveName;
    }

    BigInteger order() {
        return n;
    }

    BigInteger fieldPrime() {
        return fieldPrime;
    }

    @Override
    public DhKeyPair generateKeyPair(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        return keyPairFromPrivate(BigIntegers.createRandomInRange(BigInteger.ONE, n.subtract(BigInteger.ONE), random));
    }

    @Override
    DhKeyPair keyPairFromPrivate(BigInteger d) {
        if (d.signum() <= 0 || d.compareTo(n) >= 0) {
            throw new IllegalArgumentException("private scalar out of range for " + name());
        }
        ECPoint q = fixedBase().multiply(d);
        return new DhKeyPair(this, BigIntegers.asUnsignedByteArray(fieldLength + 1, d), encodePoint(q));
    }

    @Override
    DhKeyPair keyPairFromPrivate(byte[] privateValue) {
        return keyPairFromPrivate(new BigInteger(1, privateValue));
    }

    @Override
    public void precompute() {
        fixedBase();
    }

    private EcFixedBase fixedBase() {
        EcFixedBase f = fixedBase;
        if (f == null) {
            synchronized (this) {
                f = fixedBase;
                if (f == null) {
                    // w = 6: 63 affine points per 6 scalar bits (about 0.6 MB of Bouncy Castle
                    // objects for P-256); w = 5 above 384 bits keeps P-521 near 1 MB.
                    f = new EcFixedBase(generator, n.bitLength(), n.bitLength() > 384 ? 5 : 6);
                    fixedBase = f;
                }
            }
        }
        return f;
    }

    private byte[] encodePoint(ECPoint q) {
        byte[] out = new byte[2 * fieldLength];
        BigIntegers.asUnsignedByteArray(q.getAffineXCoord().toBigInteger(), out, 0, fieldLength);
        BigIntegers.asUnsignedByteArray(q.getAffineYCoord().toBigInteger(), out, fieldLength, fieldLength);
        return out;
    }

    private ECPoint decodePoint(byte[] ke) throws InvalidKeyInformationException {
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(ke, 0, fieldLength));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(ke, fieldLength, 2 * fieldLength));
        if (x.compareTo(fieldPrime) >= 0 || y.compareTo(fieldPrime) >= 0) {
            throw invalid("peer point coordinate not below the field prime");
        }
        ECPoint q;
        try {
            q = curve.validatePoint(x, y);
        } catch (IllegalArgumentException e) {
            throw invalid("peer point not on the curve");
        }
        if (q.isInfinity()) {
            throw invalid("peer point is the identity");
        }
        return q;
    }

    @Override
    void validateValue(byte[] peerPublic) throws InvalidKeyInformationException {
        decodePoint(peerPublic);
    }

    @Override
    byte[] agreeValidated(byte[] privateValue, byte[] peerPublic) throws InvalidKeyInformationException {
        ECPoint q = decodePoint(peerPublic);
        ECPoint s = q.multiply(new BigInteger(1, privateValue)).normalize();
        if (s.isInfinity()) {
            throw invalid("shared point is the identity");
        }
        return BigIntegers.asUnsignedByteArray(fieldLength, s.getAffineXCoord().toBigInteger());
    }
}
