package dev.isakmpd.oakley;

import java.util.Arrays;

/**
 * An ephemeral DH key pair. The private value (MODP exponent or EC scalar, big-endian; RFC 7748
 * scalar bytes for curve25519/448) is kept as a byte array so that {@link #wipe()} can clear it;
 * transient BigIntegers made during the computation cannot be wiped and are left to the
 * garbage collector. A pair made by {@link IkeCrypto#accp} on groups 19-21 holds no private
 * bytes: AWS-LC keeps the scalar, and {@link #wipe()} destroys its key.
 */
public final class DhKeyPair {
    private final DhGroup group;
    private final byte[] privateExponent;
    private final byte[] publicValue;
    /** Set when a native provider holds the private value instead ({@link AccpEcdh}). */
    private final NativeAgreement nativeAgreement;
    private volatile boolean wiped;

    DhKeyPair(DhGroup group, byte[] privateExponent, byte[] publicValue) {
        this(group, privateExponent, publicValue, null);
    }

    /** A pair whose private value lives in {@code nativeAgreement} only. */
    DhKeyPair(DhGroup group, NativeAgreement nativeAgreement, byte[] publicValue) {
        this(group, new byte[0], publicValue, nativeAgreement);
    }

    private DhKeyPair(DhGroup group, byte[] privateExponent, byte[] publicValue, NativeAgreement nativeAgreement) {
        this.group = group;
        this.privateExponent = privateExponent;
        this.publicValue = publicValue;
        this.nativeAgreement = nativeAgreement;
    }

    /** The agreement half of a key pair whose private value a native library holds. */
    interface NativeAgreement {
        /** The shared secret with a peer value that the group has already validated. */
        byte[] agree(byte[] peerPublic) throws InvalidKeyInformationException;

        /** Clears the native private value. */
        void destroy();
    }

    public DhGroup group() {
        return group;
    }

    /** g^x, left-padded to the group's length: the KE payload data. Returns a copy. */
    public byte[] publicValue() {
        return publicValue.clone();
    }

    /** Clears the private exponent; the pair can no longer be used to agree. */
    public void wipe() {
        Arrays.fill(privateExponent, (byte) 0);
        if (nativeAgreement != null) {
            nativeAgreement.destroy();
        }
        wiped = true;
    }

    public boolean isWiped() {
        return wiped;
    }

    /** A copy of the private value; the caller wipes it. */
    byte[] privateBytes() {
        checkNotWiped();
        if (nativeAgreement != null) {
            throw new IllegalStateException("the private value of this " + group.name() + " key pair is native");
        }
        return privateExponent.clone();
    }

    /** The native holder of the private value, or null when it is {@link #privateBytes}. */
    NativeAgreement nativeAgreement() {
        checkNotWiped();
        return nativeAgreement;
    }

    private void checkNotWiped() {
        if (wiped) {
            throw new IllegalStateException("DH key pair has been wiped");
        }
    }

    @Override
    public String toString() {
        return "DhKeyPair[" + group.name() + ", private=<redacted>" + (wiped ? ", wiped" : "") + "]";
    }
}
