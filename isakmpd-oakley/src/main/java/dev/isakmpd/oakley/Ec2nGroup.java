package dev.isakmpd.oakley;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * The Oakley EC2N groups 3 and 4 (RFC 2409 s6.3/6.4, RFC 2412 App. E.3/E.4): the curve
 * y^2 + xy = x^3 + b over GF(2^155) resp. GF(2^185). Legacy: a 152-bit resp. 183-bit prime
 * subgroup is far below today's minimum, so {@link DhGroup#byId(int)} does not return them; a
 * configuration must ask for them explicitly.
 *
 * <p>KE data is the x coordinate of d * P only (RFC 2409 s6.3: "the value x from the solution
 * (x,y)"), big-endian, left-padded to the field length (20 resp. 24 bytes); the receiver may use
 * either y. The shared secret is the x coordinate of d * Q, same encoding (either y of Q gives
 * the same x).
 *
 * <p>The generators do not have prime order: per RFC 2412 E.3 the point with x = 0x7b has order
 * 4n and per E.4 the point with x = 0x18 has order 2n (n the large prime factor). Private
 * scalars are uniform in [1, ord(P) - 1]. A peer's x must decompress to a curve point Q with
 * h*Q != O and n*(h*Q) = O (h = ord(P)/n), i.e. Q has the large prime order component and no
 * other odd one; x = 0 (the point of order 2) fails the first test.
 */
final class Ec2nGroup extends DhGroup {
    private final ECCurve curve;
    private final ECPoint generator;
    private final BigInteger n;
    private final BigInteger genCofactor;
    private final BigInteger genOrder;
    private final int fieldLength;

    private Ec2nGroup(int id, String name, int m, int k, int b, int gx, String primeOrderHex, int genCofactor) {
        super(id, name);
        // No order/cofactor given to Bouncy Castle: with them, its point decoding would insist
        // on membership in the prime-order subgroup, which these generators are not in.
        this.curve = new ECCurve.F2m(m, k, BigInteger.ZERO, BigInteger.valueOf(b), null, null);
        this.fieldLength = (m + 7) / 8;
        this.n = new BigInteger(primeOrderHex, 16);
        this.genCofactor = BigInteger.valueOf(genCofactor);
        this.genOrder = n.multiply(this.genCofactor);
        this.generator = decompress(BigInteger.valueOf(gx));
        if (generator == null) {
            throw new IllegalStateException(name + ": generator not on the curve");
        }
    }

    /** RFC 2409 s6.3: u^155 + u^62 + 1, b = 0x07338f, generator x = 0x7b, ord(P) = 4n (RFC 2412 E.3). */
    static Ec2nGroup group3() {
        return new Ec2nGroup(3, "ec2n155", 155, 62, 0x07338f, 0x7b,
                "aaaaaaaaaaaaaaaaaab1fcf1e206f421a3ea1b", 4);
    }

    /** RFC 2409 s6.4: u^185 + u^69 + 1, b = 0x1ee9, generator x = 0x18, ord(P) = 2n (RFC 2412 E.4). */
    static Ec2nGroup group4() {
        return new Ec2nGroup(4, "ec2n185", 185, 69, 0x1ee9, 0x18,
                "7ffffffffffffffffffffff6fcbe226dcf92105d7e53af", 2);
    }

    @Override
    public Kind kind() {
        return Kind.EC2N;
    }

    @Override
    public boolean isLegacy() {
        return true;
    }

    @Override
    public int publicValueLength() {
        return fieldLength;
    }

    @Override
    public int sharedSecretLength() {
        return fieldLength;
    }

    BigInteger generatorOrder() {
        return genOrder;
    }

    ECPoint generatorPoint() {
        return generator;
    }

    @Override
    public DhKeyPair generateKeyPair(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        return keyPairFromPrivate(BigIntegers.createRandomInRange(BigInteger.ONE, genOrder.subtract(BigInteger.ONE),
                random));
    }

    @Override
    DhKeyPair keyPairFromPrivate(BigInteger d) {
        if (d.signum() <= 0 || d.compareTo(genOrder) >= 0) {
            throw new IllegalArgumentException("private scalar out of range for " + name());
        }
        ECPoint q = generator.multiply(d).normalize();
        return new DhKeyPair(this, BigIntegers.asUnsignedByteArray(fieldLength + 1, d), x(q));
    }

    @Override
    DhKeyPair keyPairFromPrivate(byte[] privateValue) {
        return keyPairFromPrivate(new BigInteger(1, privateValue));
    }

    private byte[] x(ECPoint q) {
        return BigIntegers.asUnsignedByteArray(fieldLength, q.getAffineXCoord().toBigInteger());
    }

    /** The curve point with this x (y-tilde 0), or null if there is none. */
    private ECPoint decompress(BigInteger x) {
        if (x.bitLength() > curve.getFieldSize()) {
            return null;
        }
        byte[] enc = new byte[1 + fieldLength];
        enc[0] = 0x02;
        BigIntegers.asUnsignedByteArray(x, enc, 1, fieldLength);
        try {
            return curve.decodePoint(enc);
        } catch (IllegalArgumentException | ArithmeticException e) {
            return null;
        }
    }

    private ECPoint parse(byte[] peerPublic) throws InvalidKeyInformationException {
        BigInteger x = new BigInteger(1, peerPublic);
        if (x.signum() == 0) {
            throw invalid("peer x is 0 (the point of order 2)");
        }
        ECPoint q = decompress(x);
        if (q == null || q.isInfinity()) {
            throw invalid("peer x is not on the curve");
        }
        ECPoint hq = q.multiply(genCofactor);
        if (hq.isInfinity() || !hq.multiply(n).isInfinity()) {
            throw invalid("peer point not of the generator's order");
        }
        return q;
    }

    @Override
    void validateValue(byte[] peerPublic) throws InvalidKeyInformationException {
        parse(peerPublic);
    }

    @Override
    byte[] agreeValidated(byte[] privateValue, byte[] peerPublic) throws InvalidKeyInformationException {
        ECPoint s = parse(peerPublic).multiply(new BigInteger(1, privateValue)).normalize();
        if (s.isInfinity()) {
            throw invalid("shared point is the identity");
        }
        return x(s);
    }
}
