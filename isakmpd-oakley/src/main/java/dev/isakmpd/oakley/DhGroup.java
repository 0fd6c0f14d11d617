package dev.isakmpd.oakley;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.util.BigIntegers;

/**
 * A MODP Diffie-Hellman group, identified by its IKE "Group Description" value.
 *
 * <p>Encoding: public values and g^xy are big-endian, left-padded with zeros to the prime's
 * byte length. RFC 2409 s5 requires this for KE data ("MUST be the length of the negotiated
 * Diffie-Hellman group ... by pre-pending the value with zeros"), and g^xy enters SKEYID_* and
 * KEYMAT the same way, so a leading zero byte must not be dropped.
 *
 * <p>Private exponents are uniform in [2, p-2] (full size), not the shorter 2x-strength
 * exponents RFC 3526 s8 allows: it avoids depending on short-exponent security arguments, and
 * the extra cost (one full-size exponentiation per exchange) is small at IKE rates.
 *
 * <p>{@link BigInteger#modPow} is not constant-time; acceptable for this skeleton, since
 * exponents are ephemeral and used for a single exchange.
 */
public final class DhGroup {
    private static final BigInteger GENERATOR = BigInteger.TWO;

    /** RFC 2409 s6.2, "Second Oakley Group". */
    private static final DhGroup MODP_1024 = new DhGroup(2, "modp1024", """
            FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1
            29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
            EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245
            E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
            EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE65381
            FFFFFFFF FFFFFFFF""");

    /** RFC 3526 s3, "2048-bit MODP Group". */
    private static final DhGroup MODP_2048 = new DhGroup(14, "modp2048", """
            FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1
            29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
            EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245
            E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
            EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE45B3D
            C2007CB8 A163BF05 98DA4836 1C55D39A 69163FA8 FD24CF5F
            83655D23 DCA3AD96 1C62F356 208552BB 9ED52907 7096966D
            670C354E 4ABC9804 F1746C08 CA18217C 32905E46 2E36CE3B
            E39E772C 180E8603 9B2783A2 EC07A28F B5C55DF0 6F4C52C9
            DE2BCBF6 95581718 3995497C EA956AE5 15D22618 98FA0510
            15728E5A 8AACAA68 FFFFFFFF FFFFFFFF""");

    private static final Map<Integer, DhGroup> BY_ID = Map.of(
            MODP_1024.id, MODP_1024,
            MODP_2048.id, MODP_2048);

    private final int id;
    private final String name;
    private final BigInteger p;
    private final BigInteger pMinusOne;
    private final int length;

    private DhGroup(int id, String name, String primeHex) {
        this.id = id;
        this.name = name;
        this.p = new BigInteger(primeHex.replaceAll("\\s+", ""), 16);
        this.pMinusOne = p.subtract(BigInteger.ONE);
        this.length = (p.bitLength() + 7) / 8;
    }

    /** The group for an IKE Group Description value; currently 2 and 14. */
    public static Optional<DhGroup> byId(int groupDescription) {
        return Optional.ofNullable(BY_ID.get(groupDescription));
    }

    public int id() {
        return id;
    }

    /** strongSwan-style name, e.g. "modp2048". */
    public String name() {
        return name;
    }

    /** Length in bytes of KE data and of g^xy for this group. */
    public int publicValueLength() {
        return length;
    }

    public BigInteger prime() {
        return p;
    }

    public BigInteger generator() {
        return GENERATOR;
    }

    public DhKeyPair generateKeyPair(SecureRandom random) {
        Objects.requireNonNull(random, "random");
        BigInteger x = BigIntegers.createRandomInRange(BigInteger.TWO, p.subtract(BigInteger.TWO), random);
        return keyPairFromPrivate(x);
    }

    /** Deterministic key pair from a fixed exponent in [2, p-2]; for known-answer tests. */
    DhKeyPair keyPairFromPrivate(BigInteger x) {
        if (x.compareTo(BigInteger.TWO) < 0 || x.compareTo(pMinusOne) >= 0) {
            throw new IllegalArgumentException("private exponent out of range [2, p-2]");
        }
        BigInteger y = GENERATOR.modPow(x, p);
        return new DhKeyPair(this, encode(x), encode(y));
    }

    /**
     * Computes g^xy after validating the peer's value.
     *
     * @return g^xy, left-padded to {@link #publicValueLength()} bytes
     * @throws InvalidKeyInformationException if the peer value is malformed or degenerate
     */
    public SecretBytes agree(DhKeyPair own, byte[] peerPublic) throws InvalidKeyInformationException {
        Objects.requireNonNull(own, "own");
        if (own.group() != this) {
            throw new IllegalArgumentException("key pair belongs to " + own.group().name() + ", not " + name);
        }
        BigInteger y = parsePeerPublic(peerPublic);
        BigInteger z = y.modPow(own.privateExponent(), p);
        // Only possible if x happens to be a multiple of y's order (x = q); cheap to rule out.
        if (z.compareTo(BigInteger.ONE) <= 0 || z.equals(pMinusOne)) {
            throw new InvalidKeyInformationException("degenerate Diffie-Hellman shared secret in " + name);
        }
        return SecretBytes.adopt(encode(z));
    }

    /**
     * Rejects KE data of the wrong length (RFC 2409 s5: fixed length, zero-padded) and values
     * outside [2, p-2]. These MODP primes are safe primes (p = 2q + 1), so the only small
     * subgroups are {1} and {1, p-1}; excluding 0, 1 and p-1 rules out small-subgroup
     * confinement without an extra y^q exponentiation.
     */
    public void validatePeerPublic(byte[] peerPublic) throws InvalidKeyInformationException {
        parsePeerPublic(peerPublic);
    }

    private BigInteger parsePeerPublic(byte[] peerPublic) throws InvalidKeyInformationException {
        Objects.requireNonNull(peerPublic, "peerPublic");
        if (peerPublic.length != length) {
            throw new InvalidKeyInformationException("KE data for " + name + " must be " + length
                    + " bytes, got " + peerPublic.length);
        }
        BigInteger y = new BigInteger(1, peerPublic);
        if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(pMinusOne) >= 0) {
            throw new InvalidKeyInformationException("peer public value outside [2, p-2] for " + name);
        }
        return y;
    }

    byte[] encode(BigInteger v) {
        return BigIntegers.asUnsignedByteArray(length, v);
    }

    @Override
    public String toString() {
        return name + " (group " + id + ")";
    }
}
