package dev.isakmpd.oakley;

/** Our private key, ready to sign HASH_I or HASH_R (RFC 2409 s5.1); it never shows the key. */
public interface IkeSigner {
    /**
     * @throws IllegalArgumentException for a key type or curve that no IKEv1 method names
     */
    static IkeSigner forKey(java.security.PrivateKey key) {
        return HashSignatures.signer(key);
    }

    /** The Authentication Method attribute value this key signs for (RFC 2409 App. A, RFC 4754). */
    int authMethod();

    byte[] sign(byte[] hash);

    /** A signer for {@code authMethod} that signs with {@code sign}. */
    static IkeSigner of(int authMethod, java.util.function.UnaryOperator<byte[]> sign) {
        return new IkeSigner() {
            @Override
            public int authMethod() {
                return authMethod;
            }

            @Override
            public byte[] sign(byte[] hash) {
                return sign.apply(hash);
            }
        };
    }
}
