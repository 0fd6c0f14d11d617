package dev.isakmpd.oakley;

import java.util.Arrays;

/**
 * An ephemeral DH key pair. The private value (MODP exponent or EC scalar, big-endian; RFC 7748
 * scalar bytes for curve25519/448) is kept as a byte array so that {@link #wipe()} can clear it;
 * transient BigIntegers made during the computation cannot be wiped and are left to the
 * garbage collector.
 */
public final class DhKeyPair {
    private final DhGroup group;
    private final byte[] privateExponent;
    private final byte[] publicValue;
    private volatile boolean wiped;

    DhKeyPair(DhGroup group, byte[] privateExponent, byte[] publicValue) {
        this.group = group;
        this.privateExponent = privateExponent;
        this.publicValue = publicValue;
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
        wiped = true;
    }

    public boolean isWiped() {
        return wiped;
    }

    /** A copy of the private value; the caller wipes it. */
    byte[] privateBytes() {
        if (wiped) {
            throw new IllegalStateException("DH key pair has been wiped");
        }
        return privateExponent.clone();
    }

    @Override
    public String toString() {
        return "DhKeyPair[" + group.name() + ", private=<redacted>" + (wiped ? ", wiped" : "") + "]";
    }
}
