package dev.isakmpd.oakley;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A Diffie-Hellman group, identified by its IKE "Group Description" value (RFC 2409 App. A and
 * the IANA registry). Four families sit behind this one type:
 * <ul>
 * <li>MODP (1, 2, 5, 14-18: safe primes, generator 2; 22-24: RFC 5114 prime-order subgroups);
 * <li>ECP (19-21 RFC 5903, 25-26 RFC 5114, 27-30 brainpool RFC 6932/6954): KE data is x | y,
 *     the shared secret is the x coordinate of the product (RFC 5903 s7, RFC 6954 s2.3);
 * <li>curve25519 (31) and curve448 (32): RFC 7748 functions with the RFC 8031 encoding;
 * <li>EC2N (3, 4, RFC 2409 s6.3/6.4): legacy, only returned by {@link #byId(int, boolean)} with
 *     {@code allowLegacy}.
 * </ul>
 *
 * <p>KE data and shared secrets have a fixed length per group (RFC 2409 s5: MODP values are
 * left-padded with zeros to the prime's length; EC coordinates to the field's length), and a
 * leading zero byte is never dropped. Every peer value is validated before use (see
 * {@link #validatePeerPublic}); failures throw {@link InvalidKeyInformationException}, which maps to
 * the INVALID-KEY-INFORMATION notify. Messages never contain the offending value or any secret.
 *
 * <p>Thread-safe and immutable (lazily built precomputation tables are published safely).
 */
public abstract sealed class DhGroup permits ModpGroup, EcpGroup, MontgomeryCurveGroup, Ec2nGroup {
    /** The group's family, as in RFC 2409 App. A "Group Type" plus the RFC 7748 curves. */
    public enum Kind { MODP, ECP, EC2N, MONTGOMERY }

    private static final Map<Integer, DhGroup> ALL;

    static {
        Map<Integer, DhGroup> m = new TreeMap<>();
        for (DhGroup g : List.of(
                ModpGroup.safePrime(1, "modp768", ModpConstants.P1, 256),
                ModpGroup.safePrime(2, "modp1024", ModpConstants.P2, 256),
                ModpGroup.safePrime(5, "modp1536", ModpConstants.P5, 240),
                ModpGroup.safePrime(14, "modp2048", ModpConstants.P14, 320),
                ModpGroup.safePrime(15, "modp3072", ModpConstants.P15, 420),
                ModpGroup.safePrime(16, "modp4096", ModpConstants.P16, 480),
                ModpGroup.safePrime(17, "modp6144", ModpConstants.P17, 540),
                ModpGroup.safePrime(18, "modp8192", ModpConstants.P18, 620),
                ModpGroup.primeOrderSubgroup(22, "modp1024s160", ModpConstants.P22, ModpConstants.G22,
                        ModpConstants.Q22),
                ModpGroup.primeOrderSubgroup(23, "modp2048s224", ModpConstants.P23, ModpConstants.G23,
                        ModpConstants.Q23),
                ModpGroup.primeOrderSubgroup(24, "modp2048s256", ModpConstants.P24, ModpConstants.G24,
                        ModpConstants.Q24),
                EcpGroup.named(19, "ecp256", "secp256r1"),
                EcpGroup.named(20, "ecp384", "secp384r1"),
                EcpGroup.named(21, "ecp521", "secp521r1"),
                EcpGroup.named(25, "ecp192", "secp192r1"),
                EcpGroup.named(26, "ecp224", "secp224r1"),
                EcpGroup.named(27, "ecp224bp", "brainpoolP224r1"),
                EcpGroup.named(28, "ecp256bp", "brainpoolP256r1"),
                EcpGroup.named(29, "ecp384bp", "brainpoolP384r1"),
                EcpGroup.named(30, "ecp512bp", "brainpoolP512r1"),
                MontgomeryCurveGroup.x25519(),
                MontgomeryCurveGroup.x448(),
                Ec2nGroup.group3(),
                Ec2nGroup.group4())) {
            m.put(g.id(), g);
        }
        ALL = Collections.unmodifiableMap(m);
    }

    private final int id;
    private final String name;

    DhGroup(int id, String name) {
        this.id = id;
        this.name = name;
    }

    /**
     * The group for an IKE Group Description value, legacy groups excluded: every group listed
     * above except the EC2N groups 3 and 4.
     */
    public static Optional<DhGroup> byId(int groupDescription) {
        return byId(groupDescription, false);
    }

    /** As {@link #byId(int)}; with {@code allowLegacy} also the EC2N groups 3 and 4. */
    public static Optional<DhGroup> byId(int groupDescription, boolean allowLegacy) {
        DhGroup g = ALL.get(groupDescription);
        return g == null || (g.isLegacy() && !allowLegacy) ? Optional.empty() : Optional.of(g);
    }

    /** Lookup by strongSwan-style name ("modp2048", "ecp256", "curve25519", ...). */
    public static Optional<DhGroup> byName(String name, boolean allowLegacy) {
        for (DhGroup g : ALL.values()) {
            if (g.name.equals(name) && (allowLegacy || !g.isLegacy())) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    /** Every supported group, legacy ones included, by ascending id. */
    public static List<DhGroup> all() {
        return List.copyOf(ALL.values());
    }

    public final int id() {
        return id;
    }

    /** strongSwan-style name, e.g. "modp2048", "ecp256bp", "curve25519". */
    public final String name() {
        return name;
    }

    public abstract Kind kind();

    /** True for groups that must be enabled explicitly (EC2N 3 and 4: weak, RFC 2409 s6.3/6.4). */
    public boolean isLegacy() {
        return false;
    }

    /** Length in bytes of this group's KE payload data. */
    public abstract int publicValueLength();

    /** Length in bytes of the shared secret g^xy as it enters SKEYID and KEYMAT. */
    public abstract int sharedSecretLength();

    /** A fresh ephemeral key pair. */
    public abstract DhKeyPair generateKeyPair(SecureRandom random);

    /**
     * Builds the group's fixed-base table now rather than on its first key pair, so that the
     * first exchange after start-up does not wait for it (in a cold JVM the group 14 table takes
     * longer to build than a dozen handshakes). Idempotent; a no-op for groups without a table.
     */
    public void precompute() {
    }

    /**
     * Computes the shared secret after validating the peer's value.
     *
     * @return g^xy in this group's fixed-length encoding
     * @throws InvalidKeyInformationException if the peer value is malformed or degenerate, or the
     *     result is degenerate (identity, all-zero)
     */
    public final SecretBytes agree(DhKeyPair own, byte[] peerPublic) throws InvalidKeyInformationException {
        Objects.requireNonNull(own, "own");
        Objects.requireNonNull(peerPublic, "peerPublic");
        if (own.group() != this) {
            throw new IllegalArgumentException("key pair belongs to " + own.group().name() + ", not " + name);
        }
        checkLength(peerPublic);
        DhKeyPair.NativeAgreement held = own.nativeAgreement();
        if (held != null) {
            validateValue(peerPublic);
            return SecretBytes.adopt(held.agree(peerPublic));
        }
        byte[] priv = own.privateBytes();
        try {
            return SecretBytes.adopt(agreeValidated(priv, peerPublic));
        } finally {
            java.util.Arrays.fill(priv, (byte) 0);
        }
    }

    /**
     * Full validation of a peer's KE data without computing a shared secret: length, range, on
     * the curve, in the prime-order subgroup where the group has one, not the identity or a
     * small-order point.
     */
    public final void validatePeerPublic(byte[] peerPublic) throws InvalidKeyInformationException {
        Objects.requireNonNull(peerPublic, "peerPublic");
        checkLength(peerPublic);
        validateValue(peerPublic);
    }

    /** Deterministic key pair from a fixed private value (known-answer tests). */
    abstract DhKeyPair keyPairFromPrivate(byte[] privateValue);

    /** Big-endian private scalar/exponent; for the groups whose private value is an integer. */
    DhKeyPair keyPairFromPrivate(BigInteger x) {
        throw new UnsupportedOperationException(name + " private keys are byte strings");
    }

    abstract void validateValue(byte[] peerPublic) throws InvalidKeyInformationException;

    /** Peer length already checked. Must validate the value itself (or as part of the computation). */
    abstract byte[] agreeValidated(byte[] privateValue, byte[] peerPublic) throws InvalidKeyInformationException;

    private void checkLength(byte[] peerPublic) throws InvalidKeyInformationException {
        if (peerPublic.length != publicValueLength()) {
            throw new InvalidKeyInformationException("KE data for " + name + " must be " + publicValueLength()
                    + " bytes, got " + peerPublic.length);
        }
    }

    InvalidKeyInformationException invalid(String what) {
        return new InvalidKeyInformationException(what + " (" + name + ", group " + id + ")");
    }

    @Override
    public String toString() {
        return name + " (group " + id + ")";
    }
}
