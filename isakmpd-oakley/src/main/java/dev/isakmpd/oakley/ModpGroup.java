package dev.isakmpd.oakley;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.util.BigIntegers;

/**
 * A MODP group (RFC 2409 s6.1/6.2, RFC 3526, RFC 5114 s2.1-2.3).
 *
 * <p>Encoding: public values and g^xy are big-endian, left-padded with zeros to the prime's
 * byte length (RFC 2409 s5: KE data "MUST be the length of the negotiated Diffie-Hellman group
 * ... by pre-pending the value with zeros"); a leading zero byte is never dropped.
 *
 * <p>Private exponents:
 * <ul>
 * <li>Safe-prime groups (p = 2q + 1): x is uniform in [2, 2^e - 1], where e is twice the larger
 *     ("Strength Estimate 2") strength of RFC 3526 s8: 240 bits for group 5, 320 for 14, 420 for
 *     15, 480 for 16, 540 for 17, 620 for 18. Groups 1 and 2 are not in that table; they use 256
 *     bits, above twice any published strength estimate for 768/1024-bit moduli. With e = 2s
 *     the best known attacks on short exponents (Pollard's lambda, van Oorschot-Wiener) cost
 *     about 2^s, no less than the group's own strength.
 * <li>RFC 5114 groups: x is uniform in [1, q-1]; exponents only matter mod q.
 * </ul>
 *
 * <p>Validation of the peer's y: 1 < y < p-1. For safe primes the only small subgroups are {1}
 * and {1, p-1}, so the range check is complete. The RFC 5114 primes have many small factors in
 * (p-1)/q, so there y^q = 1 mod p is also required (RFC 5114 s4, NIST SP 800-56A 5.6.2.3.1).
 *
 * <p>Speed: g^x uses a {@link FixedBaseComb} built on first use or by {@link #precompute}; y^x uses
 * {@link BigInteger#modPow} (JIT-intrinsified Montgomery multiplication). Neither is
 * constant-time; see the class comment of {@link FixedBaseComb}.
 */
final class ModpGroup extends DhGroup {
    /** Budget for one group's fixed-base table. */
    private static final long TABLE_BUDGET = 2L << 20;

    private final BigInteger p;
    private final BigInteger g;
    private final BigInteger q;           // null for safe-prime groups
    private final BigInteger pMinusOne;
    private final int exponentBits;
    private final int length;
    private volatile FixedBaseComb comb;

    private ModpGroup(int id, String name, BigInteger p, BigInteger g, BigInteger q, int exponentBits) {
        super(id, name);
        this.p = p;
        this.g = g;
        this.q = q;
        this.pMinusOne = p.subtract(BigInteger.ONE);
        this.exponentBits = exponentBits;
        this.length = (p.bitLength() + 7) / 8;
    }

    static ModpGroup safePrime(int id, String name, String primeHex, int exponentBits) {
        return new ModpGroup(id, name, hex(primeHex), BigInteger.TWO, null, exponentBits);
    }

    static ModpGroup primeOrderSubgroup(int id, String name, String p, String g, String q) {
        BigInteger order = hex(q);
        return new ModpGroup(id, name, hex(p), hex(g), order, order.bitLength());
    }

    private static BigInteger hex(String text) {
        return new BigInteger(text.replaceAll("\\s+", ""), 16);
    }

    @Override
    public Kind kind() {
        return Kind.MODP;
    }

    @Override
    public int publicValueLength() {
        return length;
    }

    @Override
    public int sharedSecretLength() {
        return length;
    }

    BigInteger prime() {
        return p;
    }

    BigInteger generator() {
        return g;
    }

    /** The prime order of g for the RFC 5114 groups; null for safe-prime groups. */
    BigInteger subgroupOrder() {
        return q;
    }

    /** Size in bits of freshly generated private exponents. */
    int exponentBits() {
        return exponentBits;
    }

    @Override
    public DhKeyPair generateKeyPair(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        BigInteger x = q != null
                ? BigIntegers.createRandomInRange(BigInteger.ONE, q.subtract(BigInteger.ONE), random)
                : BigIntegers.createRandomInRange(BigInteger.TWO,
                        BigInteger.ONE.shiftLeft(exponentBits).subtract(BigInteger.ONE), random);
        return keyPairFromPrivate(x);
    }

    @Override
    DhKeyPair keyPairFromPrivate(BigInteger x) {
        BigInteger lo = q != null ? BigInteger.ONE : BigInteger.TWO;
        BigInteger hi = q != null ? q : pMinusOne;       // exclusive
        if (x.compareTo(lo) < 0 || x.compareTo(hi) >= 0) {
            throw new IllegalArgumentException("private exponent out of range for " + name());
        }
        return new DhKeyPair(this, encode(x), encode(powG(x)));
    }

    @Override
    DhKeyPair keyPairFromPrivate(byte[] privateValue) {
        return keyPairFromPrivate(new BigInteger(1, privateValue));
    }

    BigInteger powG(BigInteger x) {
        FixedBaseComb c = comb();
        return c != null && c.covers(x) ? c.pow(x) : g.modPow(x, p);
    }

    @Override
    public void precompute() {
        comb();
    }

    private FixedBaseComb comb() {
        FixedBaseComb c = comb;
        if (c == null) {
            synchronized (this) {
                c = comb;
                if (c == null) {
                    int w = FixedBaseComb.windowFor(length, exponentBits, TABLE_BUDGET);
                    if (w == 0) {
                        return null;
                    }
                    c = new FixedBaseComb(p, g, exponentBits, w);
                    comb = c;
                }
            }
        }
        return c;
    }

    @Override
    void validateValue(byte[] peerPublic) throws InvalidKeyInformationException {
        parse(peerPublic);
    }

    private BigInteger parse(byte[] peerPublic) throws InvalidKeyInformationException {
        BigInteger y = new BigInteger(1, peerPublic);
        if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(pMinusOne) >= 0) {
            throw invalid("peer public value outside [2, p-2]");
        }
        if (q != null && !y.modPow(q, p).equals(BigInteger.ONE)) {
            throw invalid("peer public value not in the prime-order subgroup");
        }
        return y;
    }

    @Override
    byte[] agreeValidated(byte[] privateValue, byte[] peerPublic) throws InvalidKeyInformationException {
        BigInteger y = parse(peerPublic);
        BigInteger z = y.modPow(new BigInteger(1, privateValue), p);
        // Unreachable after validation unless x is a multiple of y's order; cheap to rule out.
        if (z.compareTo(BigInteger.ONE) <= 0 || z.equals(pMinusOne)) {
            throw invalid("degenerate Diffie-Hellman shared secret");
        }
        return encode(z);
    }

    byte[] encode(BigInteger v) {
        return BigIntegers.asUnsignedByteArray(length, v);
    }
}
